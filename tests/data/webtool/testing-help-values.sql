-- PARAM store = values(1, 4, 7)
-- PARAM region = values('east', 'west')
SELECT ss_item_sk, ss_net_paid
FROM store_sales
WHERE ss_store_sk = :store AND ss_region = :region;