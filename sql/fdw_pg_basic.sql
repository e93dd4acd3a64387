-- berqenas_fdw against a real PostgreSQL remote (the on-prem test cluster): options, import,
-- type round trips, pushdown, writes, transactions, remote errors, lost connections, cancel.
\getenv onprem_port BERQENAS_ONPREM_PORT
SET client_min_messages = warning;
SELECT berqenas.register_remote_database('fdw_pg', 'postgresql', '127.0.0.1', :onprem_port,
                                         'postgres', 'postgres', 'postgres', schema => 'fdw_attach') > 0 AS registered;
SELECT set_config('fdw_test.onprem_port', :'onprem_port', false) IS NOT NULL AS port_noted;
RESET client_min_messages;

-- Validator: every message names the option.
CREATE SERVER fdw_bad FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (hostname 'x');
CREATE SERVER fdw_bad FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (fetch_size '-5');
CREATE SERVER fdw_bad FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (database_type 'oracle');
CREATE SERVER fdw_bad FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (port 'many');
CREATE SERVER fdw_bad FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'nope');
CREATE SERVER fdw_bad FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'fdw_pg', host 'x');

-- Remote objects, created through the server's own connection (committed with this statement).
CREATE SERVER fdw_pg FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'fdw_pg');
SELECT berqenas.fdw_execute('fdw_pg', $sql$
    DROP SCHEMA IF EXISTS fdw_test CASCADE;
    DROP SCHEMA IF EXISTS fdw_attach CASCADE;
    CREATE SCHEMA fdw_test;
    CREATE SCHEMA fdw_attach;
    CREATE TABLE fdw_attach.probe (k int PRIMARY KEY);
    CREATE TYPE fdw_test.mood AS ENUM ('sad', 'ok', 'happy');
    CREATE DOMAIN fdw_test.positive AS integer CHECK (VALUE > 0);
    CREATE TABLE fdw_test.all_types (
        id int PRIMARY KEY, b boolean, i2 smallint, i8 bigint, num numeric(12,4), f4 real, f8 double precision,
        t text, vc varchar(10), ch char(3), by bytea, d date, tm time, ts timestamp, tstz timestamptz,
        iv interval, u uuid, js json, jb jsonb, ia integer[], ta text[], m fdw_test.mood, p fdw_test.positive);
    CREATE TABLE fdw_test.orders (id int PRIMARY KEY, customer text NOT NULL, amount numeric(10,2), placed date);
    INSERT INTO fdw_test.orders SELECT g, 'customer ' || (g % 7), g * 10.5, date '2024-01-01' + g FROM generate_series(1, 50) g;
    CREATE TABLE fdw_test.nokey (a int, b text);
    INSERT INTO fdw_test.nokey VALUES (1, 'one');
$sql$);

-- Import: LIMIT TO / EXCEPT, NOT NULL and keys kept; enum and domain fall back to base types here.
CREATE SCHEMA fdw_local;
IMPORT FOREIGN SCHEMA fdw_test LIMIT TO (all_types, nokey) FROM SERVER fdw_pg INTO fdw_local;
IMPORT FOREIGN SCHEMA fdw_test EXCEPT (all_types, nokey) FROM SERVER fdw_pg INTO fdw_local;
\d fdw_local.all_types
\d fdw_local.orders

-- Every type, written through the FDW and read back.
INSERT INTO fdw_local.all_types VALUES
    (1, true, -32768, 9223372036854775807, -12345678.1234, 1.5, 3.141592653589793, 'héllo ''quoted'' \ back',
     'short', 'abc', '\x00ff10', '2024-02-29', '23:59:59.999999', '1999-12-31 23:59:59.123456',
     '2024-06-01 12:00:00+02', '1 year 2 mons 3 days 04:05:06', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
     '{"a": [1, 2]}', '{"b": {"c": null}}', '{1,NULL,3}', '{"x y",z}', 'happy', 42),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL),
    (3, false, 0, 0, 'NaN', '-Infinity', 'Infinity', '', '', '', '\x', '-infinity', '00:00', 'infinity',
     '-infinity', '-1 day', '00000000-0000-0000-0000-000000000000', '[]', '[]', '{}', '{}', 'sad', 1);
SET timezone = 'UTC';
SELECT * FROM fdw_local.all_types ORDER BY id;
-- The same values seen on the remote itself (fdw_execute returns the affected row count).
SELECT berqenas.fdw_execute('fdw_pg', $sql$UPDATE fdw_test.all_types SET id = id
    WHERE id = 1 AND t = 'héllo ''quoted'' \ back' AND by = '\x00ff10' AND ts = '1999-12-31 23:59:59.123456'
      AND tstz = '2024-06-01 10:00:00+00' AND jb = '{"b": {"c": null}}' AND ia = '{1,NULL,3}' AND m = 'happy'
      AND num = -12345678.1234 AND iv = '1 year 2 mons 3 days 04:05:06'$sql$) AS remote_row_matches;
-- A local timestamp column of lower precision rounds as timestamp's own receive function does
-- (binary values of the same type are otherwise decoded without it).
CREATE FOREIGN TABLE fdw_local.ts_rounded (id int, ts timestamp(0), tstz timestamptz(2), d date)
    SERVER fdw_pg OPTIONS (schema_name 'fdw_test', table_name 'all_types');
SELECT * FROM fdw_local.ts_rounded ORDER BY id;
DROP FOREIGN TABLE fdw_local.ts_rounded;
RESET timezone;

-- Pushdown, as EXPLAIN shows the SQL sent.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, customer FROM fdw_local.orders
    WHERE amount > 100 AND (customer = 'customer 1' OR customer LIKE 'customer 2%') AND placed IS NOT NULL;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM fdw_local.orders WHERE id IN (1, 2, 3) AND NOT (amount <= 5);
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, amount FROM fdw_local.orders ORDER BY amount DESC LIMIT 3;
EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*) FROM fdw_local.orders;
-- A condition the remote cannot evaluate stays here (Filter), and the result is still right.
CREATE FUNCTION fdw_local.is_even(n integer) RETURNS boolean LANGUAGE plpgsql AS 'BEGIN RETURN n % 2 = 0; END';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM fdw_local.orders WHERE fdw_local.is_even(id) AND id < 7;
SELECT id FROM fdw_local.orders WHERE fdw_local.is_even(id) AND id < 7 ORDER BY id;
SELECT id, amount FROM fdw_local.orders ORDER BY amount DESC LIMIT 3;
SELECT count(*), sum(amount), min(placed), max(customer) FROM fdw_local.orders;
-- Aggregates are sent whole (GROUP BY plain columns, HAVING, and ORDER BY with LIMIT above them);
-- sums keep PostgreSQL's result types (the same built-in functions run there).
EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*), count(placed), sum(id), sum(amount), min(placed), max(customer), avg(amount)
    FROM fdw_local.orders WHERE id > 5;
SELECT count(*), count(placed), sum(id), sum(amount), min(placed), max(customer), avg(amount), pg_typeof(sum(id)) AS sum_type
    FROM fdw_local.orders WHERE id > 5;
EXPLAIN (VERBOSE, COSTS OFF) SELECT customer, count(*), sum(amount) * 2 AS doubled FROM fdw_local.orders
    GROUP BY customer HAVING sum(amount) > 1000 ORDER BY customer;
SELECT customer, count(*), sum(amount) * 2 AS doubled FROM fdw_local.orders
    GROUP BY customer HAVING sum(amount) > 1000 ORDER BY customer;
EXPLAIN (VERBOSE, COSTS OFF) SELECT customer, max(amount) FROM fdw_local.orders GROUP BY customer ORDER BY max(amount) DESC LIMIT 2;
SELECT customer, max(amount) FROM fdw_local.orders GROUP BY customer ORDER BY max(amount) DESC LIMIT 2;
SELECT count(DISTINCT customer), sum(id) FILTER (WHERE id <= 10) FROM fdw_local.orders;
-- Not sent: a volatile function, a function of ours, grouping on an expression; a HAVING the
-- remote cannot evaluate filters the sent groups here; the results are still right.
EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*) FROM fdw_local.orders WHERE random() < 2;
SELECT count(*) FROM fdw_local.orders WHERE random() < 2;
EXPLAIN (VERBOSE, COSTS OFF) SELECT sum(CASE WHEN fdw_local.is_even(id) THEN 1 ELSE 0 END) FROM fdw_local.orders;
SELECT sum(CASE WHEN fdw_local.is_even(id) THEN 1 ELSE 0 END) FROM fdw_local.orders;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id % 3 AS r, count(*) FROM fdw_local.orders GROUP BY id % 3;
SELECT id % 3 AS r, count(*) FROM fdw_local.orders GROUP BY id % 3 ORDER BY r;
EXPLAIN (VERBOSE, COSTS OFF) SELECT customer FROM fdw_local.orders GROUP BY customer HAVING fdw_local.is_even(count(*)::int);
SELECT customer FROM fdw_local.orders GROUP BY customer HAVING fdw_local.is_even(count(*)::int) ORDER BY customer;
-- Parameters travel as parameters.
SET plan_cache_mode = force_generic_plan;
PREPARE by_customer(text) AS SELECT count(*) FROM fdw_local.orders WHERE customer = $1;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE by_customer('customer 3');
EXECUTE by_customer('customer 3');
DEALLOCATE by_customer;
RESET plan_cache_mode;

-- Writes: batched INSERT, UPDATE and DELETE by key, RETURNING.
ALTER FOREIGN TABLE fdw_local.orders OPTIONS (ADD batch_size '10');
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO fdw_local.orders SELECT g, 'bulk', g, NULL FROM generate_series(101, 125) g;
INSERT INTO fdw_local.orders SELECT g, 'bulk', g, NULL FROM generate_series(101, 125) g;
UPDATE fdw_local.orders SET amount = amount * 2 WHERE customer = 'bulk' AND id <= 103 RETURNING id, amount;
EXPLAIN (VERBOSE, COSTS OFF) DELETE FROM fdw_local.orders WHERE id > 120;
DELETE FROM fdw_local.orders WHERE id > 120 RETURNING id;
SELECT berqenas.fdw_execute('fdw_pg', 'UPDATE fdw_test.orders SET id = id WHERE customer = ''bulk''') AS bulk_rows_on_remote;

-- The remote transaction follows the local one.
BEGIN;
INSERT INTO fdw_local.orders VALUES (200, 'rolled back', 1, NULL);
SELECT count(*) FROM fdw_local.orders WHERE id = 200;
ROLLBACK;
BEGIN;
INSERT INTO fdw_local.orders VALUES (201, 'kept', 1, NULL);
SAVEPOINT s1;
INSERT INTO fdw_local.orders VALUES (202, 'undone by savepoint', 1, NULL);
ROLLBACK TO SAVEPOINT s1;
COMMIT;
SELECT berqenas.fdw_execute('fdw_pg', 'UPDATE fdw_test.orders SET id = id WHERE id BETWEEN 200 AND 202') AS committed_rows;

-- Remote errors keep their SQLSTATE; the remote's text is in DETAIL.
DO $$
DECLARE state text; detail text;
BEGIN
    INSERT INTO fdw_local.orders VALUES (1, 'duplicate', 1, NULL);
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL;
    RAISE NOTICE 'sqlstate %, detail: %', state, detail;
END
$$;
DO $$
DECLARE state text;
BEGIN
    INSERT INTO fdw_local.orders VALUES (300, NULL, 1, NULL);
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
    RAISE NOTICE 'sqlstate %', state;
END
$$;
-- A table without a key can be read, not changed.
SELECT * FROM fdw_local.nokey;
UPDATE fdw_local.nokey SET b = 'x';
DELETE FROM fdw_local.nokey;

-- Connections: listed, closed, reopened; a server with its address and a user mapping works too.
SELECT server_name, user_name, database_type, valid, in_transaction FROM berqenas.fdw_connections();
SELECT berqenas.fdw_disconnect('fdw_pg');
SELECT count(*) FROM berqenas.fdw_connections();
SELECT count(*) FROM fdw_local.orders;
DO $$
BEGIN
    EXECUTE format('CREATE SERVER fdw_pg_direct FOREIGN DATA WRAPPER berqenas_fdw
                    OPTIONS (database_type %L, host %L, port %L, dbname %L)',
                   'postgresql', '127.0.0.1', current_setting('fdw_test.onprem_port'), 'postgres');
END
$$;
CREATE USER MAPPING FOR CURRENT_USER SERVER fdw_pg_direct OPTIONS (username 'postgres', password 'postgres');
CREATE FOREIGN TABLE fdw_local.backend (pid integer) SERVER fdw_pg
    OPTIONS (query 'SELECT pg_catalog.pg_backend_pid() AS pid');
-- The remote backend dies: the next statement fails with 08006, the one after reconnects.
SELECT pid AS remote_pid FROM fdw_local.backend \gset
SELECT berqenas.fdw_execute('fdw_pg_direct', format('SELECT pg_terminate_backend(%s)', :remote_pid)) AS terminated;
DO $$
DECLARE state text;
BEGIN
    PERFORM count(*) FROM fdw_local.orders;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
    RAISE NOTICE 'sqlstate %', state;
END
$$;
SELECT count(*) FROM fdw_local.orders;

-- A local cancel (statement_timeout) cancels the remote query; the connection stays usable.
CREATE FOREIGN TABLE fdw_local.slow (x text) SERVER fdw_pg OPTIONS (query 'SELECT pg_catalog.pg_sleep(30)::text AS x');
SET statement_timeout = '500ms';
SELECT * FROM fdw_local.slow;
RESET statement_timeout;
CREATE FOREIGN TABLE fdw_local.sleepers (n bigint) SERVER fdw_pg_direct OPTIONS (query
    'SELECT count(*) AS n FROM pg_catalog.pg_stat_activity WHERE query LIKE ''%pg_sleep(30)%'' AND pid <> pg_catalog.pg_backend_pid()');
SELECT n AS remote_sleepers FROM fdw_local.sleepers;
SELECT count(*) FROM fdw_local.orders;

-- attach(): server and schema in one call.
SELECT berqenas.attach('fdw_pg', 'fdw_attached');
INSERT INTO fdw_attached.probe VALUES (1), (2);
SELECT * FROM fdw_attached.probe ORDER BY k;

-- Clean up: remote objects, then everything local (unregister cascades to the server).
SELECT berqenas.fdw_execute('fdw_pg', 'DROP SCHEMA fdw_test CASCADE; DROP SCHEMA fdw_attach CASCADE');
SET client_min_messages = warning;
DROP SCHEMA fdw_local CASCADE;
DROP SCHEMA fdw_attached CASCADE;
DROP SERVER fdw_pg_direct CASCADE;
SELECT berqenas.unregister_remote_database('fdw_pg', cascade => true);
RESET client_min_messages;
