-- pgTAP: the catalog's shape and its privileges, checked in a fresh database-level transaction
-- that is rolled back at the end (nothing is left behind).
BEGIN;
CREATE EXTENSION IF NOT EXISTS berqenas;
SELECT plan(38);

SELECT has_schema('berqenas');
SELECT has_table('berqenas', 'tenants', 'tenants table');
SELECT has_table('berqenas', 'remote_database_registry', 'registry table');
SELECT has_table('berqenas', 'remote_database_secrets', 'secrets table');
SELECT has_table('berqenas', 'sync_jobs', 'sync_jobs table');
SELECT has_table('berqenas', 'sync_conflicts', 'sync_conflicts table');
SELECT has_table('berqenas', 'sync_audit_log', 'sync_audit_log table');
SELECT has_view('berqenas', 'remote_databases', 'remote_databases view');
SELECT hasnt_column('berqenas', 'remote_databases', 'password', 'the view has no password column');
SELECT hasnt_column('berqenas', 'remote_databases', 'password_sealed', 'the view has no sealed password');
SELECT col_is_pk('berqenas', 'remote_database_secrets', 'remote_database_id', 'one secret per database');
SELECT fk_ok('berqenas', 'remote_database_secrets', 'remote_database_id',
             'berqenas', 'remote_database_registry', 'id');

SELECT function_returns('berqenas', 'register_remote_database',
       ARRAY['text','text','text','integer','text','text','text','text','inet','text','jsonb','bytea'], 'bigint');
SELECT function_returns('berqenas', 'test_connection', ARRAY['text'], 'jsonb');
SELECT function_returns('berqenas', 'remote_db_status', ARRAY['text'], 'jsonb');
SELECT function_returns('berqenas', 'rotate_secret_key', ARRAY[]::text[], 'jsonb');
SELECT is_definer('berqenas', 'register_remote_database',
       ARRAY['text','text','text','integer','text','text','text','text','inet','text','jsonb','bytea'],
       'register runs as the extension owner');

-- pg_dump keeps configuration and history.
SELECT set_has(
    $$SELECT c.relname::text FROM pg_extension e, unnest(e.extconfig) AS cfg(oid)
        JOIN pg_class c ON c.oid = cfg.oid WHERE e.extname = 'berqenas'$$,
    $$VALUES ('tenants'), ('remote_database_registry'), ('remote_database_secrets'), ('sync_jobs'),
             ('sync_conflicts'), ('sync_audit_log')$$,
    'config tables are dumped by pg_dump');

-- Privileges.
SELECT has_role('berqenas_admin');
SELECT ok(NOT has_schema_privilege('public', 'berqenas', 'USAGE'), 'PUBLIC cannot use the schema');
SELECT ok(has_schema_privilege('berqenas_admin', 'berqenas', 'USAGE'), 'berqenas_admin uses the schema');
SELECT ok(NOT has_table_privilege('berqenas_admin', 'berqenas.remote_database_secrets', 'SELECT'),
          'berqenas_admin cannot read secrets');
SELECT ok(has_table_privilege('berqenas_admin', 'berqenas.remote_databases', 'SELECT'),
          'berqenas_admin lists databases');
SELECT ok(NOT has_function_privilege('berqenas_admin', 'berqenas._remote_probe(bigint)', 'EXECUTE'),
          'berqenas_admin cannot call the internal probe');
SELECT ok(NOT has_function_privilege('public', 'berqenas.test_connection(text)', 'EXECUTE'),
          'PUBLIC cannot test connections');
SELECT ok(has_function_privilege('berqenas_admin',
          'berqenas.register_remote_database(text,text,text,integer,text,text,text,text,inet,text,jsonb,bytea)', 'EXECUTE'),
          'berqenas_admin registers');

-- The duplicate-name guard and the SQLSTATE contract, with pgTAP's throws_ok.
SELECT throws_ok($$SELECT berqenas.register_remote_database('tap_db', 'db2', 'h', 1, 'd', 'u', 'p')$$,
                 '22023', 'unknown database_type "db2"', 'unknown database_type is 22023');

-- Tenant scoping: row-level security on the catalog, the tenant group's grants.
SELECT ok((SELECT bool_and(c.relrowsecurity) FROM pg_class c
            WHERE c.oid IN ('berqenas.remote_database_registry'::regclass, 'berqenas.tenants'::regclass,
                            'berqenas.sync_jobs'::regclass, 'berqenas.sync_job_log'::regclass,
                            'berqenas.sync_conflicts'::regclass, 'berqenas.sync_audit_log'::regclass,
                            'berqenas.sync_configs'::regclass, 'berqenas.sync_tables'::regclass,
                            'berqenas.tenant_roles'::regclass)),
          'row-level security on every catalog table a tenant role reads');
SELECT ok((SELECT 'security_invoker=true' = ANY (c.reloptions) FROM pg_class c WHERE c.oid = 'berqenas.remote_databases'::regclass),
          'remote_databases reads as its caller');
SELECT has_role('berqenas_tenant', 'the tenant group role exists');
SELECT ok(NOT has_table_privilege('berqenas_tenant', 'berqenas.remote_database_secrets', 'SELECT'),
          'tenant roles cannot read secrets');
SELECT ok(NOT has_function_privilege('berqenas_tenant', 'berqenas.grant_tenant(regrole,text)', 'EXECUTE'),
          'tenant roles cannot grant tenants');
SELECT ok(NOT has_function_privilege('berqenas_tenant', 'berqenas.rotate_secret_key()', 'EXECUTE'),
          'tenant roles cannot rotate the key');
SELECT ok(has_function_privilege('berqenas_tenant', 'berqenas.sync(text,text[],boolean)', 'EXECUTE'),
          'tenant roles sync (their own databases)');
SELECT is_definer('berqenas', 'alter_remote_database',
       ARRAY['text','text','integer','text','text','text','bytea','text','inet','jsonb'], 'alter runs as the extension owner');
SELECT is_definer('berqenas', 'grant_tenant', ARRAY['regrole','text'], 'grant_tenant runs as the extension owner');
SELECT ok(NOT has_function_privilege('berqenas_admin', 'berqenas._seal_secret_box(bytea,bigint,boolean)', 'EXECUTE'),
          'nobody but the owner opens sealed boxes');
SELECT ok(NOT has_table_privilege('berqenas_admin', 'berqenas.sync_schemas', 'INSERT'),
          'berqenas_admin cannot claim schemas by hand');

SELECT * FROM finish();
ROLLBACK;
