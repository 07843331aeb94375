-- Not from 001: \if and \gset with transactions pipelined by lakebase-cli --pipeline.
\set n 3
\if :n > 2
INSERT INTO flow_log VALUES (:client_id, 'if big');
\else
INSERT INTO flow_log VALUES (:client_id, 'if small');
\endif
SELECT :n * 10 AS ten, 'hello' AS word \gset p_
\if :p_ten = 30
INSERT INTO flow_log VALUES (:client_id, 'gset ' || :p_word);
\endif
