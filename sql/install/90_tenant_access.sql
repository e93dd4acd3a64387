-- Part of berqenas--0.1.0.sql: tenant-scoped roles (docs/tenants.md). A role granted a tenant with
-- grant_tenant() sees and operates only that tenant's registrations, schemas, jobs, conflicts and
-- logs: every API function checks (through _remote_database_id), and row-level security filters
-- the catalog. Superusers and berqenas_admin keep the cross-tenant view.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'berqenas_tenant') THEN
        CREATE ROLE berqenas_tenant NOLOGIN;
    END IF;
END
$$;

-- Which roles act for which tenant. By name, so pg_dump/restore keeps it.
CREATE TABLE berqenas.tenant_roles (
    tenant_id  bigint NOT NULL REFERENCES berqenas.tenants (id) ON DELETE CASCADE,
    role_name  name NOT NULL,
    granted_by name NOT NULL DEFAULT session_user,
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, role_name)
);
SELECT pg_catalog.pg_extension_config_dump('berqenas.tenant_roles', '');

-- Whether the calling role (berqenas._invoker(), not a SECURITY DEFINER's owner) sees everything.
CREATE FUNCTION berqenas._is_admin() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.rolsuper OR pg_catalog.pg_has_role(r.oid, 'berqenas_admin', 'USAGE')
      FROM pg_catalog.pg_roles r WHERE r.oid = berqenas._invoker()
$$;

-- Whether the calling role may see and operate tenant tenant_id (NULL: databases without a
-- tenant, which only admins see).
CREATE FUNCTION berqenas._may_access_tenant(tenant_id bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT berqenas._is_admin()
        OR EXISTS (SELECT 1 FROM berqenas.tenant_roles tr JOIN pg_catalog.pg_roles r ON r.rolname = tr.role_name
                    WHERE tr.tenant_id = _may_access_tenant.tenant_id
                      AND pg_catalog.pg_has_role(berqenas._invoker(), r.oid, 'USAGE'))
$$;

CREATE FUNCTION berqenas._may_access_database(db_id bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT berqenas._is_admin()
        OR coalesce((SELECT berqenas._may_access_tenant(r.tenant_id) FROM berqenas.remote_database_registry r
                      WHERE r.id = db_id AND r.tenant_id IS NOT NULL), false)
$$;

CREATE FUNCTION berqenas._may_access_job(job_id bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT berqenas._is_admin()
        OR coalesce((SELECT berqenas._may_access_database(j.remote_database_id) FROM berqenas.sync_jobs j
                      WHERE j.id = job_id), false)
$$;

-- 42501 unless the calling role may operate this registration.
CREATE FUNCTION berqenas._require_access(db_id bigint, name text) RETURNS void
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT berqenas._may_access_database(db_id) THEN
        RAISE EXCEPTION 'permission denied for remote database "%"', name
            USING ERRCODE = '42501', DETAIL = format('%s may operate only its own tenant''s databases', berqenas._invoker()),
                  HINT = 'a berqenas_admin member can grant the tenant with berqenas.grant_tenant(role, tenant)';
    END IF;
END
$$;

-- 42501 unless the calling role is a superuser or berqenas_admin member.
CREATE FUNCTION berqenas._require_admin(what text) RETURNS void
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT berqenas._is_admin() THEN
        RAISE EXCEPTION 'permission denied to %', what
            USING ERRCODE = '42501', DETAIL = format('%s is a tenant role; only berqenas_admin members may', berqenas._invoker());
    END IF;
END
$$;

-- The schemas and tables through which readers see a registration's synced data: the schema
-- Berqenas created for it (USAGE) and the tables it created there (SELECT). Shared by
-- _grant_synced_reads and revoke_tenant, so granting and revoking cover the same objects.
-- only_table: that table alone, and no schema (a sync that has just created it; the schema's
-- USAGE was granted when it was claimed).
CREATE FUNCTION berqenas._synced_read_objects(db_ids bigint[], only_table oid DEFAULT NULL)
    RETURNS TABLE (privilege text, object text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT 'USAGE', 'SCHEMA ' || quote_ident(ss.schema_name) FROM berqenas.sync_schemas ss
      JOIN pg_catalog.pg_namespace n ON n.oid = ss.schema_oid AND n.nspname = ss.schema_name
     WHERE only_table IS NULL AND ss.remote_database_id = ANY (db_ids) AND ss.created_by_berqenas
    UNION ALL
    SELECT 'SELECT', st.local_table_oid::regclass::text FROM berqenas.sync_tables st
      JOIN pg_catalog.pg_class c ON c.oid = st.local_table_oid
     WHERE st.remote_database_id = ANY (db_ids) AND (only_table IS NULL OR st.local_table_oid = only_table)
$$;

-- Read access to a registration's synced data (_synced_read_objects) for berqenas_admin and every
-- role of the registration's tenant. only_table: just that newly created table (a sync calls this
-- once per table it creates; re-granting every table each time made a sync of n tables O(n^2)).
CREATE FUNCTION berqenas._grant_synced_reads(db_id bigint, only_table oid DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    readers text;
    o record;
BEGIN
    SELECT string_agg(quote_ident(x.r), ', ') INTO readers FROM (
        SELECT 'berqenas_admin'::text AS r
        UNION
        SELECT tr.role_name::text FROM berqenas.tenant_roles tr
          JOIN berqenas.remote_database_registry reg ON reg.tenant_id = tr.tenant_id
          JOIN pg_catalog.pg_roles pr ON pr.rolname = tr.role_name
         WHERE reg.id = db_id) x;
    FOR o IN SELECT * FROM berqenas._synced_read_objects(ARRAY[db_id], only_table) LOOP
        EXECUTE format('GRANT %s ON %s TO %s', o.privilege, o.object, readers);
    END LOOP;
END
$$;

CREATE FUNCTION berqenas.grant_tenant(role regrole, tenant text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    found_tenant bigint;
    db record;
BEGIN
    PERFORM berqenas._require_admin('grant a tenant');
    IF role IS NULL THEN
        RAISE EXCEPTION 'role must not be NULL' USING ERRCODE = '22023';
    END IF;
    SELECT t.id INTO found_tenant FROM berqenas.tenants t WHERE t.name = tenant;
    IF found_tenant IS NULL THEN
        RAISE EXCEPTION 'tenant "%" does not exist', coalesce(tenant, 'NULL')
            USING ERRCODE = '42704', HINT = 'create it with berqenas.create_tenant()';
    END IF;
    IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid = role) THEN
        RAISE EXCEPTION 'role "%" is a superuser: a tenant role would not limit it', role USING ERRCODE = '22023';
    END IF;
    INSERT INTO berqenas.tenant_roles (tenant_id, role_name) VALUES (found_tenant, role::text)
    ON CONFLICT DO NOTHING;
    EXECUTE format('GRANT berqenas_tenant TO %s', role);
    FOR db IN SELECT r.id FROM berqenas.remote_database_registry r WHERE r.tenant_id = found_tenant LOOP
        PERFORM berqenas._grant_synced_reads(db.id);
    END LOOP;
    PERFORM berqenas._audit('grant_tenant', NULL, NULL, jsonb_build_object('role', role::text, 'tenant', tenant));
END
$$;

CREATE FUNCTION berqenas.revoke_tenant(role regrole, tenant text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    found_tenant bigint;
    o record;
BEGIN
    PERFORM berqenas._require_admin('revoke a tenant');
    SELECT tt.id INTO found_tenant FROM berqenas.tenants tt WHERE tt.name = tenant;
    DELETE FROM berqenas.tenant_roles tr WHERE tr.tenant_id = found_tenant AND tr.role_name = role::text;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    FOR o IN SELECT * FROM berqenas._synced_read_objects(
                 ARRAY(SELECT r.id FROM berqenas.remote_database_registry r WHERE r.tenant_id = found_tenant)) LOOP
        EXECUTE format('REVOKE %s ON %s FROM %s', o.privilege, o.object, role);
    END LOOP;
    IF NOT EXISTS (SELECT 1 FROM berqenas.tenant_roles tr WHERE tr.role_name = role::text) THEN
        EXECUTE format('REVOKE berqenas_tenant FROM %s', role);
    END IF;
    PERFORM berqenas._audit('revoke_tenant', NULL, NULL, jsonb_build_object('role', role::text, 'tenant', tenant));
    RETURN true;
END
$$;

-- Row-level security: the catalog as a tenant role sees it. (The API's SECURITY DEFINER functions
-- run as the owner, which bypasses these; they check with _remote_database_id instead.)
ALTER TABLE berqenas.tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON berqenas.tenants USING (berqenas._may_access_tenant(id));
ALTER TABLE berqenas.tenant_roles ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON berqenas.tenant_roles USING (berqenas._may_access_tenant(tenant_id));
ALTER TABLE berqenas.remote_database_registry ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON berqenas.remote_database_registry USING (berqenas._may_access_database(id));
ALTER TABLE berqenas.sync_jobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON berqenas.sync_jobs USING (berqenas._may_access_database(remote_database_id));
ALTER TABLE berqenas.sync_conflicts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON berqenas.sync_conflicts USING (berqenas._may_access_database(remote_database_id));
ALTER TABLE berqenas.sync_audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON berqenas.sync_audit_log
    USING (berqenas._is_admin() OR (remote_database_id IS NOT NULL AND berqenas._may_access_database(remote_database_id)));
ALTER TABLE berqenas.sync_configs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON berqenas.sync_configs USING (berqenas._may_access_database(remote_database_id));
ALTER TABLE berqenas.sync_tables ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON berqenas.sync_tables USING (berqenas._may_access_database(remote_database_id));
ALTER TABLE berqenas.sync_job_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON berqenas.sync_job_log USING (berqenas._may_access_job(sync_job_id));

-- The views read as their caller, so the policies above apply to them too.
ALTER VIEW berqenas.remote_databases SET (security_invoker = true);
CREATE OR REPLACE VIEW berqenas.sync_progress AS
SELECT p.* FROM berqenas._sync_progress() p
 WHERE berqenas._may_access_database((SELECT r.id FROM berqenas.remote_database_registry r WHERE r.name = p.remote_database));

GRANT SELECT ON berqenas.remote_database_registry, berqenas.tenants TO berqenas_admin;
GRANT SELECT ON berqenas.tenant_roles TO berqenas_admin;
GRANT EXECUTE ON FUNCTION berqenas.grant_tenant(regrole, text), berqenas.revoke_tenant(regrole, text) TO berqenas_admin;

-- What a tenant role may run and read (filtered above). Not: create_tenant, grant_tenant,
-- rotate_secret_key, prune_journal (cross-tenant by nature).
GRANT USAGE ON SCHEMA berqenas TO berqenas_tenant;
GRANT USAGE ON FOREIGN DATA WRAPPER berqenas_fdw TO berqenas_tenant;
GRANT SELECT ON berqenas.remote_databases, berqenas.remote_database_registry, berqenas.tenants, berqenas.tenant_roles,
                berqenas.sync_jobs, berqenas.sync_conflicts, berqenas.sync_audit_log, berqenas.sync_configs,
                berqenas.sync_tables, berqenas.sync_job_log, berqenas.sync_progress
    TO berqenas_tenant;
GRANT EXECUTE ON FUNCTION
    berqenas.register_remote_database(text, text, text, integer, text, text, text, text, inet, text, jsonb, bytea),
    berqenas.sealing_key(),
    berqenas.test_connection(text),
    berqenas.remote_database_dependents(text),
    berqenas.unregister_remote_database(text, boolean, boolean),
    berqenas.alter_remote_database(text, text, integer, text, text, text, bytea, text, inet, jsonb),
    berqenas.remote_db_status(text),
    berqenas.configure_sync(text, text, text[], text, text, text, text),
    berqenas.sync(text, text[], boolean),
    berqenas.sync_status(text),
    berqenas.sync_history(text, integer),
    berqenas.sync_logs(text, integer, text),
    berqenas.verify(text, text[]),
    berqenas.rollback(text, boolean),
    berqenas.sync_disconnect(),
    berqenas.schedule_sync(text, text),
    berqenas.unschedule_sync(text),
    berqenas.attach(text, text),
    berqenas._audit_attach(text, text),
    berqenas._remote_database_id(text),
    berqenas._sync_progress(),
    berqenas._is_admin(),
    berqenas._may_access_tenant(bigint),
    berqenas._may_access_database(bigint),
    berqenas._may_access_job(bigint),
    berqenas._invoker(),
    berqenas.fdw_connections(),
    berqenas.fdw_disconnect(text),
    berqenas.fdw_execute(text, text)
    TO berqenas_tenant;
GRANT EXECUTE ON FUNCTION berqenas._is_admin(), berqenas._may_access_tenant(bigint), berqenas._may_access_database(bigint),
                          berqenas._may_access_job(bigint), berqenas._invoker()
    TO berqenas_admin;
