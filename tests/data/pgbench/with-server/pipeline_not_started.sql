
-- pipeline not started
\endpipeline
