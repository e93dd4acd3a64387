-- Aggregate pushdown to both remote kinds, checked against the same queries over a local copy of
-- the data: what is sent (EXPLAIN VERBOSE shows the Remote SQL), avg computed here from an exact
-- sum and a count for MSSQL, and HAVING split into sent and local conditions.
\getenv tds_port BERQENAS_TDS_PORT
\getenv onprem_port BERQENAS_ONPREM_PORT
SET client_min_messages = warning;
SELECT berqenas.register_remote_database('fdw_agg_ms', 'mssql', '127.0.0.1', :tds_port,
                                         'postgres', 'postgres', 'postgres') > 0 AS registered;
SELECT berqenas.register_remote_database('fdw_agg_pg', 'postgresql', '127.0.0.1', :onprem_port,
                                         'postgres', 'postgres', 'postgres') > 0 AS registered;
RESET client_min_messages;
CREATE SERVER fdw_agg_ms FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'fdw_agg_ms');
CREATE SERVER fdw_agg_pg FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'fdw_agg_pg');
SELECT berqenas.fdw_execute('fdw_agg_ms', 'DROP SCHEMA IF EXISTS fdw_agg_ms CASCADE');
SELECT berqenas.fdw_execute('fdw_agg_ms', 'CREATE SCHEMA fdw_agg_ms');
SELECT berqenas.fdw_execute('fdw_agg_ms', $$CREATE TABLE fdw_agg_ms.nums (
    id INT NOT NULL PRIMARY KEY, g INT NOT NULL, i INT NULL, b BIGINT NULL, n DECIMAL(18,6) NULL,
    f FLOAT NULL, r REAL NULL, s SMALLINT NULL)$$);
SELECT berqenas.fdw_execute('fdw_agg_pg', $$
    DROP SCHEMA IF EXISTS fdw_agg_pg CASCADE;
    CREATE SCHEMA fdw_agg_pg;
    CREATE TABLE fdw_agg_pg.nums (id int PRIMARY KEY, g int NOT NULL, i int, b bigint, n numeric(18,6),
        f double precision, r real, s smallint)$$);
CREATE SCHEMA agg_ms;
CREATE SCHEMA agg_pg;
IMPORT FOREIGN SCHEMA fdw_agg_ms FROM SERVER fdw_agg_ms INTO agg_ms;
IMPORT FOREIGN SCHEMA fdw_agg_pg FROM SERVER fdw_agg_pg INTO agg_pg;
\d agg_ms.nums

-- The data, kept here too: sums beyond bigint, numeric(18,6) quotients with many digits, floats
-- whose sums are exact in any order, NULL arguments, and a group (g = 4) of NULLs only.
CREATE SCHEMA agg_local;
CREATE TABLE agg_local.nums (id int PRIMARY KEY, g int NOT NULL, i int, b bigint, n numeric(18,6),
    f double precision, r real, s smallint);
INSERT INTO agg_local.nums VALUES
    (1, 1, 1, 9000000000000000000, 123456789012.123456, 0.25, 0.1, 1),
    (2, 1, 2, 8000000000000000000, 0.000001, 1.5, 0.1, 2),
    (3, 1, 2, -5, 2.5, -3.75, 0.2, 2),
    (4, 2, 2147483647, 9223372036854775807, 999999999999.999999, 1000000000000000.5, 1.5, 32767),
    (5, 2, 2147483647, 9223372036854775807, 999999999999.999999, 2.25, 1.5, 32767),
    (6, 2, NULL, NULL, NULL, NULL, NULL, NULL),
    (7, 3, -7, -1, -0.000003, -0.5, -2.5, -32768),
    (8, 3, 0, 0, 0, 0, 0, 0),
    (9, 4, NULL, NULL, NULL, NULL, NULL, NULL),
    (10, 4, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO agg_local.nums
    SELECT id, 5, id * 3 % 17, id * 1000000007::bigint, round(id / 7.0, 6), id * 0.125, id * 0.5, id % 5
    FROM generate_series(11, 40) id;
INSERT INTO agg_ms.nums SELECT * FROM agg_local.nums;
INSERT INTO agg_pg.nums SELECT * FROM agg_local.nums;

-- compare(query, ordered): runs the query (over "nums", found through search_path; its columns
-- named apart) against the local copy and against each remote, and says whether the results are
-- the same values, with the same digits (compared as text, so numeric scale counts) and the same
-- column types; ordered: in the same order too.
CREATE FUNCTION agg_local.compare(query text, ordered boolean DEFAULT false)
    RETURNS TABLE (remote text, rows_here bigint, rows_there bigint, same_rows boolean, same_types boolean)
    LANGUAGE plpgsql AS $$
DECLARE
    src text;
    here text[];
    there text[];
    here_types text;
    there_types text;
BEGIN
    PERFORM set_config('search_path', 'agg_local, pg_temp', true);
    EXECUTE 'CREATE TEMP TABLE cmp_here AS ' || query;
    EXECUTE format('SELECT array_agg(t::text %s) FROM cmp_here t', CASE WHEN ordered THEN '' ELSE 'ORDER BY t::text' END)
        INTO here;
    SELECT string_agg(format_type(atttypid, atttypmod), ', ' ORDER BY attnum) INTO here_types
      FROM pg_attribute WHERE attrelid = 'cmp_here'::regclass AND attnum > 0;
    FOREACH src IN ARRAY ARRAY['agg_ms', 'agg_pg'] LOOP
        PERFORM set_config('search_path', src || ', pg_temp', true);
        EXECUTE 'CREATE TEMP TABLE cmp_there AS ' || query;
        EXECUTE format('SELECT array_agg(t::text %s) FROM cmp_there t', CASE WHEN ordered THEN '' ELSE 'ORDER BY t::text' END)
            INTO there;
        SELECT string_agg(format_type(atttypid, atttypmod), ', ' ORDER BY attnum) INTO there_types
          FROM pg_attribute WHERE attrelid = 'cmp_there'::regclass AND attnum > 0;
        remote := src;
        rows_here := coalesce(cardinality(here), 0);
        rows_there := coalesce(cardinality(there), 0);
        same_rows := here IS NOT DISTINCT FROM there;
        same_types := here_types = there_types;
        IF NOT same_rows THEN
            RAISE NOTICE '% differs: here %, there %', src, here, there;
        END IF;
        RETURN NEXT;
        DROP TABLE cmp_there;
    END LOOP;
    DROP TABLE cmp_here;
END
$$;
CREATE FUNCTION agg_local.is_even(n bigint) RETURNS boolean LANGUAGE plpgsql AS 'BEGIN RETURN n % 2 = 0; END';

-- avg to MSSQL: T-SQL's AVG(int) is an int and AVG(decimal) has another scale, so the exact sum
-- (bigint for smallint/int, decimal(38,0) for bigint, decimal(38,s) for numeric(p,s), float for
-- real/float, each value as the local column holds it) and COUNT_BIG are sent, and the average is
-- computed here as PostgreSQL's avg does (numeric_div of sum and count; float8 division).
EXPLAIN (VERBOSE, COSTS OFF) SELECT g, avg(i), avg(n), avg(r) FROM agg_ms.nums GROUP BY g;
EXPLAIN (VERBOSE, COSTS OFF) SELECT g, avg(i), avg(b), avg(n), avg(f), avg(r), avg(s) FROM agg_ms.nums GROUP BY g;
SELECT g, avg(i), avg(b), avg(n) FROM agg_ms.nums GROUP BY g ORDER BY g;
SELECT g, avg(f), avg(r), avg(s), pg_typeof(avg(i)) AS int_avg_type, pg_typeof(avg(f)) AS float_avg_type
    FROM agg_ms.nums GROUP BY g ORDER BY g;
-- A PostgreSQL remote runs the same avg: sent as is.
EXPLAIN (VERBOSE, COSTS OFF) SELECT g, avg(i), avg(b), avg(n), avg(f), avg(r), avg(s) FROM agg_pg.nums GROUP BY g;
SELECT * FROM agg_local.compare('SELECT g, avg(i) ai, avg(b) ab, avg(n) an, avg(f) af, avg(r) ar, avg(s) a_s, count(*) c, count(i) ci
    FROM nums GROUP BY g');
-- No rows: one row of NULL averages and a count of 0.
EXPLAIN (VERBOSE, COSTS OFF) SELECT avg(i), avg(n), avg(f), count(*) FROM agg_ms.nums WHERE id > 1000;
SELECT avg(i), avg(b), avg(n), avg(f), avg(r), count(*) FROM agg_ms.nums WHERE id > 1000;
SELECT * FROM agg_local.compare('SELECT avg(i) ai, avg(b) ab, avg(n) an, avg(f) af, avg(r) ar, avg(s) a_s, count(*) c
    FROM nums WHERE id > 1000');
-- The whole table, a WHERE sent along, DISTINCT, and expressions over averages computed here.
EXPLAIN (VERBOSE, COSTS OFF) SELECT avg(DISTINCT i), avg(DISTINCT n), avg(DISTINCT r) FROM agg_ms.nums WHERE id > 2;
SELECT * FROM agg_local.compare('SELECT avg(i) ai, avg(b) ab, avg(n) an, avg(f) af, avg(r) ar, avg(s) a_s FROM nums');
SELECT * FROM agg_local.compare('SELECT avg(DISTINCT i) ai, avg(DISTINCT b) ab, avg(DISTINCT n) an, avg(DISTINCT f) af,
    avg(DISTINCT r) ar FROM nums WHERE id > 2');
SELECT * FROM agg_local.compare('SELECT g, round(avg(n), 2) rn, avg(i) * 2 i2, sum(i) / avg(i) q, avg(f) - 1 f1
    FROM nums WHERE id <> 5 GROUP BY g');
-- ORDER BY avg: T-SQL cannot sort by PostgreSQL's quotient, so the groups are sent and sorted
-- here (a PostgreSQL remote sorts and limits too).
EXPLAIN (VERBOSE, COSTS OFF) SELECT g, avg(i) FROM agg_ms.nums GROUP BY g ORDER BY avg(i) DESC NULLS LAST, g LIMIT 3;
EXPLAIN (VERBOSE, COSTS OFF) SELECT g, avg(i) FROM agg_pg.nums GROUP BY g ORDER BY avg(i) DESC NULLS LAST, g LIMIT 3;
SELECT * FROM agg_local.compare('SELECT g, avg(i) FROM nums GROUP BY g ORDER BY avg(i) DESC NULLS LAST, g LIMIT 3', true);
SELECT * FROM agg_local.compare('SELECT g, avg(n) FROM nums GROUP BY g ORDER BY g DESC', true);
-- Not sent to MSSQL: avg over arithmetic or over unconstrained numeric (the sum's scale would be
-- the remote's); still PostgreSQL's results.
EXPLAIN (VERBOSE, COSTS OFF) SELECT avg(i - 1) FROM agg_ms.nums;
SELECT * FROM agg_local.compare('SELECT avg(i - 1) ai, avg(n::numeric) an FROM nums');

-- HAVING in part: conditions the remote evaluates are sent, the others filter the groups here
-- (Filter), from grouping columns and aggregates fetched for them.
EXPLAIN (VERBOSE, COSTS OFF) SELECT g, count(*) FROM agg_ms.nums GROUP BY g HAVING avg(i) > 1.5 AND count(*) > 1;
EXPLAIN (VERBOSE, COSTS OFF) SELECT g, count(*) FROM agg_pg.nums GROUP BY g HAVING agg_local.is_even(sum(i)) AND count(*) > 1;
EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*) FROM agg_ms.nums GROUP BY g HAVING agg_local.is_even(g) OR max(n) < 0;
SELECT g, count(*) FROM agg_ms.nums GROUP BY g HAVING avg(i) > 1.5 AND count(*) > 1 ORDER BY g;
SELECT * FROM agg_local.compare('SELECT g, count(*) FROM nums GROUP BY g HAVING avg(i) > 1.5 AND count(*) > 1');
SELECT * FROM agg_local.compare('SELECT g, count(*) FROM nums GROUP BY g HAVING agg_local.is_even(sum(i)) AND count(*) > 1');
SELECT * FROM agg_local.compare('SELECT count(*) FROM nums GROUP BY g HAVING agg_local.is_even(g) OR max(n) < 0');
SELECT * FROM agg_local.compare('SELECT g, avg(r) FROM nums GROUP BY g HAVING avg(n) < 1000 OR avg(n) IS NULL');
-- With a local HAVING, LIMIT stays here (a remote TOP would count groups the filter drops).
EXPLAIN (VERBOSE, COSTS OFF) SELECT g, avg(n) FROM agg_ms.nums GROUP BY g HAVING avg(n) > 0 ORDER BY avg(n) DESC LIMIT 2;
EXPLAIN (VERBOSE, COSTS OFF) SELECT g, max(n) FROM agg_pg.nums GROUP BY g HAVING agg_local.is_even(g) ORDER BY max(n) LIMIT 1;
SELECT * FROM agg_local.compare('SELECT g, avg(n) FROM nums GROUP BY g HAVING avg(n) > 0 ORDER BY avg(n) DESC LIMIT 2', true);
SELECT * FROM agg_local.compare('SELECT g, max(n) FROM nums GROUP BY g HAVING agg_local.is_even(g) ORDER BY max(n) LIMIT 1', true);
-- A local HAVING over an aggregate the remote cannot compute keeps the whole aggregation here.
EXPLAIN (VERBOSE, COSTS OFF) SELECT g FROM agg_ms.nums GROUP BY g HAVING avg(i - 1) > 2;
SELECT * FROM agg_local.compare('SELECT g FROM nums GROUP BY g HAVING avg(i - 1) > 2');

-- Clean up.
SELECT berqenas.fdw_execute('fdw_agg_ms', 'DROP SCHEMA fdw_agg_ms CASCADE');
SELECT berqenas.fdw_execute('fdw_agg_pg', 'DROP SCHEMA fdw_agg_pg CASCADE');
SET client_min_messages = warning;
DROP SCHEMA agg_ms CASCADE;
DROP SCHEMA agg_pg CASCADE;
DROP SCHEMA agg_local CASCADE;
SELECT berqenas.unregister_remote_database('fdw_agg_ms', cascade => true);
SELECT berqenas.unregister_remote_database('fdw_agg_pg', cascade => true);
RESET client_min_messages;
