-- berqenas_fdw against MSSQL (the TDS test server): what is pushed down (EXPLAIN VERBOSE shows the
-- T-SQL as sent), INSERT/UPDATE/DELETE with RETURNING (OUTPUT) checked on the remote, the remote
-- transaction following the local one, remote errors, and a table without a key.
\getenv tds_port BERQENAS_TDS_PORT
SET client_min_messages = warning;
SELECT berqenas.register_remote_database('fdw_ms_rw', 'mssql', '127.0.0.1', :tds_port,
                                         'postgres', 'postgres', 'postgres') > 0 AS registered;
RESET client_min_messages;
CREATE SERVER fdw_ms_rw FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'fdw_ms_rw');
SELECT berqenas.fdw_execute('fdw_ms_rw', 'DROP SCHEMA IF EXISTS fdw_ms_rw CASCADE');
SELECT berqenas.fdw_execute('fdw_ms_rw', 'CREATE SCHEMA fdw_ms_rw');
SELECT berqenas.fdw_execute('fdw_ms_rw', $$CREATE TABLE fdw_ms_rw.customers (
    id INT NOT NULL PRIMARY KEY, name NVARCHAR(50) NOT NULL, country NCHAR(2) NULL)$$);
SELECT berqenas.fdw_execute('fdw_ms_rw', $$CREATE TABLE fdw_ms_rw.orders (
    id INT NOT NULL PRIMARY KEY, customer_id INT NOT NULL REFERENCES fdw_ms_rw.customers (id),
    note NVARCHAR(40) NOT NULL, amount DECIMAL(10,2) NULL, placed DATE NULL, paid BIT NOT NULL DEFAULT 0)$$);
SELECT berqenas.fdw_execute('fdw_ms_rw', 'CREATE TABLE fdw_ms_rw.nokey (a INT NULL, b NVARCHAR(10) NULL)');
SELECT berqenas.fdw_execute('fdw_ms_rw',
    $$INSERT INTO fdw_ms_rw.customers (id, name, country) VALUES (1, N'Ayşe', N'TR'), (2, N'Zoë', N'NL'), (3, N'Ömer', NULL)$$);
SELECT berqenas.fdw_execute('fdw_ms_rw', $$INSERT INTO fdw_ms_rw.nokey (a, b) VALUES (1, N'one')$$);
CREATE SCHEMA ms_rw;
IMPORT FOREIGN SCHEMA fdw_ms_rw FROM SERVER fdw_ms_rw INTO ms_rw;
-- Errors as the user sees them; the remote's address (with its port) is masked.
CREATE FUNCTION ms_rw.try(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE state text; message text; detail text;
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
    RETURN state || ': ' || regexp_replace(message, '@127\.0\.0\.1:[0-9]+/', '@127.0.0.1:<port>/')
        || coalesce(E'\nDETAIL: ' || nullif(detail, ''), '');
END
$$;

-- Writes: a batched INSERT (batch_size rows per statement).
ALTER FOREIGN TABLE ms_rw.orders OPTIONS (ADD batch_size '20');
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO ms_rw.orders SELECT g, 1 + g % 3, 'order ' || g, g * 10.5, date '2024-01-01' + g, g % 2 = 0
    FROM generate_series(1, 50) g;
INSERT INTO ms_rw.orders SELECT g, 1 + g % 3, 'order ' || g, g * 10.5, date '2024-01-01' + g, g % 2 = 0
    FROM generate_series(1, 50) g;
SELECT berqenas.fdw_execute('fdw_ms_rw', 'UPDATE fdw_ms_rw.orders SET id = id WHERE id BETWEEN 1 AND 50') AS rows_on_remote;

-- Pushdown, as EXPLAIN shows the T-SQL sent.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, note FROM ms_rw.orders WHERE amount > 100 AND placed IS NOT NULL AND NOT paid;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM ms_rw.orders WHERE id IN (1, 2, 3) OR customer_id NOT IN (1, 2);
-- LIMIT becomes TOP (n), LIMIT with OFFSET becomes OFFSET ... FETCH NEXT, and no Limit is left here.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, amount FROM ms_rw.orders ORDER BY amount DESC, id LIMIT 3;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, amount FROM ms_rw.orders ORDER BY id LIMIT 3 OFFSET 5;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, note FROM ms_rw.orders WHERE paid LIMIT 2;
SELECT id, amount FROM ms_rw.orders ORDER BY amount DESC, id LIMIT 3;
SELECT id, amount FROM ms_rw.orders ORDER BY id LIMIT 3 OFFSET 5;
SELECT id FROM ms_rw.orders ORDER BY id LIMIT 0 OFFSET 5;
-- T-SQL sorts NULL lowest: NULLS FIRST ascending is its own order, NULLS LAST is spelled out.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM ms_rw.orders ORDER BY placed NULLS FIRST;
-- A LIMIT over rows still to be filtered here stays here (TOP would cut too early).
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM ms_rw.orders WHERE id % 2 = 0 ORDER BY id LIMIT 2;
SELECT count(*), sum(amount), min(placed), max(note) FROM ms_rw.orders WHERE paid;
-- Aggregates are sent whole: COUNT_BIG (COUNT is int in T-SQL), SUM widened to PostgreSQL's result
-- types (int -> bigint, bigint -> decimal(38,0), numeric(p,s) -> decimal(38,s)), MIN/MAX, GROUP BY on
-- plain non-text columns, HAVING, and ORDER BY with LIMIT above them as TOP (n).
EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*), count(placed), count(note), sum(customer_id), sum(amount), min(placed), max(amount)
    FROM ms_rw.orders WHERE id <= 40;
SELECT count(*), count(placed), count(note), sum(customer_id), sum(amount), min(placed), max(amount),
       pg_typeof(sum(customer_id)) AS sum_type FROM ms_rw.orders WHERE id <= 40;
EXPLAIN (VERBOSE, COSTS OFF) SELECT customer_id, paid, count(*), sum(amount) FROM ms_rw.orders
    GROUP BY customer_id, paid HAVING count(*) > 5 ORDER BY customer_id, paid;
SELECT customer_id, paid, count(*), sum(amount) FROM ms_rw.orders
    GROUP BY customer_id, paid HAVING count(*) > 5 ORDER BY customer_id, paid;
EXPLAIN (VERBOSE, COSTS OFF) SELECT customer_id, max(amount) FROM ms_rw.orders GROUP BY customer_id ORDER BY max(amount) DESC LIMIT 2;
SELECT customer_id, max(amount) FROM ms_rw.orders GROUP BY customer_id ORDER BY max(amount) DESC LIMIT 2;
SELECT count(*), sum(amount) FROM ms_rw.orders WHERE id > 1000;
-- avg: T-SQL's AVG of an int is an int, so the exact sum and the count are sent and divided here
-- as PostgreSQL's avg does (more in fdw_aggregates.sql).
EXPLAIN (VERBOSE, COSTS OFF) SELECT avg(customer_id) FROM ms_rw.orders;
SELECT avg(customer_id) FROM ms_rw.orders;
-- Not sent: grouping, MIN/MAX or a condition on text (case-insensitive there), arithmetic, a
-- volatile function; the results are still PostgreSQL's.
EXPLAIN (VERBOSE, COSTS OFF) SELECT note, count(*) FROM ms_rw.orders WHERE id <= 3 GROUP BY note;
SELECT note, count(*) FROM ms_rw.orders WHERE id <= 3 GROUP BY note ORDER BY note;
EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*) FROM ms_rw.orders WHERE note = 'ORDER 7';
SELECT count(*) FROM ms_rw.orders WHERE note = 'ORDER 7';
EXPLAIN (VERBOSE, COSTS OFF) SELECT sum(id % 7) FROM ms_rw.orders;
SELECT sum(id % 7) FROM ms_rw.orders;
EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*) FROM ms_rw.orders WHERE random() < 2;
SELECT count(*) FROM ms_rw.orders WHERE random() < 2;
-- Text: SQL Server compares case-insensitively, so =, IN and LIKE are sent as a pre-filter and
-- checked again here (Filter); <> and patterns with [ stay local.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM ms_rw.orders WHERE note = 'order 7';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM ms_rw.orders WHERE note LIKE 'order 1%' AND note IN ('order 10', 'ORDER 11', 'order 12');
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM ms_rw.orders WHERE note <> 'order 7' AND note LIKE '[o]%';
SELECT id FROM ms_rw.orders WHERE note = 'ORDER 7';
SELECT id FROM ms_rw.orders WHERE note LIKE 'order 1%' AND note IN ('order 10', 'ORDER 11', 'order 12') ORDER BY id;
-- Non-ASCII constants travel as N'...' literals.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, name FROM ms_rw.customers WHERE name = 'Ayşe' OR name LIKE 'Ö%';
SELECT id, name FROM ms_rw.customers WHERE name = 'Ayşe' OR name LIKE 'Ö%' ORDER BY id;
-- A condition the remote cannot evaluate stays here, and the result is still right.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM ms_rw.orders WHERE id % 10 = 0 AND id < 35;
SELECT id FROM ms_rw.orders WHERE id % 10 = 0 AND id < 35 ORDER BY id;
-- Parameters are filled in at run time as escaped literals (shown as @Pn).
SET plan_cache_mode = force_generic_plan;
PREPARE by_note(text, int) AS SELECT id, note FROM ms_rw.orders WHERE note = $1 AND id >= $2;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE by_note('order 4', 1);
EXECUTE by_note('order 4', 1);
EXECUTE by_note('it''s -- not [sql]', 1);
DEALLOCATE by_note;
RESET plan_cache_mode;
-- A join: each side is scanned with its own conditions.
SELECT c.name, count(*), sum(o.amount) FROM ms_rw.orders o JOIN ms_rw.customers c ON c.id = o.customer_id
 WHERE o.id <= 10 GROUP BY c.name ORDER BY c.name;

-- UPDATE and DELETE by key, with RETURNING (sent as OUTPUT INSERTED / DELETED).
EXPLAIN (VERBOSE, COSTS OFF) UPDATE ms_rw.orders SET amount = amount * 2 WHERE id <= 3 RETURNING id, amount;
UPDATE ms_rw.orders SET amount = amount * 2, note = note || ' (doubled)' WHERE id <= 3 RETURNING id, note, amount;
EXPLAIN (VERBOSE, COSTS OFF) DELETE FROM ms_rw.orders WHERE id > 45 RETURNING id;
DELETE FROM ms_rw.orders WHERE id > 45 RETURNING id, note;
INSERT INTO ms_rw.orders VALUES (100, 3, 'nön-ASCII ''quoted'' 日本', 12.5, '2024-02-29', true) RETURNING *;
-- The same rows as the remote sees them.
CREATE FOREIGN TABLE ms_rw.remote_orders (id int, note text, amount text)
    SERVER fdw_ms_rw OPTIONS (query $$SELECT id, note, CAST(amount AS NVARCHAR(20)) AS amount FROM fdw_ms_rw.orders
                                      WHERE id <= 3 OR id >= 45$$);
SELECT * FROM ms_rw.remote_orders ORDER BY id;
UPDATE ms_rw.orders SET amount = NULL WHERE id = 999;

-- The remote transaction follows the local one: a rollback undoes the remote rows too.
BEGIN;
INSERT INTO ms_rw.orders VALUES (200, 1, 'rolled back', 1, NULL, false);
UPDATE ms_rw.orders SET note = 'rolled back too' WHERE id = 1;
SELECT id, note FROM ms_rw.orders WHERE id IN (1, 200) ORDER BY id;
ROLLBACK;
SELECT id, note FROM ms_rw.remote_orders WHERE id IN (1, 200) ORDER BY id;
-- Savepoints become SAVE TRANSACTION / ROLLBACK TRANSACTION.
BEGIN;
INSERT INTO ms_rw.orders VALUES (201, 1, 'kept', 1, NULL, false);
SAVEPOINT s1;
INSERT INTO ms_rw.orders VALUES (202, 1, 'undone by the savepoint', 1, NULL, false);
ROLLBACK TO SAVEPOINT s1;
INSERT INTO ms_rw.orders VALUES (203, 1, 'kept too', 1, NULL, false);
COMMIT;
SELECT berqenas.fdw_execute('fdw_ms_rw', 'DELETE FROM fdw_ms_rw.orders WHERE id BETWEEN 200 AND 203') AS committed_rows;
-- A failed statement aborts the local transaction, and the remote one with it.
BEGIN;
INSERT INTO ms_rw.orders VALUES (210, 1, 'before the error', 1, NULL, false);
\set VERBOSITY sqlstate
INSERT INTO ms_rw.orders VALUES (1, 1, 'duplicate', 1, NULL, false);
\set VERBOSITY default
COMMIT;
SELECT count(*) AS after_failed_transaction FROM ms_rw.orders WHERE id = 210;

-- Remote errors: SQL Server's number mapped to a SQLSTATE, the remote's text in DETAIL.
SELECT ms_rw.try($$INSERT INTO ms_rw.orders VALUES (2, 1, 'duplicate key', 1, NULL, false)$$);
SELECT ms_rw.try($$INSERT INTO ms_rw.orders VALUES (300, 99, 'no such customer', 1, NULL, false)$$);
-- With ANSI_WARNINGS on (set at every login), a too-long string and an overflow are errors, not a
-- silent cut or NULL.
SELECT ms_rw.try($$SELECT berqenas.fdw_execute('fdw_ms_rw', 'UPDATE fdw_ms_rw.orders SET note = N''xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'' WHERE id = 2')$$);
SELECT ms_rw.try($$SELECT berqenas.fdw_execute('fdw_ms_rw', 'UPDATE fdw_ms_rw.orders SET amount = 123456789.12 WHERE id = 2')$$);
SELECT ms_rw.try($$DELETE FROM ms_rw.customers WHERE id = 1$$);
CREATE FOREIGN TABLE ms_rw.missing (id int OPTIONS (key 'true')) SERVER fdw_ms_rw
    OPTIONS (schema_name 'fdw_ms_rw', table_name 'no_such_table');
SELECT ms_rw.try($$SELECT * FROM ms_rw.missing$$);
SELECT ms_rw.try($$SELECT berqenas.fdw_execute('fdw_ms_rw', 'SELEC 1')$$);
SELECT ms_rw.try($$SELECT berqenas.fdw_execute('fdw_ms_rw', 'MERGE INTO fdw_ms_rw.orders t USING fdw_ms_rw.customers s ON t.id = s.id WHEN MATCHED THEN DELETE')$$);
-- The connection is still good after those.
SELECT count(*) FROM ms_rw.orders;

-- A table without a key can be read, not changed (INSERT needs no key).
SELECT * FROM ms_rw.nokey;
UPDATE ms_rw.nokey SET b = 'x';
DELETE FROM ms_rw.nokey;
INSERT INTO ms_rw.nokey VALUES (2, 'two');
SELECT * FROM ms_rw.nokey ORDER BY a;
-- Marking the key makes it writable.
ALTER FOREIGN TABLE ms_rw.nokey ALTER COLUMN a OPTIONS (ADD key 'true');
UPDATE ms_rw.nokey SET b = 'iki' WHERE a = 2 RETURNING *;

-- Connections: one per server and user, listed and closed.
SELECT server_name, user_name, database_type, valid, in_transaction FROM berqenas.fdw_connections()
 WHERE server_name = 'fdw_ms_rw';
SELECT berqenas.fdw_disconnect('fdw_ms_rw');
SELECT count(*) FROM berqenas.fdw_connections() WHERE server_name = 'fdw_ms_rw';

-- Clean up.
SELECT berqenas.fdw_execute('fdw_ms_rw', 'DROP SCHEMA fdw_ms_rw CASCADE');
SET client_min_messages = warning;
DROP SCHEMA ms_rw CASCADE;
SELECT berqenas.unregister_remote_database('fdw_ms_rw', cascade => true);
RESET client_min_messages;
