-- Not from 001: a runtime error names the script, line and command.
\set zero 0
\set x 1 / :zero
SELECT :x;
