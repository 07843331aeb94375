SELECT 1 AS i \gset
\gset