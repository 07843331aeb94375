-- WEIGHT: 25
-- EXEC_COUNT: 15
-- PARAM cust = random(1, 100000)
SELECT ss_ticket_number, ss_sold_date_sk, ss_net_paid
FROM store_sales
WHERE ss_customer_sk = :cust
ORDER BY ss_sold_date_sk DESC
LIMIT 50;