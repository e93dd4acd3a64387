#!/usr/bin/env bash
# Privilege and ownership, tried as an attacker would: a berqenas_admin member who is not a
# superuser must not reach superuser through a sync into pg_cron's schema, must not replace
# another user's tables or another registration's, and unregister(cascade) must not drop objects
# she does not own. Every refusal is 42501 naming the object.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
trap cluster_cleanup EXIT
cluster_start cloud "shared_preload_libraries = 'berqenas,pg_cron'" "cron.database_name = 'postgres'" \
    "max_worker_processes = 32" "cron.use_background_workers = on"
cluster_start onprem
cloud() { cluster_psql cloud -At "$@"; }
onprem() { cluster_psql onprem -At "$@"; }
. test/lib/expect.sh
# psql as mallory, a berqenas_admin member; prints the first error line (with its SQLSTATE).
as_mallory() { PGPASSWORD=mallory-pw psql -X -q -At -h 127.0.0.1 -p "$cloud_PORT" -U mallory -d postgres \
                   -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "$@"; }
mallory_error() { as_mallory -c "\\set VERBOSITY verbose" -c "$1" 2>&1 >/dev/null | grep -m1 ERROR || true; }

cloud -c "CREATE EXTENSION pg_cron" -c "CREATE EXTENSION berqenas" >/dev/null
cloud -c "CREATE ROLE mallory LOGIN PASSWORD 'mallory-pw' IN ROLE berqenas_admin" \
      -c "CREATE ROLE bob LOGIN PASSWORD 'bob-pw'" \
      -c "CREATE SCHEMA bobs AUTHORIZATION bob" -c "CREATE SCHEMA mine AUTHORIZATION mallory" -c "CREATE SCHEMA mine_fdw AUTHORIZATION mallory" >/dev/null
cloud -c "CREATE TABLE bobs.customers (id int PRIMARY KEY, name text)" -c "ALTER TABLE bobs.customers OWNER TO bob" \
      -c "INSERT INTO bobs.customers VALUES (1, 'bob''s own row')" >/dev/null
cloud -c "CREATE TABLE public.customers (id int PRIMARY KEY, name text)" -c "ALTER TABLE public.customers OWNER TO bob" \
      -c "INSERT INTO public.customers VALUES (1, 'bob''s public row')" >/dev/null
# A harmless pg_cron job of the superuser's, which the attack would replace.
cloud -c "SELECT cron.schedule('nightly', '0 3 * * *', 'SELECT 1')" >/dev/null

# The remote: a table shaped like cron.job whose one row makes mallory a superuser every minute,
# and a customers table with the attacker's rows.
onprem -c "CREATE TABLE job (jobid bigint PRIMARY KEY, schedule text, command text, nodename text, nodeport int,
                             database text, username text, active boolean, jobname text)" \
       -c "INSERT INTO job VALUES (1, '* * * * *', 'ALTER ROLE mallory SUPERUSER', 'localhost', $cloud_PORT,
                                   'postgres', 'postgres', true, 'evil')" \
       -c "CREATE TABLE customers (id int PRIMARY KEY, name text)" \
       -c "INSERT INTO customers VALUES (1, 'overwritten by mallory'), (2, 'planted')" >/dev/null
as_mallory -c "SELECT berqenas.register_remote_database('evil', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres',
                      'postgres', 'postgres', 'public')" >/dev/null

echo "== the escalation: a sync into pg_cron's schema"
out=$(mallory_error "SELECT berqenas.configure_sync('evil', 'full', ARRAY['job'], target_schema => 'cron')")
expect_contains "$out" "42501" "configure_sync into cron: 42501"
expect_contains "$out" 'permission denied for schema "cron"' "configure_sync into cron names the schema"
out=$(mallory_error "SELECT berqenas.sync('evil', ARRAY['job'])" )
expect_eq "$out" "" "a plain sync lands in Berqenas's own schema"
expect_eq "$(cloud -c "SELECT count(*) FROM remote_evil.job")" "1" "the row is in remote_evil.job, harmless"
expect_eq "$(cloud -c "SELECT jobname FROM cron.job ORDER BY jobid")" "nightly" "cron.job is untouched"
# Configured without a target schema, then pointed at cron directly in the catalog is not possible
# for her (no write access); the schema check also runs at sync time:
out=$(mallory_error "UPDATE berqenas.sync_configs SET target_schema = 'cron'")
expect_contains "$out" "42501" "the catalog is not hers to edit"

echo "== another user's table: public.customers (bob's), bobs.customers"
out=$(mallory_error "SELECT berqenas.configure_sync('evil', 'full', ARRAY['customers'], target_schema => 'public')")
expect_contains "$out" 'permission denied for schema "public"' "public (not hers): 42501"
out=$(mallory_error "SELECT berqenas.configure_sync('evil', 'full', ARRAY['customers'], target_schema => 'bobs')")
expect_contains "$out" 'permission denied for schema "bobs"' "bob's schema: 42501"
expect_eq "$(cloud -c "SELECT string_agg(name, ',') FROM public.customers")" "bob's public row" "public.customers kept"
expect_eq "$(cloud -c "SELECT string_agg(name, ',') FROM bobs.customers")" "bob's own row" "bobs.customers kept"

echo "== her own schema: allowed, but only tables Berqenas creates there"
cloud -c "CREATE TABLE mine.customers (id int PRIMARY KEY, name text)" -c "ALTER TABLE mine.customers OWNER TO mallory" >/dev/null
as_mallory -c "SELECT berqenas.configure_sync('evil', 'full', ARRAY['customers', 'job'], target_schema => 'mine')" >/dev/null \
    || fail "configure_sync into her own schema was refused"
echo "  ok: configure_sync into a schema she owns"
out=$(mallory_error "SELECT berqenas.sync('evil')")
expect_contains "$out" "42501" "a table Berqenas did not create: 42501"
expect_contains "$out" 'permission denied for table mine.customers' "the refusal names the table"
cloud -c "DROP TABLE mine.customers" >/dev/null
as_mallory -c "SELECT berqenas.sync('evil')" >/dev/null || fail "sync into her schema failed"
expect_eq "$(cloud -c "SELECT count(*) FROM mine.customers")" "2" "Berqenas created and filled mine.customers"
expect_eq "$(as_mallory -c "SELECT name FROM mine.customers WHERE id = 2")" "planted" "berqenas_admin reads what was synced"
# As the schema's owner she may drop the synced table and put one of her own (with a trigger, say)
# under its name: the next sync refuses it.
as_mallory -c "DROP TABLE mine.customers" -c "CREATE TABLE mine.customers (id int PRIMARY KEY, name text)" >/dev/null
out=$(mallory_error "SELECT berqenas.sync('evil')")
expect_contains "$out" 'permission denied for table mine.customers' "a table swapped in under the synced name: 42501"
out=$(mallory_error "SELECT berqenas.verify('evil')")
expect_contains "$out" 'permission denied for table mine.customers' "verify refuses it too"
as_mallory -c "DROP TABLE mine.customers" >/dev/null
as_mallory -c "SELECT berqenas.sync('evil')" >/dev/null || fail "sync after her table was dropped failed"
expect_eq "$(cloud -c "SELECT relowner::regrole FROM pg_class WHERE oid = 'mine.customers'::regclass")" "postgres" \
    "a dropped synced table is created again by Berqenas"

echo "== another registration's schema"
cloud -c "SELECT berqenas.create_tenant('acme')" -c "SELECT berqenas.create_tenant('globex')" >/dev/null
cloud -c "SELECT berqenas.register_remote_database('acme_erp', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres',
                 'postgres', 'postgres', 'public', tenant => 'acme')" \
      -c "SELECT berqenas.configure_sync('acme_erp', 'full', ARRAY['customers'])" \
      -c "SELECT berqenas.sync('acme_erp')" >/dev/null
cloud -c "UPDATE remote_acme_erp.customers SET name = 'acme data'" >/dev/null
as_mallory -c "SELECT berqenas.register_remote_database('globex_erp', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres',
                      'postgres', 'postgres', 'public', tenant => 'globex')" >/dev/null
out=$(mallory_error "SELECT berqenas.configure_sync('globex_erp', 'full', ARRAY['customers'], target_schema => 'remote_acme_erp')")
expect_contains "$out" 'permission denied for schema "remote_acme_erp": it receives the synced tables of remote database "acme_erp"' \
    "a tenant's registration with another tenant's schema: 42501"
out=$(cluster_psql cloud -At -c "SELECT berqenas.configure_sync('globex_erp', 'full', ARRAY['customers'], target_schema => 'remote_acme_erp')" 2>&1 || true)
expect_contains "$out" "it receives the synced tables" "even a superuser cannot share one registration's schema"
expect_eq "$(cloud -c "SELECT string_agg(DISTINCT name, ',') FROM remote_acme_erp.customers")" "acme data" "acme's rows kept"

echo "== unregister(cascade) drops only what she owns"
cloud -c "CREATE SERVER su_server FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'evil')" \
      -c "CREATE FOREIGN TABLE public.su_customers (id int, name text) SERVER su_server OPTIONS (table_name 'customers')" >/dev/null
out=$(mallory_error "SELECT berqenas.unregister_remote_database('evil', cascade => true)")
expect_contains "$out" "42501" "unregister(cascade) with a superuser's server: 42501"
expect_contains "$out" "permission denied to drop foreign server su_server (owned by postgres)" "the refusal names the server"
expect_eq "$(cloud -c "SELECT count(*) FROM pg_foreign_server WHERE srvname = 'su_server'")" "1" "the superuser's server stays"
expect_eq "$(cloud -c "SELECT count(*) FROM berqenas.remote_databases WHERE name = 'evil'")" "1" "and the registration with it"
# Her own server with a superuser's foreign table on it: that table is not hers to drop either.
cloud -c "DROP SERVER su_server CASCADE" >/dev/null
as_mallory -c "SELECT berqenas.attach('evil', 'mine_fdw')" >/dev/null
cloud -c "CREATE FOREIGN TABLE public.su_on_hers (id int) SERVER evil OPTIONS (table_name 'customers')" >/dev/null
out=$(mallory_error "SELECT berqenas.unregister_remote_database('evil', cascade => true)")
expect_contains "$out" "permission denied to drop foreign table public.su_on_hers (owned by postgres)" "a superuser's foreign table on her server"
cloud -c "DROP FOREIGN TABLE public.su_on_hers" >/dev/null
# A pg_cron job that only looks like a Berqenas schedule is not a dependent.
cloud -c "SELECT cron.schedule('berqenas_evil', '0 4 * * *', 'VACUUM')" >/dev/null
as_mallory -c "SELECT berqenas.unregister_remote_database('evil', cascade => true)" >/dev/null || fail "unregister of her own objects failed"
echo "  ok: unregister(cascade) of her own server and foreign tables"
expect_eq "$(cloud -c "SELECT count(*) FROM pg_foreign_server WHERE srvname = 'evil'")" "0" "her server is gone"
expect_eq "$(cloud -c "SELECT count(*) FROM cron.job WHERE jobname = 'berqenas_evil'")" "1" "the look-alike cron job stays"

echo "== the cloud itself through its Unix socket (trust): a non-superuser must use a password"
out=$(mallory_error "SELECT berqenas.register_remote_database('self', 'postgresql', '$cloud_DIR', $cloud_PORT, 'postgres', 'postgres', '')")
expect_contains "$out" "22023" "an empty password from a non-superuser: 22023"
expect_contains "$out" "password must not be empty" "the refusal says why"
as_mallory -c "SELECT berqenas.register_remote_database('self', 'postgresql', '$cloud_DIR', $cloud_PORT, 'postgres', 'postgres', 'guess')" >/dev/null
out=$(as_mallory -c "SELECT berqenas.test_connection('self')")
expect_contains "$out" '"ok": false' "test_connection through trust is refused"
expect_contains "$out" '"sqlstate": "28000"' "with 28000"
expect_contains "$out" "password is required to connect to postgresql://postgres@$cloud_DIR" "naming the connection"
out=$(mallory_error "SELECT berqenas.sync('self', ARRAY['job'])")
expect_contains "$out" "28000" "a sync through trust is refused too"
# The same for a superuser's registration, used through the FDW by a non-superuser.
cloud -c "SELECT berqenas.register_remote_database('self_su', 'postgresql', '$cloud_DIR', $cloud_PORT, 'postgres', 'postgres', '')" >/dev/null
expect_contains "$(cloud -c "SELECT berqenas.test_connection('self_su')")" '"ok": true' "a superuser may register a trust connection"
cloud -c "CREATE SERVER self_su FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'self_su')" \
      -c "CREATE FOREIGN TABLE public.self_roles (rolname name, rolsuper boolean) SERVER self_su OPTIONS (schema_name 'pg_catalog', table_name 'pg_roles')" \
      -c "GRANT SELECT ON public.self_roles TO mallory" >/dev/null
out=$(mallory_error "SELECT count(*) FROM public.self_roles")
expect_contains "$out" "password is required" "her scan of a superuser's trust registration is refused"
# Her own server with a user mapping, no registry: the same.
as_mallory -c "CREATE SERVER her_self FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (host '$cloud_DIR', port '$cloud_PORT', dbname 'postgres')" \
           -c "CREATE USER MAPPING FOR mallory SERVER her_self OPTIONS (username 'postgres', password 'guess')" \
           -c "CREATE FOREIGN TABLE mine.roles (rolname name) SERVER her_self OPTIONS (schema_name 'pg_catalog', table_name 'pg_authid')" >/dev/null
out=$(mallory_error "SELECT count(*) FROM mine.roles")
expect_contains "$out" "password is required" "her own server through trust is refused"

echo "== after pg_cron had a minute: still not a superuser"
sleep 65
expect_eq "$(cloud -c "SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'")" "f" "mallory is not a superuser"
expect_eq "$(cloud -c "SELECT count(*) FROM cron.job_run_details WHERE command LIKE '%SUPERUSER%'")" "0" "pg_cron never ran her command"
echo "PASSED"
