-- Part of berqenas--0.1.0.sql: berqenas_fdw (see docs/fdw.md).

CREATE FUNCTION berqenas.fdw_handler() RETURNS fdw_handler
    LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'berqenas_fdw_handler';
CREATE FUNCTION berqenas.fdw_validator(text[], oid) RETURNS void
    LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'berqenas_fdw_validator';

CREATE FOREIGN DATA WRAPPER berqenas_fdw
    HANDLER berqenas.fdw_handler
    VALIDATOR berqenas.fdw_validator;

-- Open connections of this backend, one per server and user.
CREATE FUNCTION berqenas.fdw_connections()
    RETURNS TABLE (server_name text, user_name text, database_type text, valid boolean, in_transaction boolean)
    LANGUAGE c STRICT VOLATILE AS 'MODULE_PATHNAME', 'berqenas_fdw_connections';
-- Closes this backend's connections to a server; false when none was open.
CREATE FUNCTION berqenas.fdw_disconnect(server_name text) RETURNS boolean
    LANGUAGE c STRICT VOLATILE AS 'MODULE_PATHNAME', 'berqenas_fdw_disconnect';

-- Runs one statement on a server's remote, inside the remote transaction that follows this one
-- (it commits or rolls back with it). Returns the affected row count.
CREATE FUNCTION berqenas.fdw_execute(server_name text, statement text) RETURNS bigint
    LANGUAGE c STRICT VOLATILE AS 'MODULE_PATHNAME', 'berqenas_fdw_execute';

-- One call from a registered database to queryable tables: a server named after it, and its
-- remote schema imported into remote_<name>_fdw (or local_schema). Returns the schema.
CREATE FUNCTION berqenas.attach(name text, local_schema text DEFAULT NULL) RETURNS text
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    db_id bigint := berqenas._remote_database_id(name);
    target text := coalesce(local_schema, 'remote_' || name || '_fdw');
    db record;
    existing text[];
BEGIN
    SELECT r.database_type, r.schema INTO db FROM berqenas.remote_databases r WHERE r.id = db_id;
    SELECT s.srvoptions INTO existing FROM pg_catalog.pg_foreign_server s WHERE s.srvname = attach.name;
    IF NOT FOUND THEN
        EXECUTE format('CREATE SERVER %I FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database %L)', name, name);
    ELSIF existing IS NULL OR NOT (('remote_database=' || name) = ANY (existing)) THEN
        RAISE EXCEPTION 'server "%" already exists and does not name remote database "%"', name, name
            USING ERRCODE = '42710', HINT = 'drop or rename that server, then attach again';
    END IF;
    -- Not CREATE SCHEMA IF NOT EXISTS: it asks for CREATE on the database even when the schema exists.
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname = target) THEN
        EXECUTE format('CREATE SCHEMA %I', target);
    END IF;
    EXECUTE format('IMPORT FOREIGN SCHEMA %I FROM SERVER %I INTO %I',
                   coalesce(nullif(db.schema, ''), CASE db.database_type WHEN 'mssql' THEN 'dbo' ELSE 'public' END),
                   name, target);
    PERFORM berqenas._audit_attach(name, target);
    RETURN target;
END
$$;

-- attach runs as its caller (the server and foreign tables are hers); its audit row is written
-- here, as the owner, and only for a server of that name the caller owns.
CREATE FUNCTION berqenas._audit_attach(name text, local_schema text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_server s
                    WHERE s.srvname = _audit_attach.name
                      AND pg_catalog.pg_has_role(berqenas._invoker(), s.srvowner, 'USAGE')) THEN
        RAISE EXCEPTION 'permission denied for foreign server "%"', name USING ERRCODE = '42501';
    END IF;
    PERFORM berqenas._audit('attach', berqenas._remote_database_id(name), name,
                            jsonb_build_object('local_schema', local_schema));
END
$$;

GRANT USAGE ON FOREIGN DATA WRAPPER berqenas_fdw TO berqenas_admin;
GRANT EXECUTE ON FUNCTION
    berqenas.fdw_connections(),
    berqenas.fdw_disconnect(text),
    berqenas.fdw_execute(text, text),
    berqenas.attach(text, text),
    berqenas._audit_attach(text, text),
    berqenas._remote_database_id(text)
    TO berqenas_admin;
