-- WEIGHT: 12
-- EXEC_COUNT: 8
-- PARAM store = random(1, 10)
-- PARAM start = random(2450816, 2452442)
SELECT ss_sold_date_sk, count(*) AS tickets, sum(ss_net_paid) AS revenue
FROM store_sales
WHERE ss_store_sk = :store AND ss_sold_date_sk BETWEEN :start AND :start + 200
GROUP BY ss_sold_date_sk
ORDER BY ss_sold_date_sk;