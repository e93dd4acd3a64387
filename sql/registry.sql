-- The remote-database registry: registration, the listing view, status, bad input, dependents.
\getenv onprem_port BERQENAS_ONPREM_PORT
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
CREATE FUNCTION pg_temp.registered() RETURNS bigint LANGUAGE sql AS
    'SELECT count(*) FROM berqenas.remote_databases';

SELECT coalesce(max(id), 0) AS audit_before FROM berqenas.sync_audit_log \gset
SELECT berqenas.create_tenant('acme') > 0 AS tenant_created;
SELECT berqenas.register_remote_database(
    name => 'customer_erp', database_type => 'postgresql', host => '127.0.0.1', port => :onprem_port,
    database_name => 'postgres', username => 'postgres', password => 'postgres',
    schema => 'public', wireguard_ip => '10.60.5.10', tenant => 'acme') > 0 AS registered;
SELECT name, database_type, host, database_name, username, schema, wireguard_ip, tenant, options
  FROM berqenas.remote_databases;

-- The view has no column that could hold a secret.
SELECT count(*) AS secret_columns FROM information_schema.columns
 WHERE table_schema = 'berqenas' AND table_name = 'remote_databases'
   AND (column_name LIKE '%pass%' OR column_name LIKE '%secret%' OR column_name LIKE '%seal%');

-- test_connection really connects, and its outcome lands in the registry and in the status.
SELECT t ->> 'ok' AS ok, t ->> 'server_version' LIKE 'PostgreSQL 15%' AS version_ok,
       (t ->> 'latency_ms')::float8 >= 0 AS latency_ok
  FROM berqenas.test_connection('customer_erp') AS t;
SELECT s ->> 'name' AS name, s -> 'reachability' ->> 'ok' AS reachable, s -> 'last_sync' AS last_sync,
       s ->> 'sync_count' AS syncs, s ->> 'error_count' AS errors, s ->> 'tenant' AS tenant
  FROM berqenas.remote_db_status('customer_erp') AS s;

-- A wrong password: the remote's own message comes back, nothing is raised.
SELECT berqenas.register_remote_database('wrong_password', 'postgresql', '127.0.0.1', :onprem_port,
                                         'postgres', 'postgres', 'not-the-password') > 0 AS registered;
SELECT t ->> 'ok' AS ok, t ->> 'sqlstate' AS sqlstate,
       t ->> 'error' LIKE '%password authentication failed for user "postgres"%' AS remote_message
  FROM berqenas.test_connection('wrong_password') AS t;
-- A port nobody listens on (port 1 on loopback).
SELECT berqenas.register_remote_database('nobody_home', 'mssql', '127.0.0.1', 1,
                                         'ERP', 'sa', 'x') > 0 AS registered;
SELECT t ->> 'ok' AS ok, t ->> 'sqlstate' AS sqlstate
  FROM berqenas.test_connection('nobody_home') AS t;
SELECT s ->> 'error_count' AS errors FROM berqenas.remote_db_status('wrong_password') AS s;

-- Bad input: each refused with a clear error and SQLSTATE, and nothing written.
SELECT pg_temp.registered() AS before_bad_input \gset
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('x1', 'oracle', 'h', 1, 'd', 'u', 'p')$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('', 'mssql', 'h', 1, 'd', 'u', 'p')$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database(NULL, 'mssql', 'h', 1, 'd', 'u', 'p')$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('customer_erp', 'mssql', 'h', 1, 'd', 'u', 'p')$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('x2', 'mssql', 'h', 0, 'd', 'u', 'p')$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('x3', 'mssql', 'h', 65536, 'd', 'u', 'p')$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('x4', 'mssql', '', 1433, 'd', 'u', 'p')$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('x5', 'mssql', '  ', 1433, 'd', 'u', 'p')$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('bad"name', 'mssql', 'h', 1, 'd', 'u', 'p')$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('bad;name', 'mssql', 'h', 1, 'd', 'u', 'p')$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('bad name', 'mssql', 'h', 1, 'd', 'u', 'p')$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('1st', 'mssql', 'h', 1, 'd', 'u', 'p')$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('x6', 'mssql', 'h', 1, 'd', 'u', 'p', tenant => 'nope')$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('x7', 'mssql', 'h', 1, '', 'u', 'p')$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('x8', 'mssql', 'h', 1, 'd', '', 'p')$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('x9', 'mssql', 'h', 1, 'd', 'u', NULL)$$);
SELECT pg_temp.error_of($$SELECT berqenas.register_remote_database('x10', 'mssql', 'h', 1, 'd', 'u', 'p', options => '[1]')$$);
SELECT pg_temp.registered() = :before_bad_input AS nothing_written;
SELECT count(*) AS secrets_rows FROM berqenas.remote_database_secrets s
  JOIN berqenas.remote_database_registry r ON r.id = s.remote_database_id
 WHERE r.name IN ('customer_erp', 'wrong_password', 'nobody_home');

-- Unknown names.
SELECT pg_temp.error_of($$SELECT berqenas.test_connection('missing')$$);
SELECT pg_temp.error_of($$SELECT berqenas.remote_db_status('missing')$$);
SELECT pg_temp.error_of($$SELECT berqenas.unregister_remote_database('missing')$$);
SELECT pg_temp.error_of($$SELECT berqenas.create_tenant('acme')$$);
SELECT pg_temp.error_of($$SELECT berqenas.create_tenant('no good')$$);

-- Unregister refuses while a foreign server still needs the database, unless cascade is given.
CREATE FOREIGN DATA WRAPPER registry_test_wrapper;
CREATE SERVER erp_server FOREIGN DATA WRAPPER registry_test_wrapper OPTIONS (remote_database 'customer_erp');
SELECT * FROM berqenas.remote_database_dependents('customer_erp');
SELECT pg_temp.error_of($$SELECT berqenas.unregister_remote_database('customer_erp')$$);
SELECT count(*) AS still_registered FROM berqenas.remote_databases WHERE name = 'customer_erp';
SELECT berqenas.unregister_remote_database('customer_erp', cascade => true);
SELECT count(*) AS servers_left FROM pg_foreign_server WHERE srvname = 'erp_server';
SELECT count(*) AS still_registered FROM berqenas.remote_databases WHERE name = 'customer_erp';
SELECT berqenas.unregister_remote_database('wrong_password');
SELECT berqenas.unregister_remote_database('nobody_home');
SELECT count(*) AS secrets_left FROM berqenas.remote_database_secrets s
  LEFT JOIN berqenas.remote_database_registry r ON r.id = s.remote_database_id
 WHERE r.id IS NULL OR r.name IN ('customer_erp', 'wrong_password', 'nobody_home');

-- The audit log saw it all, without secrets.
SELECT action, remote_database_name FROM berqenas.sync_audit_log WHERE id > :audit_before ORDER BY id;
SELECT count(*) AS audit_rows_with_password FROM berqenas.sync_audit_log
 WHERE details::text LIKE '%not-the-password%';

DROP FOREIGN DATA WRAPPER registry_test_wrapper;
DELETE FROM berqenas.sync_audit_log WHERE id > :audit_before;
DELETE FROM berqenas.tenants WHERE name = 'acme';
