-- WEIGHT: 15
-- EXEC_COUNT: 10
-- PARAM item = random(1, 18000)
SELECT count(*) AS lines, sum(ss_quantity) AS units, avg(ss_sales_price) AS avg_price
FROM store_sales
WHERE ss_item_sk = :item;