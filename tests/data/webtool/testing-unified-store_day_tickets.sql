-- WEIGHT: 12
-- PARAM store = random(1, 10)
-- PARAM day = random(2450816, 2452442)
SELECT ss_ticket_number, ss_customer_sk, ss_item_sk, ss_net_paid
FROM store_sales
WHERE ss_store_sk = :store AND ss_sold_date_sk BETWEEN :day AND :day + 6
ORDER BY ss_ticket_number
LIMIT 100;