
-- empty result
SELECT 5432 AS i8 WHERE FALSE \aset
\set i debug(:i8)
