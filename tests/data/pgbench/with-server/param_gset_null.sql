select '1' as one \gset
SELECT 1 / (random() / 2)::int, :one::int, :two::int;
