-- WEIGHT: 40                          -- pgbench relative transaction weight (psycopg ignores)
-- EXEC_COUNT: 20                       -- how many times psycopg runs this (pgbench ignores)
-- PARAM ticket = random(1, 240000)     -- fresh random value per execution
SELECT ss_item_sk, ss_net_paid
FROM store_sales
WHERE ss_ticket_number = :ticket;
