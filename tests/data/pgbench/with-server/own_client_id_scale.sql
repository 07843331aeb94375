-- Not from 001: -D, :client_id and :scale as SQL parameters.
\set one 1
INSERT INTO flow_log VALUES (:client_id, 'scale ' || :scale || ' foo ' || :foo || ' one ' || :one);
