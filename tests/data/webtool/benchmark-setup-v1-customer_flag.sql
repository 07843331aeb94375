-- PARAMETERS: [["N"], ["Y"]]
-- EXEC_COUNT: 100

SELECT c_preferred_cust_flag, count(*) 
FROM customer 
GROUP BY c_preferred_cust_flag;
