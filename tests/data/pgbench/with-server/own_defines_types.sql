-- Not from 001: defines_types.sql on single lines, with a statement at the end.
\set d2 debug(double(1 + 1) * (-75.0 / :foo))
\set cc debug(NOT (0 > 1) AND (1 <= 1) AND NOT (0 >= 1) AND (0 < 1) AND NOT (false and true) AND (false OR TRUE) AND (NOT :f) AND (NOT FALSE) AND NOT (NOT TRUE))
\set n5 debug(CASE WHEN :n IS NULL THEN 46 ELSE NULL END)
\set n6 debug(:n IS NULL AND NOT :f AND :t)
\set cs debug(CASE WHEN 1 THEN TRUE END AND CASE WHEN 1.0 THEN TRUE END AND CASE WHEN :n THEN NULL ELSE TRUE END)
\set i3 debug(:i + 1)
\set bl debug(:bla)
\set dd debug(:d)
SELECT 1;
