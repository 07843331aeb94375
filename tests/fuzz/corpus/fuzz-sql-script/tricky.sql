-- NAME: q
-- WEIGHT: 3
-- PARAM id = random(1, 10)
SELECT :id::int, ':id not a param', $$ ; :x $$, "a;b" FROM t /* ; :y /* nested */ */ WHERE x = E'it\'s ; :z';
