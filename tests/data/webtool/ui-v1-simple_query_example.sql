-- EXEC_COUNT: 5

SELECT COUNT(*) as total_customers FROM customer;