-- Part of berqenas--0.1.0.sql: catalog, registry and secrets.

-- The role that may administer Berqenas without being superuser. Roles are cluster-wide, so it
-- may exist already (another database, an earlier install).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'berqenas_admin') THEN
        CREATE ROLE berqenas_admin NOLOGIN;
    END IF;
END
$$;

REVOKE ALL ON SCHEMA berqenas FROM PUBLIC;
GRANT USAGE ON SCHEMA berqenas TO berqenas_admin;

------------------------------------------------------------------------------------------------
-- Catalog tables
------------------------------------------------------------------------------------------------

CREATE TABLE berqenas.tenants (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$'),
    vpn_enabled boolean NOT NULL DEFAULT false,
    options     jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE berqenas.remote_database_registry (
    id                   bigserial PRIMARY KEY,
    name                 text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$'),
    database_type        text NOT NULL CHECK (database_type IN ('mssql', 'postgresql')),
    host                 text NOT NULL CHECK (host <> ''),
    port                 integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
    database_name        text NOT NULL CHECK (database_name <> ''),
    username             text NOT NULL CHECK (username <> ''),
    schema_name          text,
    wireguard_ip         inet,
    tenant_id            bigint REFERENCES berqenas.tenants (id),
    options              jsonb NOT NULL DEFAULT '{}',
    -- Registered (or last changed) by a non-superuser: every connection must use the password.
    password_required    boolean NOT NULL DEFAULT true,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    -- Reachability, as last measured by test_connection().
    last_test_at         timestamptz,
    last_test_ok         boolean,
    last_test_latency_ms double precision,
    last_test_error      text,
    last_server_version  text
);

-- Sealed passwords (XChaCha20-Poly1305, see docs/secrets.md). Nobody but the extension's owner
-- can read this table; only C code holding the key file opens its contents, and only to connect.
CREATE TABLE berqenas.remote_database_secrets (
    remote_database_id bigint PRIMARY KEY
                       REFERENCES berqenas.remote_database_registry (id) ON DELETE CASCADE,
    password_sealed    bytea NOT NULL,
    key_id             integer NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE berqenas.sync_jobs (
    id                 bigserial PRIMARY KEY,
    sync_id            text NOT NULL UNIQUE,
    remote_database_id bigint NOT NULL REFERENCES berqenas.remote_database_registry (id) ON DELETE CASCADE,
    mode               text NOT NULL,
    status             text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'rolled_back')),
    started_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at        timestamptz,
    tables             jsonb NOT NULL DEFAULT '{}',
    records_synced     bigint NOT NULL DEFAULT 0,
    bytes_synced       bigint NOT NULL DEFAULT 0,
    error              text,
    error_sqlstate     text
);
CREATE INDEX ON berqenas.sync_jobs (remote_database_id, started_at DESC);

CREATE TABLE berqenas.sync_conflicts (
    id                 bigserial PRIMARY KEY,
    remote_database_id bigint NOT NULL REFERENCES berqenas.remote_database_registry (id) ON DELETE CASCADE,
    sync_job_id        bigint REFERENCES berqenas.sync_jobs (id) ON DELETE SET NULL,
    table_name         text NOT NULL,
    primary_key        jsonb NOT NULL,
    cloud_row          jsonb,
    local_row          jsonb,
    cloud_hash         text,
    local_hash         text,
    strategy           text NOT NULL CHECK (strategy IN ('latest_wins', 'cloud_wins', 'local_wins', 'manual')),
    resolution         text,          -- the strategy that decided it, 'manual', or 'converged' (both sides became equal)
    status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    detected_at        timestamptz NOT NULL DEFAULT now(),
    resolved_at        timestamptz,
    sync_table_id      bigint,        -- berqenas.sync_tables (a foreign key there: 30_sync.sql)
    winner             text CHECK (winner IN ('cloud', 'local')),
    chosen_winner      text CHECK (chosen_winner IN ('cloud', 'local')),   -- resolve_conflict's choice, until applied
    resolved_by        name
);
CREATE INDEX ON berqenas.sync_conflicts (remote_database_id, detected_at DESC);

-- Who did what to which remote database. No foreign key: the history outlives the registration.
CREATE TABLE berqenas.sync_audit_log (
    id                   bigserial PRIMARY KEY,
    at                   timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor                name NOT NULL DEFAULT session_user,
    action               text NOT NULL,
    remote_database_id   bigint,
    remote_database_name text,
    details              jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ON berqenas.sync_audit_log (remote_database_id, at DESC);

-- pg_dump keeps the configuration and history (secrets only as ciphertext).
SELECT pg_catalog.pg_extension_config_dump('berqenas.tenants', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.tenants_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.remote_database_registry', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.remote_database_registry_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.remote_database_secrets', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_jobs', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_jobs_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_conflicts', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_conflicts_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('berqenas.sync_audit_log_id_seq', '');

-- What a user lists: every registered database, never a secret.
CREATE VIEW berqenas.remote_databases AS
SELECT r.id, r.name, r.database_type, r.host, r.port, r.database_name, r.username,
       r.schema_name AS schema, r.wireguard_ip, t.name AS tenant, r.options,
       r.created_at, r.last_test_at, r.last_test_ok, r.last_test_latency_ms, r.last_test_error
  FROM berqenas.remote_database_registry r
  LEFT JOIN berqenas.tenants t ON t.id = r.tenant_id;

------------------------------------------------------------------------------------------------
-- Internal C functions: only the extension owner runs them (through the SECURITY DEFINER
-- functions below).
------------------------------------------------------------------------------------------------

CREATE FUNCTION berqenas._seal_secret(plaintext text, remote_database_id bigint) RETURNS bytea
    LANGUAGE c STRICT VOLATILE AS 'MODULE_PATHNAME', 'berqenas_seal_secret';
CREATE FUNCTION berqenas._seal_secret_box(box bytea, remote_database_id bigint, allow_empty boolean) RETURNS bytea
    LANGUAGE c STRICT VOLATILE AS 'MODULE_PATHNAME', 'berqenas_seal_secret_box';
REVOKE ALL ON FUNCTION berqenas._seal_secret_box(bytea, bigint, boolean) FROM PUBLIC;
-- The X25519 public key (hex) to seal a password for: register_remote_database(..., password =>
-- NULL, password_sealed => crypto_box_seal(password, key)) keeps the password out of SQL text.
CREATE FUNCTION berqenas.sealing_key() RETURNS text
    LANGUAGE c STRICT VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'berqenas_sealing_key';
CREATE FUNCTION berqenas._remote_probe(remote_database_id bigint) RETURNS jsonb
    LANGUAGE c STRICT VOLATILE AS 'MODULE_PATHNAME', 'berqenas_remote_probe';
-- The role that called into Berqenas (current_user before any SECURITY DEFINER function ran):
-- ownership checks compare against it, never against the definer.
CREATE FUNCTION berqenas._invoker() RETURNS regrole
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'berqenas_invoker';
REVOKE ALL ON FUNCTION berqenas._seal_secret(text, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION berqenas._remote_probe(bigint) FROM PUBLIC;

-- Looks a registered database up by name; 42704 with a pointer to the list when missing.
CREATE FUNCTION berqenas._remote_database_id(name text) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    found_id bigint;
BEGIN
    SELECT r.id INTO found_id FROM berqenas.remote_database_registry r WHERE r.name = _remote_database_id.name;
    IF found_id IS NULL THEN
        RAISE EXCEPTION 'remote database "%" is not registered', name
            USING ERRCODE = '42704', HINT = 'see berqenas.remote_databases';
    END IF;
    -- Every API function looks its database up here: a tenant role reaches only its tenant's.
    PERFORM berqenas._require_access(found_id, name);
    RETURN found_id;
END
$$;

-- The checks register_remote_database and alter_remote_database share, on the values given (NULL:
-- not given); 22023 naming the field.
CREATE FUNCTION berqenas._check_connection_fields(host text, port integer, database_name text, username text,
                                                  password text, password_sealed bytea, options jsonb,
                                                  caller_is_superuser boolean) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF btrim(host) = '' THEN
        RAISE EXCEPTION 'host must not be empty' USING ERRCODE = '22023';
    END IF;
    IF port NOT BETWEEN 1 AND 65535 THEN
        RAISE EXCEPTION 'port % is outside 1..65535', port USING ERRCODE = '22023';
    END IF;
    IF database_name = '' THEN
        RAISE EXCEPTION 'database_name must not be empty' USING ERRCODE = '22023';
    END IF;
    IF username = '' THEN
        RAISE EXCEPTION 'username must not be empty' USING ERRCODE = '22023';
    END IF;
    IF password IS NOT NULL AND password_sealed IS NOT NULL THEN
        RAISE EXCEPTION 'give password or password_sealed, not both' USING ERRCODE = '22023';
    END IF;
    IF password = '' AND NOT caller_is_superuser THEN
        RAISE EXCEPTION 'password must not be empty' USING ERRCODE = '22023',
            DETAIL = 'a non-superuser''s remote connections must authenticate with a password';
    END IF;
    IF jsonb_typeof(options) <> 'object' THEN
        RAISE EXCEPTION 'options must be a JSON object' USING ERRCODE = '22023';
    END IF;
END
$$;

CREATE FUNCTION berqenas._audit(action text, remote_database_id bigint, remote_database_name text,
                                details jsonb DEFAULT '{}') RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO berqenas.sync_audit_log (action, remote_database_id, remote_database_name, details)
    VALUES (action, remote_database_id, remote_database_name, details);
$$;

------------------------------------------------------------------------------------------------
-- Registry API
------------------------------------------------------------------------------------------------

CREATE FUNCTION berqenas.register_remote_database(
    name text, database_type text, host text, port integer, database_name text,
    username text, password text, schema text DEFAULT NULL, wireguard_ip inet DEFAULT NULL,
    tenant text DEFAULT NULL, options jsonb DEFAULT '{}', password_sealed bytea DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    -- The statement text holds the password: never echo it into the server log on error.
    SET log_min_error_statement = panic
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    new_id bigint;
    found_tenant bigint;
    caller_is_superuser boolean := (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid = berqenas._invoker());
    n_tenants bigint;
BEGIN
    IF name IS NULL OR name = '' THEN
        RAISE EXCEPTION 'remote database name must not be empty' USING ERRCODE = '22023';
    END IF;
    IF name !~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$' THEN
        RAISE EXCEPTION 'remote database name "%" is not a plain identifier', name
            USING ERRCODE = '22023',
                  HINT = 'use letters, digits and underscores, starting with a letter or underscore (at most 63)';
    END IF;
    IF database_type IS NULL OR database_type NOT IN ('mssql', 'postgresql') THEN
        RAISE EXCEPTION 'unknown database_type "%"', coalesce(database_type, 'NULL')
            USING ERRCODE = '22023', HINT = 'database_type must be "mssql" or "postgresql"';
    END IF;
    IF password IS NULL AND password_sealed IS NULL THEN
        RAISE EXCEPTION 'password must not be null (use '''' for none)' USING ERRCODE = '22023',
            HINT = 'or pass password => NULL, password_sealed => a sealed box for berqenas.sealing_key()';
    END IF;
    -- Everything is required here: NULL is checked as empty.
    PERFORM berqenas._check_connection_fields(coalesce(host, ''), coalesce(port, 0), coalesce(database_name, ''),
                                              coalesce(username, ''), password, password_sealed,
                                              coalesce(options, 'null'), caller_is_superuser);
    -- A tenant role registers for its own tenant only (named, or implied when it has one).
    IF tenant IS NULL AND NOT berqenas._is_admin() THEN
        SELECT min(t.name), count(*) INTO tenant, n_tenants FROM berqenas.tenants t WHERE berqenas._may_access_tenant(t.id);
        IF n_tenants <> 1 THEN
            RAISE EXCEPTION 'name the tenant to register remote database "%" for', name
                USING ERRCODE = '22023', HINT = 'tenant => one of your tenants (see berqenas.tenants)';
        END IF;
    END IF;
    IF tenant IS NOT NULL THEN
        SELECT t.id INTO found_tenant FROM berqenas.tenants t WHERE t.name = tenant;
        IF found_tenant IS NULL THEN
            RAISE EXCEPTION 'tenant "%" does not exist', tenant
                USING ERRCODE = '42704', HINT = 'create it with berqenas.create_tenant()';
        END IF;
        IF NOT berqenas._may_access_tenant(found_tenant) THEN
            RAISE EXCEPTION 'permission denied for tenant "%"', tenant
                USING ERRCODE = '42501', DETAIL = format('%s may register only for its own tenant', berqenas._invoker());
        END IF;
    END IF;
    IF EXISTS (SELECT 1 FROM berqenas.remote_database_registry r WHERE r.name = register_remote_database.name) THEN
        RAISE EXCEPTION 'remote database "%" is already registered', name
            USING ERRCODE = '23505', HINT = 'unregister it first, or pick another name';
    END IF;

    -- Sealing waits for a running key rotation (see rotate_secret_key).
    LOCK TABLE berqenas.remote_database_secrets IN ROW EXCLUSIVE MODE;
    new_id := nextval('berqenas.remote_database_registry_id_seq');
    INSERT INTO berqenas.remote_database_registry
        (id, name, database_type, host, port, database_name, username, schema_name, wireguard_ip, tenant_id, options,
         password_required)
    VALUES (new_id, name, database_type, btrim(host), port, database_name, username, schema, wireguard_ip,
            found_tenant, options, NOT caller_is_superuser);
    INSERT INTO berqenas.remote_database_secrets (remote_database_id, password_sealed, key_id)
    SELECT new_id, sealed, (get_byte(sealed, 1) << 24) | (get_byte(sealed, 2) << 16)
                           | (get_byte(sealed, 3) << 8) | get_byte(sealed, 4)
      FROM (SELECT CASE WHEN password_sealed IS NULL THEN berqenas._seal_secret(password, new_id)
                        ELSE berqenas._seal_secret_box(password_sealed, new_id, caller_is_superuser) END) AS s(sealed);
    PERFORM berqenas._audit('register', new_id, name,
                            jsonb_build_object('database_type', database_type, 'host', host, 'port', port,
                                               'database_name', database_name, 'tenant', tenant));
    RETURN new_id;
END
$$;

CREATE FUNCTION berqenas.test_connection(name text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
    probe jsonb;
BEGIN
    probe := berqenas._remote_probe(db_id);
    UPDATE berqenas.remote_database_registry r
       SET last_test_at = clock_timestamp(),
           last_test_ok = (probe ->> 'ok')::boolean,
           last_test_latency_ms = (probe ->> 'latency_ms')::double precision,
           last_test_error = probe ->> 'error',
           last_server_version = coalesce(probe ->> 'server_version', r.last_server_version)
     WHERE r.id = db_id;
    PERFORM berqenas._audit('test_connection', db_id, name, probe);
    RETURN probe;
END
$$;

-- Everything that still needs a remote database. Later features add their rows here.
CREATE FUNCTION berqenas.remote_database_dependents(name text)
    RETURNS TABLE (kind text, object text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM berqenas._remote_database_id(name);
    RETURN QUERY
        SELECT 'foreign server'::text, s.srvname::text
          FROM pg_foreign_server s
         WHERE ('remote_database=' || name) = ANY (s.srvoptions);
    -- Only the jobs schedule_sync made: its name and its command.
    IF to_regclass('cron.job') IS NOT NULL THEN
        RETURN QUERY EXECUTE
            'SELECT ''schedule''::text, jobname::text FROM cron.job WHERE jobname = $1 AND command = $2'
            USING 'berqenas_' || name, format('SELECT berqenas.sync(%L)', name);
    END IF;
END
$$;

-- drop_data: also drop the local tables Berqenas created for it (only those: sync_tables'
-- recorded oids), and its schema when Berqenas created it and nothing else is left in it. Without
-- drop_data those tables and the schema stay, as plain tables nobody syncs any more.
CREATE FUNCTION berqenas.unregister_remote_database(name text, "cascade" boolean DEFAULT false,
                                                    drop_data boolean DEFAULT false) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
    caller regrole := berqenas._invoker();
    dep record;
    needed text;
    dropped text[] := '{}';
    claim record;
BEGIN
    SELECT string_agg(format('%s %s', d.kind, d.object), ', ') INTO needed
      FROM berqenas.remote_database_dependents(name) d;
    IF needed IS NOT NULL AND NOT "cascade" THEN
        RAISE EXCEPTION 'cannot unregister remote database "%" because other objects depend on it', name
            USING ERRCODE = '2BP01', DETAIL = needed || ' still need it',
                  HINT = 'use berqenas.unregister_remote_database(name, cascade => true) to remove them too';
    END IF;
    -- This function runs as the extension's owner: it drops only what the caller could drop
    -- herself (a server and the foreign tables on it whose owners' privileges she holds), never
    -- another role's objects; anything else is 42501, naming it, before anything is dropped.
    IF "cascade" THEN
        SELECT format('%s %s', d.what, d.obj), d.owner INTO dep FROM (
            SELECT 'foreign server' AS what, quote_ident(s.srvname) AS obj, s.srvowner::regrole AS owner, 1 AS ord
              FROM pg_catalog.pg_foreign_server s
             WHERE ('remote_database=' || name) = ANY (s.srvoptions)
               AND NOT pg_catalog.pg_has_role(caller, s.srvowner, 'USAGE')
            UNION ALL
            SELECT 'foreign table', c.oid::regclass::text, c.relowner::regrole, 2
              FROM pg_catalog.pg_foreign_server s
              JOIN pg_catalog.pg_foreign_table ft ON ft.ftserver = s.oid
              JOIN pg_catalog.pg_class c ON c.oid = ft.ftrelid
             WHERE ('remote_database=' || name) = ANY (s.srvoptions)
               AND NOT pg_catalog.pg_has_role(caller, c.relowner, 'USAGE')) d
         ORDER BY d.ord, d.obj LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'permission denied to drop % (owned by %)', dep.format, dep.owner
                USING ERRCODE = '42501',
                      DETAIL = format('unregister_remote_database(cascade => true) drops only objects you own; you are %s', caller),
                      HINT = 'its owner must drop it first';
        END IF;
    END IF;
    FOR dep IN SELECT * FROM berqenas.remote_database_dependents(name) LOOP
        IF dep.kind = 'foreign server' THEN
            EXECUTE format('DROP SERVER %I CASCADE', dep.object);
        ELSIF dep.kind = 'schedule' THEN
            EXECUTE 'SELECT cron.unschedule($1)' USING dep.object;
        END IF;
    END LOOP;
    IF drop_data THEN
        -- (A user's view on a synced table makes this fail with 2BP01, and nothing is dropped.)
        FOR dep IN SELECT st.local_table_oid::regclass AS rel FROM berqenas.sync_tables st
                     JOIN pg_catalog.pg_class c ON c.oid = st.local_table_oid
                     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE st.remote_database_id = db_id AND n.nspname = st.local_schema AND c.relname = st.local_table LOOP
            dropped := dropped || dep.rel::text;
            EXECUTE format('DROP TABLE %s', dep.rel);
        END LOOP;
        SELECT ss.schema_name, ss.schema_oid INTO claim FROM berqenas.sync_schemas ss
         WHERE ss.remote_database_id = db_id AND ss.created_by_berqenas;
        IF claim.schema_oid IS NOT NULL
           AND EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.oid = claim.schema_oid AND n.nspname = claim.schema_name)
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = claim.schema_oid)
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p WHERE p.pronamespace = claim.schema_oid)
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type t WHERE t.typnamespace = claim.schema_oid) THEN
            EXECUTE format('DROP SCHEMA %I', claim.schema_name);
            DELETE FROM berqenas.sync_schemas ss WHERE ss.schema_name = claim.schema_name;
            dropped := dropped || format('schema %I', claim.schema_name);
        END IF;
    END IF;
    DELETE FROM berqenas.remote_database_registry r WHERE r.id = db_id;
    PERFORM berqenas._audit('unregister', db_id, name, jsonb_build_object('cascade', "cascade", 'removed', needed,
                                                                          'drop_data', drop_data, 'dropped', to_jsonb(dropped)));
END
$$;

CREATE FUNCTION berqenas.remote_db_status(name text) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
    result jsonb;
BEGIN
    SELECT jsonb_build_object(
               'name', r.name,
               'database_type', r.database_type,
               'host', r.host,
               'port', r.port,
               'database_name', r.database_name,
               'schema', r.schema_name,
               'wireguard_ip', r.wireguard_ip,
               'tenant', t.name,
               'registered_at', r.created_at,
               'reachability', CASE WHEN r.last_test_at IS NULL THEN NULL ELSE jsonb_build_object(
                   'last_test_at', r.last_test_at,
                   'ok', r.last_test_ok,
                   'latency_ms', r.last_test_latency_ms,
                   'error', r.last_test_error,
                   'server_version', r.last_server_version) END,
               'last_sync', (SELECT jsonb_build_object('sync_id', j.sync_id, 'mode', j.mode, 'status', j.status,
                                                       'started_at', j.started_at, 'finished_at', j.finished_at,
                                                       'records_synced', j.records_synced, 'error', j.error)
                               FROM berqenas.sync_jobs j WHERE j.remote_database_id = r.id
                              ORDER BY j.started_at DESC, j.id DESC LIMIT 1),
               'sync_count', (SELECT count(*) FROM berqenas.sync_jobs j WHERE j.remote_database_id = r.id),
               'error_count', (SELECT count(*) FROM berqenas.sync_jobs j
                                WHERE j.remote_database_id = r.id AND j.status = 'failed')
                            + (SELECT count(*) FROM berqenas.sync_audit_log a
                                WHERE a.remote_database_id = r.id AND a.action = 'test_connection'
                                  AND (a.details ->> 'ok')::boolean IS FALSE))
      INTO result
      FROM berqenas.remote_database_registry r
      LEFT JOIN berqenas.tenants t ON t.id = r.tenant_id
     WHERE r.id = db_id;
    RETURN result;
END
$$;

CREATE FUNCTION berqenas.create_tenant(name text, vpn_enabled boolean DEFAULT false) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    new_id bigint;
BEGIN
    IF name IS NULL OR name !~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$' THEN
        RAISE EXCEPTION 'tenant name "%" is not a plain identifier', coalesce(name, 'NULL') USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM berqenas.tenants t WHERE t.name = create_tenant.name) THEN
        RAISE EXCEPTION 'tenant "%" already exists', name USING ERRCODE = '23505';
    END IF;
    INSERT INTO berqenas.tenants (name, vpn_enabled) VALUES (name, vpn_enabled) RETURNING id INTO new_id;
    PERFORM berqenas._audit('create_tenant', NULL, NULL, jsonb_build_object('tenant', name));
    RETURN new_id;
END
$$;

CREATE FUNCTION berqenas.rotate_secret_key() RETURNS jsonb
    LANGUAGE c VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'berqenas_rotate_secret_key';


-- berqenas_admin runs the registry API and reads everything but secrets (PUBLIC: see 99_privileges).
GRANT SELECT ON berqenas.remote_databases, berqenas.tenants, berqenas.sync_jobs,
                berqenas.sync_conflicts, berqenas.sync_audit_log TO berqenas_admin;
GRANT EXECUTE ON FUNCTION
    berqenas.register_remote_database(text, text, text, integer, text, text, text, text, inet, text, jsonb, bytea),
    berqenas.sealing_key(),
    berqenas.test_connection(text),
    berqenas.remote_database_dependents(text),
    berqenas.unregister_remote_database(text, boolean, boolean),
    berqenas.remote_db_status(text),
    berqenas.create_tenant(text, boolean),
    berqenas.rotate_secret_key()
    TO berqenas_admin;
