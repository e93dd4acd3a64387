-- berqenas_fdw against MSSQL (the TDS test server in front of the on-prem cluster): IMPORT
-- FOREIGN SCHEMA with LIMIT TO / EXCEPT, NOT NULL and primary keys kept, a query table, attach().
\getenv tds_port BERQENAS_TDS_PORT
SET client_min_messages = warning;
SELECT berqenas.register_remote_database('fdw_ms_import', 'mssql', '127.0.0.1', :tds_port,
                                         'postgres', 'postgres', 'postgres', schema => 'fdw_ms_attach') > 0 AS registered;
RESET client_min_messages;
CREATE SERVER fdw_ms_import FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'fdw_ms_import');

-- Remote tables, made with T-SQL DDL (each fdw_execute is one remote statement).
SELECT berqenas.fdw_execute('fdw_ms_import', 'DROP SCHEMA IF EXISTS fdw_ms_import CASCADE');
SELECT berqenas.fdw_execute('fdw_ms_import', 'DROP SCHEMA IF EXISTS fdw_ms_attach CASCADE');
SELECT berqenas.fdw_execute('fdw_ms_import', 'CREATE SCHEMA fdw_ms_import');
SELECT berqenas.fdw_execute('fdw_ms_import', 'CREATE SCHEMA fdw_ms_attach');
SELECT berqenas.fdw_execute('fdw_ms_import', $$CREATE TABLE [fdw_ms_import].[Customers] (
    [customer_id] INT NOT NULL PRIMARY KEY, [name] NVARCHAR(100) NOT NULL, [code] VARCHAR(10) NULL,
    [balance] MONEY NULL, [created_at] DATETIME2 NOT NULL DEFAULT SYSDATETIME())$$);
SELECT berqenas.fdw_execute('fdw_ms_import', $$CREATE TABLE [fdw_ms_import].[order_lines] (
    [order_id] INT NOT NULL, [line_no] SMALLINT NOT NULL, [sku] NCHAR(8) NOT NULL, [qty] DECIMAL(9,3) NULL,
    CONSTRAINT [pk_order_lines] PRIMARY KEY ([order_id], [line_no]))$$);
SELECT berqenas.fdw_execute('fdw_ms_import', 'CREATE TABLE fdw_ms_import.audit_log (at DATETIME NULL, msg NVARCHAR(MAX) NULL)');
SELECT berqenas.fdw_execute('fdw_ms_import', 'CREATE TABLE fdw_ms_attach.probe (k INT NOT NULL PRIMARY KEY, note NVARCHAR(20) NULL)');

-- LIMIT TO and EXCEPT split the schema between two local schemas. They name tables as the remote
-- compares names: (customers) is the remote's [Customers], whose declared name is its table_name.
CREATE SCHEMA ms_only;
CREATE SCHEMA ms_rest;
IMPORT FOREIGN SCHEMA fdw_ms_import LIMIT TO (customers) FROM SERVER fdw_ms_import INTO ms_only;
IMPORT FOREIGN SCHEMA fdw_ms_import EXCEPT (customers) FROM SERVER fdw_ms_import INTO ms_rest;
SELECT foreign_table_schema, foreign_table_name FROM information_schema.foreign_tables
 WHERE foreign_table_schema IN ('ms_only', 'ms_rest') ORDER BY 1, 2;
-- NOT NULL kept, primary key columns (a composite one too) marked key 'true', T-SQL types mapped.
\d ms_only.customers
\d ms_rest.order_lines
\d ms_rest.audit_log
-- A table name that does not exist remotely is simply not imported (as postgres_fdw does).
CREATE SCHEMA ms_none;
IMPORT FOREIGN SCHEMA fdw_ms_import LIMIT TO (no_such_table) FROM SERVER fdw_ms_import INTO ms_none;
SELECT count(*) AS imported FROM information_schema.foreign_tables WHERE foreign_table_schema = 'ms_none';

-- The imported tables work both ways.
INSERT INTO ms_only.customers (customer_id, name, code, balance, created_at)
    VALUES (1, 'Ayşe', 'A1', 10.5, '2024-01-02 03:04:05'), (2, 'Zoë', NULL, NULL, '2024-01-03 00:00:00');
SELECT customer_id, name, code, balance, created_at FROM ms_only.customers ORDER BY customer_id;
INSERT INTO ms_rest.order_lines VALUES (1, 1, 'SKU-0001', 2.5), (1, 2, 'SKU-0002', NULL);
UPDATE ms_rest.order_lines SET qty = 9 WHERE order_id = 1 AND line_no = 2;
SELECT * FROM ms_rest.order_lines ORDER BY order_id, line_no;

-- A query table (tds_fdw's `query` option): read-only, columns by name.
CREATE FOREIGN TABLE ms_only.customer_names (customer_id int OPTIONS (key 'true'), name text)
    SERVER fdw_ms_import OPTIONS (query 'SELECT customer_id, UPPER(name) AS name FROM fdw_ms_import.customers');
SELECT * FROM ms_only.customer_names ORDER BY customer_id;
INSERT INTO ms_only.customer_names VALUES (3, 'x');

-- attach(): a server named after the registered MSSQL database, and its schema imported.
SELECT berqenas.attach('fdw_ms_import', 'ms_attached');
\d ms_attached.probe
INSERT INTO ms_attached.probe VALUES (1, 'one'), (2, 'iki');
SELECT * FROM ms_attached.probe ORDER BY k;
SELECT berqenas.fdw_execute('fdw_ms_import', 'UPDATE fdw_ms_attach.probe SET k = k WHERE note = N''iki''') AS on_remote;

-- Clean up: remote objects, then everything local (unregister cascades to the server).
SELECT berqenas.fdw_execute('fdw_ms_import', 'DROP SCHEMA fdw_ms_import CASCADE');
SELECT berqenas.fdw_execute('fdw_ms_import', 'DROP SCHEMA fdw_ms_attach CASCADE');
SET client_min_messages = warning;
DROP SCHEMA ms_only, ms_rest, ms_none, ms_attached CASCADE;
SELECT berqenas.unregister_remote_database('fdw_ms_import', cascade => true);
RESET client_min_messages;
