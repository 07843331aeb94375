-- PARAMETERS: [["N"], ["Y"]]
-- EXEC_COUNT: 100

SELECT c_preferred_cust_flag, count(*) FROM customer group by c_preferred_cust_flag;