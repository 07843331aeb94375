
-- startpipeline twice
\startpipeline
\startpipeline
