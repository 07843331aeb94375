\set i +1
\gset