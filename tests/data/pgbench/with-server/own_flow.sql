-- Not from 001: every flow feature at once, writing what it saw into flow_log.
\set n 3
\if :n > 2
INSERT INTO flow_log VALUES (:client_id, 'if big');
\elif :n = 2
INSERT INTO flow_log VALUES (:client_id, 'if two');
\else
INSERT INTO flow_log VALUES (:client_id, 'if small');
\endif
SELECT :n * 10 AS ten, 'hello' AS word \gset p_
\if :p_ten = 30
INSERT INTO flow_log VALUES (:client_id, 'gset ' || :p_word);
\endif
SELECT 5 AS a UNION ALL SELECT 7 \aset
INSERT INTO flow_log VALUES (:client_id, 'aset ' || :a);
\startpipeline
INSERT INTO flow_log VALUES (:client_id, 'pipe 1');
INSERT INTO flow_log VALUES (:client_id, 'pipe ' || :foo || ' ' || :scale);
\endpipeline
