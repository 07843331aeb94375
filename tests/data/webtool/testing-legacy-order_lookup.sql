-- PARAMETERS: [[1], [437], [12000]]
-- EXEC_COUNT: 10
SELECT channel, net_paid FROM tpcds_all_sales WHERE order_number = %s;