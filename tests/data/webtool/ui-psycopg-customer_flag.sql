-- PARAMETERS: [["N"], ["Y"]]
-- EXEC_COUNT: 100

SELECT * FROM customer where c_preferred_cust_flag = %s limit 1000;