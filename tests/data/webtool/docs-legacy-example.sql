-- PARAMETERS: [[1], [437], ["Electronics"]]
-- EXEC_COUNT: 20
SELECT channel, net_paid FROM tpcds_all_sales WHERE order_number = %s;