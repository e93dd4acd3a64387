-- Part of berqenas--0.1.0.sql: changing a registration in place (docs/registry.md "Changing a
-- registration"): a new password, host or port without unregistering, which would delete the
-- sync history.

-- Only the arguments given (not NULL) change; the rest stays. password and password_sealed as in
-- register_remote_database (the sealed box keeps the password out of SQL text). Kept remote
-- connections notice: the FDW's servers naming the database are invalidated in every backend,
-- and a sync's kept connection is reused only for the same address and credentials. Returns the
-- names of the fields that changed.
CREATE FUNCTION berqenas.alter_remote_database(
    name text, host text DEFAULT NULL, port integer DEFAULT NULL, database_name text DEFAULT NULL,
    username text DEFAULT NULL, password text DEFAULT NULL, password_sealed bytea DEFAULT NULL,
    schema text DEFAULT NULL, wireguard_ip inet DEFAULT NULL, options jsonb DEFAULT NULL) RETURNS text[]
    LANGUAGE plpgsql SECURITY DEFINER
    -- The statement text may hold the password: never echo it into the server log on error.
    SET log_min_error_statement = panic
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
    old berqenas.remote_database_registry;
    caller_is_superuser boolean := (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid = berqenas._invoker());
    changed text[] := '{}';
    srv record;
BEGIN
    SELECT * INTO old FROM berqenas.remote_database_registry r WHERE r.id = db_id FOR UPDATE;
    PERFORM berqenas._check_connection_fields(host, port, database_name, username, password, password_sealed,
                                              options, caller_is_superuser);
    IF num_nonnulls(host, port, database_name, username, password, password_sealed, schema, wireguard_ip, options) = 0 THEN
        RAISE EXCEPTION 'nothing to change for remote database "%"', name USING ERRCODE = '22023',
            HINT = 'give at least one of host, port, database_name, username, password, password_sealed, schema, wireguard_ip, options';
    END IF;

    IF host IS NOT NULL AND btrim(host) IS DISTINCT FROM old.host THEN changed := changed || 'host'::text; END IF;
    IF port IS DISTINCT FROM old.port AND port IS NOT NULL THEN changed := changed || 'port'::text; END IF;
    IF database_name IS DISTINCT FROM old.database_name AND database_name IS NOT NULL THEN changed := changed || 'database_name'::text; END IF;
    IF username IS DISTINCT FROM old.username AND username IS NOT NULL THEN changed := changed || 'username'::text; END IF;
    IF schema IS DISTINCT FROM old.schema_name AND schema IS NOT NULL THEN changed := changed || 'schema'::text; END IF;
    IF wireguard_ip IS DISTINCT FROM old.wireguard_ip AND wireguard_ip IS NOT NULL THEN changed := changed || 'wireguard_ip'::text; END IF;
    IF options IS DISTINCT FROM old.options AND options IS NOT NULL THEN changed := changed || 'options'::text; END IF;
    IF password IS NOT NULL OR password_sealed IS NOT NULL THEN changed := changed || 'password'::text; END IF;
    -- A changed remote schema would sync other tables into the same local ones.
    IF 'schema' = ANY (changed) AND EXISTS (SELECT 1 FROM berqenas.sync_tables t WHERE t.remote_database_id = db_id) THEN
        RAISE EXCEPTION 'remote database "%" has synced tables from schema "%"', name, coalesce(old.schema_name, '(default)')
            USING ERRCODE = '55000', HINT = 'unregister it (drop_data => true) and register it again to sync another schema';
    END IF;

    UPDATE berqenas.remote_database_registry r
       SET host = coalesce(btrim(alter_remote_database.host), r.host),
           port = coalesce(alter_remote_database.port, r.port),
           database_name = coalesce(alter_remote_database.database_name, r.database_name),
           username = coalesce(alter_remote_database.username, r.username),
           schema_name = coalesce(alter_remote_database.schema, r.schema_name),
           wireguard_ip = coalesce(alter_remote_database.wireguard_ip, r.wireguard_ip),
           options = coalesce(alter_remote_database.options, r.options),
           -- A non-superuser's change makes every later connection authenticate with the password.
           password_required = r.password_required OR NOT caller_is_superuser,
           updated_at = now(),
           last_test_at = NULL, last_test_ok = NULL, last_test_latency_ms = NULL, last_test_error = NULL
     WHERE r.id = db_id;
    IF password IS NOT NULL OR password_sealed IS NOT NULL THEN
        LOCK TABLE berqenas.remote_database_secrets IN ROW EXCLUSIVE MODE;   -- waits for a key rotation
        UPDATE berqenas.remote_database_secrets s
           SET password_sealed = x.sealed,
               key_id = (get_byte(x.sealed, 1) << 24) | (get_byte(x.sealed, 2) << 16) | (get_byte(x.sealed, 3) << 8) | get_byte(x.sealed, 4),
               updated_at = now()
          FROM (SELECT CASE WHEN alter_remote_database.password_sealed IS NULL THEN berqenas._seal_secret(alter_remote_database.password, db_id)
                            ELSE berqenas._seal_secret_box(alter_remote_database.password_sealed, db_id, caller_is_superuser) END) AS x(sealed)
         WHERE s.remote_database_id = db_id;
    END IF;
    -- Every backend drops its FDW connections to these servers (a no-op option change invalidates them).
    FOR srv IN SELECT s.srvname FROM pg_catalog.pg_foreign_server s
                WHERE ('remote_database=' || name) = ANY (s.srvoptions) LOOP
        EXECUTE format('ALTER SERVER %I OPTIONS (SET remote_database %L)', srv.srvname, name);
    END LOOP;
    PERFORM berqenas._audit('alter', db_id, name,
                            jsonb_build_object('changed', to_jsonb(changed), 'host', host, 'port', port,
                                               'database_name', database_name, 'username', username,
                                               'schema', schema, 'wireguard_ip', wireguard_ip));
    RETURN changed;
END
$$;

GRANT EXECUTE ON FUNCTION
    berqenas.alter_remote_database(text, text, integer, text, text, text, bytea, text, inet, jsonb)
    TO berqenas_admin;
