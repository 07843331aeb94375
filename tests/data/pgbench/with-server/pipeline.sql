
-- test startpipeline
\startpipeline
select 1;
select 1;
select 1;
select 1;
select 1;
select 1;
select 1;
select 1;
select 1;
select 1;

\endpipeline
