select 42 as value1, '1a' as value2 \gset
select :value1::smallint, :value2::smallint;
