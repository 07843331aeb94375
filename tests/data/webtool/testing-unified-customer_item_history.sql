-- WEIGHT: 8
-- PARAM cust = random(1, 100000)
-- PARAM item = random(1, 18000)
SELECT ss_ticket_number, ss_sold_date_sk, ss_sales_price, ss_quantity
FROM store_sales
WHERE ss_customer_sk = :cust AND ss_item_sk = :item
ORDER BY ss_sold_date_sk DESC
LIMIT 20;