-- EXEC_COUNT: 100

SELECT COUNT(*) as total_customers FROM customer;
