#!/usr/bin/env bash
# Changing a registration in place: alter_remote_database and `berqenas sync update` change only
# what is given (a new password sealed by the CLI), keep the sync history, are audited, and make
# other sessions' kept FDW connections reconnect; unregister(drop_data => true) drops the synced
# tables and Berqenas's schema, and without it they stay.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
. test/lib/sync_pair.sh
trap 'kill $bg 2>/dev/null || true; cluster_cleanup' EXIT
bg=""
start_sync_pair
. test/lib/expect.sh
error_of() { cluster_psql cloud -At -c "\\set VERBOSITY verbose" -c "$1" 2>&1 >/dev/null || true; }
cli=${BERQENAS_BUILD_DIR:-build}/src/cli/berqenas
dsn="host=127.0.0.1 port=$cloud_PORT user=postgres dbname=postgres"

onprem -c "CREATE ROLE erp_reader LOGIN PASSWORD 'first-pw'" -c "CREATE TABLE items (id int PRIMARY KEY, name text)" \
       -c "INSERT INTO items VALUES (1, 'one'), (2, 'two')" -c "GRANT SELECT ON items TO erp_reader" >/dev/null
cloud -c "CREATE EXTENSION berqenas" >/dev/null
cloud -c "SELECT berqenas.register_remote_database('erp', 'postgresql', '127.0.0.1', 1, 'postgres', 'erp_reader', 'first-pw', 'public')" >/dev/null
cloud -c "SELECT berqenas.configure_sync('erp', 'full', ARRAY['items'])" >/dev/null 2>&1
cloud -c "SELECT berqenas.sync('erp')" >/dev/null 2>&1 && fail "a sync to port 1 succeeded"

echo "== a wrong port, fixed in place; the history stays"
expect_eq "$(cloud -c "SELECT berqenas.alter_remote_database('erp', port => $onprem_PORT)")" "{port}" "only the port changed"
cloud -c "SELECT berqenas.sync('erp')" >/dev/null
expect_eq "$(cloud -c "SELECT string_agg(status, ',' ORDER BY id) FROM berqenas.sync_jobs")" "failed,succeeded" \
    "the failed sync before the change is still in the history"
expect_eq "$(cloud -c "SELECT details -> 'changed' FROM berqenas.sync_audit_log WHERE action = 'alter'")" '["port"]' "audited"

echo "== a new password through the CLI, sealed"
onprem -c "ALTER ROLE erp_reader PASSWORD 'second-pw'" >/dev/null
expect_eq "$(cloud -c "SELECT berqenas.test_connection('erp') ->> 'sqlstate'")" "28000" "the old password is refused now"
out=$(printf 'second-pw\n' | "$cli" -d "$dsn" sync update erp --password-stdin)
expect_eq "$out" 'remote database "erp" updated: password' "berqenas sync update changes the password"
expect_eq "$(cloud -c "SELECT berqenas.test_connection('erp') ->> 'ok'")" "true" "and the new one connects"
! grep -q "second-pw" "$cloud_DIR/server.log" || fail "the new password is in the server log"
expect_eq "$(cloud -c "SELECT count(*) FROM berqenas.sync_audit_log WHERE details::text LIKE '%second-pw%'")" "0" "not in the audit log"

echo "== refusals"
out=$(error_of "SELECT berqenas.alter_remote_database('erp')")
expect_contains "$out" 'nothing to change for remote database "erp"' "no change given: 22023"
out=$(error_of "SELECT berqenas.alter_remote_database('erp', port => 70000)")
expect_contains "$out" "port 70000 is outside 1..65535" "a bad port: 22023"
out=$(error_of "SELECT berqenas.alter_remote_database('nope', port => 5432)")
expect_contains "$out" 'remote database "nope" is not registered' "an unknown name: 42704"
out=$(error_of "SELECT berqenas.alter_remote_database('erp', schema => 'other')")
expect_contains "$out" 'has synced tables from schema "public"' "the remote schema after a sync: 55000"
out=$("$cli" -d "$dsn" sync update erp --port abc 2>&1 || true)
expect_contains "$out" "--port: must be a whole number from 1 to 65535, not 'abc'" "the CLI checks the port"

echo "== other sessions' FDW connections reconnect"
cloud -c "SELECT berqenas.attach('erp')" >/dev/null
cluster_psql cloud -At -c "SELECT count(*) FROM remote_erp_fdw.items" -c "SELECT pg_sleep(4)" \
    -c "SELECT count(*) FROM remote_erp_fdw.items" -c "SELECT pg_sleep(4)" >/tmp/registry_alter_bg.$$ 2>&1 &
bg=$!
sleep 2
before=$(onprem -c "SELECT string_agg(pid::text, ',') FROM pg_stat_activity WHERE application_name = 'berqenas_fdw'")
[ -n "$before" ] || fail "no FDW connection was open"
onprem -c "ALTER ROLE erp_reader PASSWORD 'third-pw'" >/dev/null
cloud -c "SELECT berqenas.alter_remote_database('erp', password => 'third-pw')" >/dev/null
sleep 4
after=$(onprem -c "SELECT string_agg(pid::text, ',') FROM pg_stat_activity WHERE application_name = 'berqenas_fdw'")
wait $bg; bg=""
expect_eq "$(sed -n 3p /tmp/registry_alter_bg.$$)" "2" "the other session's next scan works"
[ -n "$after" ] && [ "$after" != "$before" ] || fail "the FDW connection was not rebuilt ($before -> $after)"
echo "  ok: its kept connection was replaced ($before -> $after)"
rm -f /tmp/registry_alter_bg.$$

echo "== unregister: without drop_data the tables stay; with it they go"
cloud -c "SELECT berqenas.register_remote_database('erp2', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'public')" \
      -c "SELECT berqenas.configure_sync('erp2', 'full', ARRAY['items'])" -c "SELECT berqenas.sync('erp2')" >/dev/null
cloud -c "SELECT berqenas.unregister_remote_database('erp2')" >/dev/null
expect_eq "$(cloud -c "SELECT count(*) FROM remote_erp2.items")" "2" "without drop_data the synced table stays"
# Registered again under the same name: Berqenas takes its old schema up again, but the table left
# there was not created for this registration, so the sync names it and says what to do.
cloud -c "SELECT berqenas.register_remote_database('erp2', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'public')" \
      -c "SELECT berqenas.configure_sync('erp2', 'full', ARRAY['items'])" >/dev/null
out=$(cluster_psql cloud -At -c "\\set VERBOSITY verbose" -c "SELECT berqenas.sync('erp2')" 2>&1 || true)
expect_contains "$out" "permission denied for table remote_erp2.items" "the left-over table is refused"
expect_contains "$out" "it was synced for an earlier registration (unregistered without drop_data): drop it" "with a hint that says why"
cloud -c "DROP TABLE remote_erp2.items" >/dev/null
expect_eq "$(cloud -c "SELECT berqenas.sync('erp2') ->> 'status'")" "succeeded" "after dropping it the schema is synced into again"
"$cli" -d "$dsn" db unregister erp --cascade --drop-data >/dev/null
expect_eq "$(cloud -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'remote_erp'")" "0" "with --drop-data the table and the schema are gone"
expect_eq "$(cloud -c "SELECT details -> 'dropped' FROM berqenas.sync_audit_log WHERE action = 'unregister' ORDER BY id DESC LIMIT 1")" \
    '["remote_erp.items", "schema remote_erp"]' "the audit log says what was dropped"
echo PASSED
