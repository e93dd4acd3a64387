-- berqenas_fdw INSERT and COPY send only the columns they give values to, so the remote fills in
-- its own defaults (MSSQL: DEFAULT GETDATE(), NOT NULL DEFAULT 0, IDENTITY) for the others; on
-- both remote kinds, row by row, batched, with RETURNING and through COPY.
\getenv tds_port BERQENAS_TDS_PORT
\getenv onprem_port BERQENAS_ONPREM_PORT
SET client_min_messages = warning;
SELECT berqenas.register_remote_database('fdw_dft_ms', 'mssql', '127.0.0.1', :tds_port,
                                         'postgres', 'postgres', 'postgres') > 0 AS registered;
SELECT berqenas.register_remote_database('fdw_dft_pg', 'postgresql', '127.0.0.1', :onprem_port,
                                         'postgres', 'postgres', 'postgres') > 0 AS registered;
RESET client_min_messages;
-- Errors as the user sees them; the remote's address (with its port, new each run) is masked.
CREATE FUNCTION pg_temp.try(statement text) RETURNS text LANGUAGE plpgsql AS $$
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
CREATE SERVER fdw_dft_ms FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'fdw_dft_ms');
CREATE SERVER fdw_dft_pg FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'fdw_dft_pg');

-- MSSQL: a typical ERP table, with an IDENTITY key, a creation time and a quantity by default.
SELECT berqenas.fdw_execute('fdw_dft_ms', 'DROP SCHEMA IF EXISTS fdw_dft_ms CASCADE');
SELECT berqenas.fdw_execute('fdw_dft_ms', 'CREATE SCHEMA fdw_dft_ms');
SELECT berqenas.fdw_execute('fdw_dft_ms', $$CREATE TABLE fdw_dft_ms.items (
    id INT NOT NULL PRIMARY KEY, name NVARCHAR(20) NULL, created DATETIME NOT NULL DEFAULT GETDATE(),
    qty INT NOT NULL DEFAULT 0, note NVARCHAR(20) NULL DEFAULT N'none')$$);
SELECT berqenas.fdw_execute('fdw_dft_ms', $$CREATE TABLE fdw_dft_ms.events (
    id INT IDENTITY(1,1) NOT NULL PRIMARY KEY, kind NVARCHAR(20) NOT NULL DEFAULT N'ping',
    at DATETIME2 NOT NULL DEFAULT SYSDATETIME())$$);
CREATE SCHEMA dft_ms;
IMPORT FOREIGN SCHEMA fdw_dft_ms FROM SERVER fdw_dft_ms INTO dft_ms;

-- Only the named columns are sent; the remote's defaults fill the rest (was: NULL, 23502).
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO dft_ms.items (id, name) VALUES (1, 'one');
INSERT INTO dft_ms.items (id, name) VALUES (1, 'one');
-- RETURNING shows the row as the remote stored it.
INSERT INTO dft_ms.items (id, qty) VALUES (2, 5)
    RETURNING id, name, qty, note, created > timestamp '2024-01-01' AS created_now;
-- Without a column list, the values given are for the first columns; DEFAULT is the remote's.
INSERT INTO dft_ms.items VALUES (3, 'three');
INSERT INTO dft_ms.items (id, name, qty) VALUES (4, 'four', DEFAULT);
-- A named column is sent even when NULL: the remote's default is for columns left out.
INSERT INTO dft_ms.items (id, note) VALUES (5, NULL);
-- Batched (batch_size rows per statement).
ALTER FOREIGN TABLE dft_ms.items OPTIONS (ADD batch_size '20');
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO dft_ms.items (id, name) SELECT g, 'bulk ' || g FROM generate_series(10, 59) g;
INSERT INTO dft_ms.items (id, name) SELECT g, 'bulk ' || g FROM generate_series(10, 59) g;
-- COPY with a column list.
COPY dft_ms.items (id, name) FROM STDIN;
100	copied
101	\N
\.
SELECT id, name, qty, note, created IS NOT NULL AS has_created FROM dft_ms.items WHERE id < 10 OR id >= 100 ORDER BY id;
SELECT count(*) AS bulk_rows, sum(qty) AS qty, count(created) AS created, min(note) AS note FROM dft_ms.items WHERE id BETWEEN 10 AND 59;
-- An IDENTITY key is the remote's to give: leave it out.
INSERT INTO dft_ms.events (kind) VALUES ('login'), ('logout') RETURNING id, kind;
INSERT INTO dft_ms.events DEFAULT VALUES RETURNING id, kind;
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO dft_ms.events DEFAULT VALUES;
INSERT INTO dft_ms.events DEFAULT VALUES;
SELECT id, kind, at IS NOT NULL AS has_at FROM dft_ms.events ORDER BY id;

-- A local default is PostgreSQL's to fill in, so that column is sent too.
ALTER FOREIGN TABLE dft_ms.items ALTER COLUMN qty SET DEFAULT 7;
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO dft_ms.items (id) VALUES (200);
INSERT INTO dft_ms.items (id) VALUES (200);
COPY dft_ms.items (id) FROM STDIN;
201
\.
SELECT id, qty, note FROM dft_ms.items WHERE id >= 200 ORDER BY id;
ALTER FOREIGN TABLE dft_ms.items ALTER COLUMN qty DROP DEFAULT;
-- A BEFORE ROW INSERT trigger may set any column: then every column is sent.
CREATE FUNCTION dft_ms.stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.qty := 42; NEW.created := timestamp '2024-02-29 12:00'; RETURN NEW; END $$;
CREATE TRIGGER stamp BEFORE INSERT ON dft_ms.items FOR EACH ROW EXECUTE FUNCTION dft_ms.stamp();
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO dft_ms.items (id) VALUES (300);
INSERT INTO dft_ms.items (id) VALUES (300);
SELECT id, qty, created, note FROM dft_ms.items WHERE id = 300;
DROP TRIGGER stamp ON dft_ms.items;
-- DEFAULT in a multi-row VALUES list: PostgreSQL's rewriter makes it NULL for a column without a
-- local default, so the remote refuses it (leave the column out, or give it a local default).
SELECT count(*) FROM dft_ms.items;
SELECT pg_temp.try($$INSERT INTO dft_ms.items (id, qty) VALUES (400, DEFAULT), (401, DEFAULT)$$);

-- PostgreSQL remote: the same.
SELECT berqenas.fdw_execute('fdw_dft_pg', $sql$
    DROP SCHEMA IF EXISTS fdw_dft_pg CASCADE;
    CREATE SCHEMA fdw_dft_pg;
    CREATE TABLE fdw_dft_pg.items (id int PRIMARY KEY, name text, created timestamptz NOT NULL DEFAULT now(),
                                qty int NOT NULL DEFAULT 0, note text DEFAULT 'none');
    CREATE TABLE fdw_dft_pg.events (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text NOT NULL DEFAULT 'ping')
$sql$);
CREATE SCHEMA dft_pg;
IMPORT FOREIGN SCHEMA fdw_dft_pg FROM SERVER fdw_dft_pg INTO dft_pg;
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO dft_pg.items (id, name) VALUES (1, 'one');
INSERT INTO dft_pg.items (id, name) VALUES (1, 'one');
INSERT INTO dft_pg.items (id, qty) VALUES (2, 5)
    RETURNING id, name, qty, note, created > timestamptz '2024-01-01' AS created_now;
INSERT INTO dft_pg.items (id, note) VALUES (5, NULL);
ALTER FOREIGN TABLE dft_pg.items OPTIONS (ADD batch_size '20');
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO dft_pg.items (id, name) SELECT g, 'bulk ' || g FROM generate_series(10, 59) g;
INSERT INTO dft_pg.items (id, name) SELECT g, 'bulk ' || g FROM generate_series(10, 59) g;
COPY dft_pg.items (id, name) FROM STDIN;
100	copied
101	\N
\.
SELECT id, name, qty, note, created IS NOT NULL AS has_created FROM dft_pg.items WHERE id < 10 OR id >= 100 ORDER BY id;
SELECT count(*) AS bulk_rows, sum(qty) AS qty, count(created) AS created, min(note) AS note FROM dft_pg.items WHERE id BETWEEN 10 AND 59;
-- GENERATED ALWAYS AS IDENTITY refuses any value, even NULL: only leaving it out works.
INSERT INTO dft_pg.events (kind) VALUES ('login'), ('logout') RETURNING id, kind;
INSERT INTO dft_pg.events DEFAULT VALUES RETURNING id, kind;
COPY dft_pg.events (kind) FROM STDIN;
copied
\.
SELECT id, kind FROM dft_pg.events ORDER BY id;

-- Clean up.
SELECT berqenas.fdw_execute('fdw_dft_ms', 'DROP SCHEMA fdw_dft_ms CASCADE');
SELECT berqenas.fdw_execute('fdw_dft_pg', 'DROP SCHEMA fdw_dft_pg CASCADE');
SET client_min_messages = warning;
DROP SCHEMA dft_ms CASCADE;
DROP SCHEMA dft_pg CASCADE;
SELECT berqenas.unregister_remote_database('fdw_dft_ms', cascade => true);
SELECT berqenas.unregister_remote_database('fdw_dft_pg', cascade => true);
RESET client_min_messages;
