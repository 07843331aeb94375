SELECT ss_item_sk, ss_net_paid
FROM store_sales
WHERE ss_ticket_number = 187425;