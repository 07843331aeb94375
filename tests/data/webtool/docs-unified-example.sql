-- WEIGHT: 40
-- EXEC_COUNT: 20
-- PARAM ticket = random(1, 240000)
SELECT ss_item_sk, ss_net_paid
FROM store_sales
WHERE ss_ticket_number = :ticket;