-- WEIGHT: 8
-- EXEC_COUNT: 5
-- PARAM store = random(1, 10)
SELECT ss_item_sk, sum(ss_net_paid) AS revenue, sum(ss_quantity) AS units
FROM store_sales
WHERE ss_store_sk = :store
GROUP BY ss_item_sk
ORDER BY revenue DESC
LIMIT 20;