#!/usr/bin/env bash
# Results that used to be silently wrong: an enum column made sync fail while the FDW read it; a
# timestamp_column that exists nowhere was accepted and "incremental" syncs ran in full without a
# word; verify() said "match" for a database never synced, or whose last sync failed, and left out
# configured tables that were never synced (and the CLI exited 0).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
. test/lib/sync_pair.sh
trap cluster_cleanup EXIT
start_sync_pair
. test/lib/expect.sh
cli=${BERQENAS_BUILD_DIR:-build}/src/cli/berqenas
dsn="host=127.0.0.1 port=$cloud_PORT user=postgres password=postgres dbname=postgres"

onprem -c "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')" \
       -c "CREATE TABLE feelings (id int PRIMARY KEY, m mood NOT NULL, history mood[], updated_at timestamptz NOT NULL DEFAULT now())" \
       -c "INSERT INTO feelings VALUES (1, 'happy', '{sad,ok}'), (2, 'sad', NULL)" \
       -c "CREATE TABLE notes (id int PRIMARY KEY, body text)" -c "INSERT INTO notes VALUES (1, 'first')" >/dev/null
cloud -c "CREATE EXTENSION berqenas" >/dev/null
cloud -c "SELECT berqenas.register_remote_database('erp', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'public')" >/dev/null

echo "== timestamp_column that no table has: 42703 at configure_sync"
out=$(cloud -c "SELECT berqenas.configure_sync('erp', 'incremental', ARRAY['feelings', 'notes'], timestamp_column => 'changed_at')" 2>&1 || true)
expect_contains "$out" 'column "changed_at" does not exist in any table to sync' "refused, naming the column"
expect_eq "$(cloud -c "SELECT count(*) FROM berqenas.sync_configs")" "0" "nothing configured"

echo "== a table without it: configure_sync and every sync say it is copied in full"
out=$(cloud -c "SELECT berqenas.configure_sync('erp', 'incremental', ARRAY['feelings', 'notes']) -> 'copied_in_full'" 2>&1)
expect_contains "$out" 'WARNING:  tables without column "updated_at" are copied in full on every sync: notes' "configure_sync warns"
expect_contains "$out" '["notes"]' "and names it in its result"

echo "== an enum column syncs as the FDW reads it"
out=$(cloud -c "SELECT berqenas.sync('erp')" 2>&1)
expect_contains "$out" '"status": "succeeded"' "the first sync succeeds"
expect_eq "$(cloud -c "SELECT string_agg(format('%s:%s:%s', id, m, history), ' ' ORDER BY id) FROM remote_erp.feelings")" \
    "1:happy:{sad,ok} 2:sad:" "enum and enum[] values arrive as their labels"
expect_eq "$(cloud -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'remote_erp.feelings'::regclass AND attname = 'history'")" \
    "text[]" "an enum array lands as text[]"
onprem -c "UPDATE feelings SET m = 'ok', updated_at = now() WHERE id = 2" -c "INSERT INTO notes VALUES (2, 'second')" >/dev/null
out=$(cloud -c "SELECT berqenas.sync('erp')" 2>&1)
expect_contains "$out" 'WARNING:  remote table "notes" has no column "updated_at": copied in full on every sync' "the sync warns"
expect_contains "$out" '"warnings": ["remote table \"notes\" has no column \"updated_at\": copied in full on every sync"]' "and lists it in its result"
expect_contains "$out" '"feelings": {"mode": "incremental"' "the enum table syncs incrementally"
expect_eq "$(cloud -c "SELECT s -> 'tables' -> 'feelings' ->> 'mode' FROM berqenas.sync('erp') s")" "incremental" "the enum table follows its watermark"
expect_eq "$(cloud -c "SELECT m FROM remote_erp.feelings WHERE id = 2")" "ok" "the changed enum value arrived"
expect_eq "$(cloud -c "SELECT count(*) FROM berqenas.sync_logs('erp', 100, 'warning') WHERE message LIKE '%no column \"updated_at\"%'")" "3" "sync_logs keeps the warnings, one a sync"

echo "== realtime mode: a sync() call is incremental, so it warns the same"
cloud -c "SELECT berqenas.register_remote_database('live', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'public')" \
      -c "SELECT berqenas.configure_sync('live', 'realtime', ARRAY['notes'])" >/dev/null
# (The realtime worker's first copy may hold the database's sync lock for a moment: wait for it.)
out=$(cloud -c "SET berqenas.sync_wait_timeout = 30" -c "SELECT berqenas.sync('live')" 2>&1)
expect_contains "$out" 'WARNING:  remote table "notes" has no column "updated_at": copied in full on every sync' "realtime: sync() warns"
cloud -c "SELECT berqenas.configure_sync('live', 'full', ARRAY['notes'])" >/dev/null

echo "== verify: a database never synced, a table never synced, a last sync that failed"
cloud -c "SELECT berqenas.register_remote_database('fresh', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'public')" \
      -c "SELECT berqenas.configure_sync('fresh', 'full', ARRAY['feelings', 'notes'])" >/dev/null
expect_eq "$(cloud -c "SELECT format('%s %s %s', v ->> 'match', v ->> 'state', v -> 'never_synced') FROM berqenas.verify('fresh') v")" \
    'false never_synced ["feelings", "notes"]' "never synced: no match, both tables named"
rc=0; out=$("$cli" -d "$dsn" sync verify fresh 2>&1) || rc=$?
expect_eq "$rc" "3" "berqenas sync verify exits 3 for a database never synced"
cloud -c "SELECT berqenas.sync('fresh', ARRAY['feelings'])" >/dev/null
expect_eq "$(cloud -c "SELECT format('%s %s %s', v ->> 'match', v ->> 'state', v -> 'never_synced') FROM berqenas.verify('fresh') v")" \
    'false synced ["notes"]' "a configured table never synced is reported, not left out"
cloud -c "SELECT berqenas.sync('fresh')" >/dev/null
expect_eq "$(cloud -c "SELECT format('%s %s', v ->> 'match', v ->> 'state') FROM berqenas.verify('fresh') v")" "true synced" "all synced: a match"
rc=0; "$cli" -d "$dsn" sync verify fresh >/dev/null 2>&1 || rc=$?
expect_eq "$rc" "0" "and the CLI exits 0"
onprem -c "ALTER TABLE notes RENAME TO notes_gone" >/dev/null
cloud -c "SELECT berqenas.sync('fresh')" >/dev/null 2>&1 && fail "the sync of a vanished table succeeded"
onprem -c "ALTER TABLE notes_gone RENAME TO notes" >/dev/null
expect_eq "$(cloud -c "SELECT format('%s %s', v ->> 'match', v ->> 'state') FROM berqenas.verify('fresh') v")" \
    "false last_sync_failed" "the last sync failed: no match, and the state says so"
rc=0; "$cli" -d "$dsn" sync verify fresh >/dev/null 2>&1 || rc=$?
expect_eq "$rc" "3" "and the CLI exits 3"
echo PASSED
