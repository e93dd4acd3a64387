#!/usr/bin/env bash
# Tenant-scoped roles: a role granted tenant "acme" sees and operates only acme's registrations,
# schemas, jobs, conflicts and logs, and is refused elsewhere with 42501; berqenas_admin keeps the
# cross-tenant view; synced data is readable by the tenant's roles and berqenas_admin only.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
trap cluster_cleanup EXIT
cluster_start cloud "shared_preload_libraries = 'berqenas'" "max_worker_processes = 32"
cluster_start onprem
cloud() { cluster_psql cloud -At "$@"; }
onprem() { cluster_psql onprem -At "$@"; }
. test/lib/expect.sh
as() { local who=$1; shift; PGPASSWORD=$who-pw psql -X -q -At -h 127.0.0.1 -p "$cloud_PORT" -U "$who" -d postgres -v ON_ERROR_STOP=1 "$@"; }
error_as() { as "$1" -c "\\set VERBOSITY verbose" -c "$2" 2>&1 >/dev/null | grep -m1 ERROR || true; }

onprem -c "CREATE TABLE customers (id int PRIMARY KEY, name text, updated_at timestamptz DEFAULT now())" \
       -c "INSERT INTO customers VALUES (1, 'one'), (2, 'two')" >/dev/null
cloud -c "CREATE EXTENSION berqenas" >/dev/null
for r in alice gina adam; do cloud -c "CREATE ROLE $r LOGIN PASSWORD '$r-pw'" >/dev/null; done
cloud -c "GRANT berqenas_admin TO adam" >/dev/null
reg() { cloud -c "SELECT berqenas.register_remote_database('$1', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'public', tenant => '$2')" >/dev/null; }
cloud -c "SELECT berqenas.create_tenant('acme')" -c "SELECT berqenas.create_tenant('globex')" >/dev/null
reg acme_erp acme; reg globex_erp globex
cloud -c "SELECT berqenas.register_remote_database('shared', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'public')" >/dev/null

echo "== grant_tenant is for admins"
out=$(error_as alice "SELECT berqenas.grant_tenant('alice', 'acme')")
expect_contains "$out" "42501" "a plain role cannot grant itself a tenant"
cli=${BERQENAS_BUILD_DIR:-build}/src/cli/berqenas
adam_cli() { PGPASSWORD=adam-pw "$cli" -d "host=127.0.0.1 port=$cloud_PORT user=adam dbname=postgres" "$@"; }
as adam -c "SELECT berqenas.grant_tenant('alice', 'acme')" >/dev/null
expect_eq "$(adam_cli tenant grant globex gina)" 'role "gina" now acts for tenant "globex" (and only for it)' \
    "berqenas_admin grants tenants (SQL and CLI)"
out=$(error_as adam "SELECT berqenas.grant_tenant('postgres', 'acme')")
expect_contains "$out" "is a superuser" "a superuser cannot be made a tenant role"

echo "== what a tenant role sees"
expect_eq "$(as alice -c "SELECT string_agg(name, ',' ORDER BY name) FROM berqenas.remote_databases")" "acme_erp" "alice lists only acme's databases"
expect_eq "$(as alice -c "SELECT string_agg(name, ',') FROM berqenas.tenants")" "acme" "and only her tenant"
expect_eq "$(as adam -c "SELECT string_agg(name, ',' ORDER BY name) FROM berqenas.remote_databases")" "acme_erp,globex_erp,shared" \
    "berqenas_admin sees every tenant"
out=$(error_as alice "SELECT berqenas.remote_db_status('globex_erp')")
expect_contains "$out" '42501' "another tenant's status: 42501"
expect_contains "$out" 'permission denied for remote database "globex_erp"' "naming the database"
for call in "berqenas.test_connection('globex_erp')" "berqenas.sync('globex_erp')" "berqenas.sync_status('globex_erp')" \
            "berqenas.configure_sync('globex_erp', 'full')" "berqenas.verify('globex_erp')" \
            "berqenas.unregister_remote_database('globex_erp', cascade => true)" "berqenas.attach('globex_erp')" \
            "berqenas.sync('shared')"; do
    out=$(error_as alice "SELECT $call")
    expect_contains "$out" "42501" "alice: $call refused"
done
out=$(error_as alice "SELECT * FROM berqenas.sync_history('globex_erp')")
expect_contains "$out" "42501" "alice: sync_history of globex refused"
out=$(error_as alice "SELECT * FROM berqenas.sync_logs('globex_erp')")
expect_contains "$out" "42501" "alice: sync_logs of globex refused"
out=$(error_as alice "CREATE SERVER steal FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'globex_erp')")
expect_contains "$out" 'permission denied for remote database "globex_erp"' "alice cannot make a server with globex's credentials"
for call in "berqenas.create_tenant('mine')" "berqenas.rotate_secret_key()" "berqenas.prune_journal()"; do
    out=$(error_as alice "SELECT $call")
    expect_contains "$out" "42501" "alice: $call refused (admins only)"
done

echo "== what a tenant role operates"
out=$(error_as alice "SELECT berqenas.register_remote_database('sneaky', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', tenant => 'globex')")
expect_contains "$out" 'permission denied for tenant "globex"' "alice cannot register for globex"
as alice -c "SELECT berqenas.register_remote_database('acme_crm', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'public')" >/dev/null
expect_eq "$(cloud -c "SELECT t.name FROM berqenas.remote_databases r JOIN berqenas.tenants t ON t.name = r.tenant WHERE r.name = 'acme_crm'")" \
    "acme" "her registration lands in her tenant"
as alice -c "SELECT berqenas.configure_sync('acme_erp', 'incremental', ARRAY['customers'])" -c "SELECT berqenas.sync('acme_erp')" >/dev/null
as gina -c "SELECT berqenas.sync('globex_erp', ARRAY['customers'])" >/dev/null
expect_eq "$(as alice -c "SELECT count(*) FROM remote_acme_erp.customers")" "2" "alice reads acme's synced rows"
out=$(error_as alice "SELECT count(*) FROM remote_globex_erp.customers")
expect_contains "$out" "42501" "alice cannot read globex's synced rows"
expect_eq "$(as adam -c "SELECT count(*) FROM remote_globex_erp.customers")" "2" "berqenas_admin reads every tenant's"
out=$(error_as alice "UPDATE remote_acme_erp.customers SET name = 'x'")
expect_contains "$out" "42501" "synced tables are read-only for the tenant"

echo "== the catalog, filtered"
expect_eq "$(as alice -c "SELECT string_agg(DISTINCT r.name, ',') FROM berqenas.sync_jobs j JOIN berqenas.remote_databases r ON r.id = j.remote_database_id")" \
    "acme_erp" "sync_jobs: acme's only"
expect_eq "$(as alice -c "SELECT count(*) FROM berqenas.sync_jobs")" "1" "one job visible"
expect_eq "$(as adam -c "SELECT count(*) FROM berqenas.sync_jobs")" "2" "berqenas_admin sees both jobs"
expect_eq "$(as alice -c "SELECT count(*) FROM berqenas.sync_job_log l WHERE l.sync_job_id NOT IN (SELECT id FROM berqenas.sync_jobs)")" \
    "0" "sync_job_log: no lines of other tenants' jobs"
expect_eq "$(as alice -c "SELECT count(DISTINCT remote_database_name) FROM berqenas.sync_audit_log WHERE remote_database_name LIKE 'globex%'")" \
    "0" "sync_audit_log: nothing of globex"
expect_eq "$(as alice -c "SELECT count(*) FROM berqenas.sync_tables WHERE remote_database_id <> (SELECT id FROM berqenas.remote_databases WHERE name = 'acme_erp')")" \
    "0" "sync_tables: acme's only"
cloud -c "INSERT INTO berqenas.sync_conflicts (remote_database_id, table_name, primary_key, strategy)
          SELECT id, 'customers', '{\"id\": 1}', 'manual' FROM berqenas.remote_database_registry" >/dev/null
expect_eq "$(as alice -c "SELECT string_agg(r.name, ',' ORDER BY r.name) FROM berqenas.sync_conflicts c JOIN berqenas.remote_databases r ON r.id = c.remote_database_id")" "acme_crm,acme_erp" "sync_conflicts: acme's only"
globex_job=$(cloud -c "SELECT sync_id FROM berqenas.sync_jobs j JOIN berqenas.remote_database_registry r ON r.id = j.remote_database_id WHERE r.name = 'globex_erp'")
out=$(error_as alice "SELECT berqenas.rollback('$globex_job')")
expect_contains "$out" 'permission denied for remote database "globex_erp"' "rollback of another tenant's sync: 42501"

echo "== the concurrency limit counts per tenant"
cloud -c "ALTER SYSTEM SET berqenas.max_concurrent_syncs_per_tenant = 1" -c "SELECT pg_reload_conf()" >/dev/null
onprem -c "CREATE TABLE slow (id int PRIMARY KEY)" >/dev/null
cloud -c "SELECT berqenas.register_remote_database('acme_slow', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'public', tenant => 'acme')" \
      -c "SELECT berqenas.configure_sync('acme_slow', 'full', ARRAY['slow'])" >/dev/null
# The remote table is locked, so acme_slow's sync holds acme's one slot until the lock goes.
cluster_psql onprem -c "BEGIN" -c "LOCK TABLE slow IN ACCESS EXCLUSIVE MODE" -c "SELECT pg_sleep(6)" -c "COMMIT" >/dev/null &
locker=$!
sleep 1
cloud -c "SELECT berqenas.sync('acme_slow') ->> 'status'" >/tmp/security_tenants_slow.$$ 2>&1 &
slow=$!
sleep 1.5
out=$(cluster_psql cloud -At -c "SET berqenas.sync_wait_timeout = 0" -c "SELECT berqenas.sync('acme_erp')" 2>&1 || true)
expect_contains "$out" 'tenant "acme" already has 1 sync(s) running' "a second sync of acme waits for its slot: 53400"
expect_eq "$(cluster_psql cloud -At -c "SET berqenas.sync_wait_timeout = 0" -c "SELECT berqenas.sync('globex_erp', ARRAY['customers']) ->> 'status'")" \
    "succeeded" "globex's sync runs meanwhile: its own count"
wait $locker $slow
expect_eq "$(cat /tmp/security_tenants_slow.$$)" "succeeded" "acme's slow sync finished once the lock went"
rm -f /tmp/security_tenants_slow.$$
cloud -c "ALTER SYSTEM RESET berqenas.max_concurrent_syncs_per_tenant" -c "SELECT pg_reload_conf()" >/dev/null

echo "== revoke_tenant"
expect_eq "$(adam_cli tenant revoke acme alice)" 'role "alice" no longer acts for tenant "acme"' "revoked (CLI)"
expect_eq "$(as adam -c "SELECT berqenas.revoke_tenant('alice', 'acme')")" "f" "revoking again changes nothing"
out=$(error_as alice "SELECT count(*) FROM remote_acme_erp.customers")
expect_contains "$out" "42501" "no more reading acme's rows"
out=$(error_as alice "SELECT berqenas.sync_status('acme_erp')")
expect_contains "$out" "42501" "no more operating acme's databases"
echo PASSED
