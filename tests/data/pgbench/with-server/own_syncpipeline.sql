-- Not from 001: \syncpipeline (pgbench 17; pgbench 15 does not know it).
\startpipeline
INSERT INTO flow_log VALUES (:client_id, 'before sync');
\syncpipeline
INSERT INTO flow_log VALUES (:client_id, 'after sync');
\endpipeline
