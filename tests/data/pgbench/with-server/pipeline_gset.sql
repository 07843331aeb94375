\startpipeline
select 1 \gset f
\endpipeline
