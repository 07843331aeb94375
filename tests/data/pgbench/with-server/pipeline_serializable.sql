
-- test startpipeline with serializable
\startpipeline
BEGIN ISOLATION LEVEL SERIALIZABLE;
select 1;
select 1;
select 1;
select 1;
select 1;
select 1;
select 1;
select 1;
select 1;
select 1;

END;
\endpipeline
