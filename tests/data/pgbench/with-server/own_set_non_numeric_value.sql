-- Not from 001: error_set_non_numeric_value.sql with a statement.
\set i :foo + 1
SELECT 1;
