#!/usr/bin/env bash
# Realtime changes are recorded as runs (sync_jobs, mode 'realtime', counts, journal) and can be
# rolled back; rollback of an earlier sync refuses (55000) when a later realtime run touched its
# rows and accepts with include_later; windows close on time; failed rounds are recorded once per
# streak; journals past berqenas.journal_retention are pruned (history rows stay) and rolling back a
# pruned run fails with 55000 naming the sync and the setting.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
. test/lib/sync_pair.sh
trap cluster_cleanup EXIT

start_sync_pair
# The error a statement raises, as "SQLSTATE: message" (VERBOSITY verbose), plus DETAIL lines.
error_of() { cluster_psql cloud -At -v ON_ERROR_STOP=1 -c '\set VERBOSITY verbose' -c "$1" 2>&1 | grep -E '^(ERROR|DETAIL)' || true; }
wait_for() {   # $1 = SQL that returns t when done, $2 = what we wait for
    for _ in $(seq 200); do
        [ "$(cloud -c "$1")" = t ] && return 0
        sleep 0.05
    done
    fail "timed out waiting for $2"
}
names() { cloud -c "SELECT string_agg(id || '=' || name, ' ' ORDER BY id) FROM remote_erp.items WHERE id IN ($1)"; }

onprem -c "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int, updated_at timestamptz NOT NULL);
           INSERT INTO items SELECT g, 'item ' || g, g, now() - interval '1 day' FROM generate_series(1, 100) g" >/dev/null
sync_erp incremental items
cloud -c "SELECT berqenas.sync('erp') ->> 'status'" >/dev/null
onprem -c "UPDATE items SET name = 'by sync', updated_at = now() WHERE id IN (1, 2)" >/dev/null
S2=$(cloud -c "SELECT berqenas.sync('erp') ->> 'sync_id'")

echo "== a realtime run records what the worker applies, with counts"
cloud -c "SELECT berqenas.configure_sync('erp', 'realtime', ARRAY['items']) ->> 'worker_started'" >/dev/null
wait_for "SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'berqenas realtime'" "the realtime worker"
onprem -c "UPDATE items SET name = 'rt' WHERE id IN (2, 3); DELETE FROM items WHERE id = 4;
           INSERT INTO items VALUES (500, 'rt new', 1, now())" >/dev/null
wait_for "SELECT coalesce(sum(records_synced), 0) = 4 FROM berqenas.sync_jobs WHERE mode = 'realtime'" "the realtime run's 4 changes"
R1=$(cloud -c "SELECT sync_id FROM berqenas.sync_jobs WHERE mode = 'realtime' ORDER BY id DESC LIMIT 1")
[[ "$R1" =~ ^sync_[0-9]{8}_[0-9]{6}(_[0-9]+)?$ ]] || fail "readable realtime run id: $R1"
expect_eq "$(cloud -c "SELECT format('%s %s +%s ~%s -%s', h.mode, h.status, h.tables -> 'items' ->> 'inserted', h.tables -> 'items' ->> 'updated', h.tables -> 'items' ->> 'deleted')
                       FROM berqenas.sync_history('erp', 1) h")" "realtime running +1 ~2 -1" "the open run in sync_history"
expect_eq "$(cloud -c "SELECT berqenas.sync_status('erp') -> 'realtime_run' ->> 'sync_id'")" "$R1" "the open run in sync_status"
expect_eq "$(cloud -c "SELECT count(*) FROM berqenas.sync_journal jr JOIN berqenas.sync_jobs j ON j.id = jr.sync_job_id
                       WHERE j.sync_id = '$R1' AND jr.entries IS NOT NULL")" 1 "one journal row for the round"
expect_eq "$(cloud -c "SELECT message FROM berqenas.sync_logs('erp', 1)")" "realtime run started" "log line"
# A change that leaves the row as it is changes nothing and is not recorded.
onprem -c "UPDATE items SET name = name WHERE id = 50" >/dev/null
wait_for "SELECT realtime_applied = 5 FROM berqenas.sync_tables" "the no-op change"
expect_eq "$(cloud -c "SELECT records_synced FROM berqenas.sync_jobs WHERE sync_id = '$R1'")" 4 "a no-op is not counted"

echo "== rollback of an earlier sync whose rows the realtime run changed later: refused"
err=$(error_of "SELECT berqenas.rollback('$S2')")
echo "$err"
expect_eq "$(head -1 <<<"$err")" "ERROR:  55000: cannot roll back sync \"$S2\": later syncs changed the same rows" "refusal"
expect_eq "$(sed -n 2p <<<"$err")" "DETAIL:  later syncs: $R1 (realtime, open)" "refusal names the realtime run"
expect_eq "$(names 1,2,3,4,500)" "1=by sync 2=rt 3=rt 500=rt new" "nothing changed by the refusal"

echo "== rollback of the (open) realtime run restores the rows; the next change opens a new run"
r=$(cloud -c "SELECT format('%s %s', r -> 'tables' -> 'items', r -> 'rolled_back') FROM berqenas.rollback('$R1') r")
expect_eq "$r" '{"removed": 1, "restored": 3} ["'"$R1"'"]' "rollback result"
expect_eq "$(names 1,2,3,4,500)" "1=by sync 2=by sync 3=item 3 4=item 4" "rows after the realtime rollback"
expect_eq "$(cloud -c "SELECT status || ' ' || (finished_at IS NOT NULL) FROM berqenas.sync_jobs WHERE sync_id = '$R1'")" "rolled_back true" "the run is closed"
expect_eq "$(error_of "SELECT berqenas.rollback('$R1')" | head -1)" "ERROR:  55000: sync \"$R1\" is rolled_back, only a succeeded sync can be rolled back" "second rollback"
onprem -c "UPDATE items SET name = 'rt 2' WHERE id IN (1, 5)" >/dev/null
wait_for "SELECT count(*) = 1 FROM berqenas.sync_jobs WHERE mode = 'realtime' AND status = 'running' AND records_synced = 2" "a new run"
R2=$(cloud -c "SELECT sync_id FROM berqenas.sync_jobs WHERE mode = 'realtime' AND status = 'running'")
[ "$R2" != "$R1" ] || fail "a new run id after the rollback"

echo "== include_later rolls the earlier sync back together with the realtime run"
expect_eq "$(error_of "SELECT berqenas.rollback('$S2')" | sed -n 2p)" "DETAIL:  later syncs: $R2 (realtime, open)" "refused again, naming the new run"
r=$(cloud -c "SELECT format('%s %s', r -> 'tables' -> 'items', r -> 'rolled_back') FROM berqenas.rollback('$S2', include_later => true) r")
expect_eq "$r" '{"removed": 0, "restored": 3} ["'"$R2"'", "'"$S2"'"]' "include_later result (newest first)"
expect_eq "$(names 1,2,5)" "1=item 1 2=item 2 5=item 5" "rows before both"

echo "== order is the journal's: a realtime run open before a sync, changing its rows after it"
onprem -c "UPDATE items SET name = 'rt e1' WHERE id = 10" >/dev/null
wait_for "SELECT name = 'rt e1' FROM remote_erp.items WHERE id = 10" "e1"
R3=$(cloud -c "SELECT sync_id FROM berqenas.sync_jobs WHERE mode = 'realtime' AND status = 'running'")
cloud -c "UPDATE remote_erp.items SET name = 'tampered' WHERE id = 10" >/dev/null
S3=$(cloud -c "SELECT berqenas.sync('erp', \"full\" => true) ->> 'sync_id'")
onprem -c "UPDATE items SET name = 'rt e3' WHERE id = 10" >/dev/null
wait_for "SELECT name = 'rt e3' FROM remote_erp.items WHERE id = 10" "e3"
expect_eq "$(error_of "SELECT berqenas.rollback('$S3')" | sed -n 2p)" "DETAIL:  later syncs: $R3 (realtime, open)" "the earlier-started run blocks the sync"
expect_eq "$(error_of "SELECT berqenas.rollback('$R3')" | sed -n 2p)" "DETAIL:  later syncs: $S3 (full)" "and the sync blocks the run"
cloud -c "SELECT berqenas.rollback('$R3', include_later => true)" >/dev/null
expect_eq "$(names 10)" "10=item 10" "row 10 before the run"

echo "== a realtime run partly without journal (berqenas.sync_journal turned off) cannot be rolled back"
onprem -c "UPDATE items SET name = 'j1' WHERE id = 39" >/dev/null
wait_for "SELECT name = 'j1' FROM remote_erp.items WHERE id = 39" "j1"
cloud -c "UPDATE remote_erp.items SET name = 'tampered' WHERE id = 40" >/dev/null
S4=$(cloud -c "SELECT berqenas.sync('erp', \"full\" => true) ->> 'sync_id'")
onprem -c "UPDATE items SET name = 'j2' WHERE id = 40" >/dev/null
wait_for "SELECT name = 'j2' FROM remote_erp.items WHERE id = 40" "j2"
cloud -c "ALTER SYSTEM SET berqenas.sync_journal = off" -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
onprem -c "UPDATE items SET name = 'j3' WHERE id = 41" >/dev/null
wait_for "SELECT name = 'j3' FROM remote_erp.items WHERE id = 41" "j3"
R5=$(cloud -c "SELECT sync_id FROM berqenas.sync_jobs WHERE mode = 'realtime' AND status = 'running'")
expect_eq "$(cloud -c "SELECT tables ->> '_journal' FROM berqenas.sync_jobs WHERE sync_id = '$R5'")" off "run marked"
expect_eq "$(error_of "SELECT berqenas.rollback('$R5')" | head -1)" \
          "ERROR:  55000: sync \"$R5\" kept no journal (berqenas.sync_journal was off)" "rollback of the run"
expect_eq "$(error_of "SELECT berqenas.rollback('$S4', include_later => true)" | head -1)" \
          "ERROR:  55000: cannot roll back sync \"$S4\": later sync \"$R5\" changed the same rows and kept no complete journal (berqenas.sync_journal was off)" \
          "rollback of a sync under it"
expect_eq "$(names 40)" "40=j2" "nothing changed"
cloud -c "ALTER SYSTEM RESET berqenas.sync_journal" -c "SELECT pg_reload_conf()" >/dev/null

echo "== a run's window closes on time (berqenas.realtime_run_interval)"
cloud -c "ALTER SYSTEM SET berqenas.realtime_run_interval = '1s'" -c "SELECT pg_reload_conf()" >/dev/null
wait_for "SELECT count(*) = 0 FROM berqenas.sync_jobs WHERE mode = 'realtime' AND status = 'running'" "the open run to close"
onprem -c "UPDATE items SET name = 'w1' WHERE id = 20" >/dev/null
wait_for "SELECT name = 'w1' FROM remote_erp.items WHERE id = 20" "w1"
R4=$(cloud -c "SELECT sync_id FROM berqenas.sync_jobs WHERE mode = 'realtime' ORDER BY id DESC LIMIT 1")
wait_for "SELECT status = 'succeeded' FROM berqenas.sync_jobs WHERE sync_id = '$R4'" "the window to close"
expect_eq "$(cloud -c "SELECT message FROM berqenas.sync_logs('erp', 100) WHERE sync_id = '$R4' AND message LIKE 'realtime run closed%'")" \
          "realtime run closed (its window of 1 s ended): inserted 0, updated 1, deleted 0" "close log line"
onprem -c "UPDATE items SET name = 'w2' WHERE id = 21" >/dev/null
wait_for "SELECT count(*) = 1 FROM berqenas.sync_jobs WHERE mode = 'realtime' AND sync_id > '$R4'" "the next run"
cloud -c "ALTER SYSTEM SET berqenas.realtime_run_interval = '1h'" -c "SELECT pg_reload_conf()" >/dev/null
# A closed realtime run rolls back like any sync.
r=$(cloud -c "SELECT r -> 'tables' -> 'items' FROM berqenas.rollback('$R4') r")
expect_eq "$r" '{"removed": 0, "restored": 1}' "rollback of a closed run"
expect_eq "$(names 20)" "20=item 20" "row 20 after it"

echo "== journal retention: old journals are pruned, history rows stay, rollback of a pruned run fails"
expect_eq "$(error_of "SET berqenas.journal_retention = '-1'" | head -1)" \
          "ERROR:  22023: -1 s is outside the valid range for parameter \"berqenas.journal_retention\" (0 .. 2147483647)" "bad retention"
expect_eq "$(cloud -c "SHOW berqenas.journal_retention")" 7d "default retention"
sleep 0.5
onprem -c "UPDATE items SET name = 'open' WHERE id = 22" >/dev/null
wait_for "SELECT name = 'open' FROM remote_erp.items WHERE id = 22" "row 22"
open_run=$(cloud -c "SELECT sync_id FROM berqenas.sync_jobs WHERE mode = 'realtime' AND status = 'running'")
[ -n "$open_run" ] || fail "an open run"
jobs_before=$(cloud -c "SELECT count(*) FROM berqenas.sync_jobs")
S5=$(cloud -c "SELECT sync_id FROM berqenas.sync_jobs WHERE status = 'succeeded' AND mode <> 'realtime' ORDER BY id LIMIT 1")
expect_eq "$(cloud -c "SET berqenas.journal_retention = 0" -c "SELECT berqenas.prune_journal() ->> 'journal_rows'")" 0 "0 keeps every journal"
sleep 1.1
r=$(cloud -c "SET berqenas.journal_retention = '1s'" -c "SELECT berqenas.prune_journal()")
echo "$r"
[ "$(cloud -c "SELECT ('$r'::jsonb ->> 'journal_rows')::int > 0 AND ('$r'::jsonb ->> 'retention') = '1s'")" = t ] || fail "prune_journal result"
expect_eq "$(cloud -c "SELECT count(*) FROM berqenas.sync_jobs")" "$jobs_before" "history rows stay"
expect_eq "$(cloud -c "SELECT count(DISTINCT jr.sync_job_id) || ' ' || bool_and(j.sync_id = '$open_run') FROM berqenas.sync_journal jr JOIN berqenas.sync_jobs j ON j.id = jr.sync_job_id")" \
          "1 true" "the open run keeps its journal"
expect_eq "$(cloud -c "SELECT tables ->> '_journal' FROM berqenas.sync_jobs WHERE sync_id = '$S5'")" pruned "marked pruned"
err=$(cluster_psql cloud -At -c '\set VERBOSITY verbose' -c "SET berqenas.journal_retention = '1s'" -c "SELECT berqenas.rollback('$S5')" 2>&1 | grep -E '^ERROR' || true)
expect_eq "$err" "ERROR:  55000: cannot roll back sync \"$S5\": its journal was pruned (berqenas.journal_retention is 1s)" "rollback of a pruned sync"
expect_eq "$(cloud -c "SELECT records_synced FROM berqenas.sync_history('erp', 100) WHERE sync_id = '$S5'")" 100 "its history row"

echo "== failed rounds are recorded as one failed realtime run per streak"
cluster_stop onprem
wait_for "SELECT coalesce((SELECT (tables ->> '_failed_rounds')::int >= 2 FROM berqenas.sync_jobs WHERE mode = 'realtime' AND status = 'failed' ORDER BY id DESC LIMIT 1), false)" "a failure streak"
cloud -c "SELECT sync_id, status, error_sqlstate, tables FROM berqenas.sync_jobs WHERE status = 'failed'"
[ "$(cloud -c "SELECT count(*) <= 2 AND bool_and(error_sqlstate IN ('08001', '08006')) FROM berqenas.sync_jobs WHERE status = 'failed'")" = t ] \
    || fail "one failed run per streak, with the connection SQLSTATE"
expect_eq "$(cloud -c "SELECT (s ->> 'error_count')::int > 0 FROM berqenas.sync_status('erp') s")" t "error_count"
_cluster_as_user "$PG_BIN/pg_ctl" -D "$onprem_DIR/data" -l "$onprem_DIR/server.log" -w start >/dev/null
onprem -c "UPDATE items SET name = 'back' WHERE id = 23" >/dev/null
wait_for "SELECT name = 'back' FROM remote_erp.items WHERE id = 23" "applying again after the remote came back"

echo "== sync() prunes at its end; turning realtime off closes the open run"
cloud -c "SELECT berqenas.configure_sync('erp', 'incremental', ARRAY['items']) IS NOT NULL" >/dev/null
wait_for "SELECT count(*) = 0 FROM berqenas.sync_jobs WHERE mode = 'realtime' AND status = 'running'" "the open run to close"
expect_eq "$(cloud -c "SELECT count(*) FROM berqenas.sync_logs('erp', 100) WHERE message LIKE 'realtime run closed (realtime sync was turned off)%'")" 1 "closed when turned off"
cloud -c "UPDATE remote_erp.items SET name = 'tampered' WHERE id = 30" >/dev/null
S6=$(cloud -c "SELECT berqenas.sync('erp', \"full\" => true) ->> 'sync_id'")
expect_eq "$(cloud -c "SELECT count(*) > 0 FROM berqenas.sync_journal jr JOIN berqenas.sync_jobs j ON j.id = jr.sync_job_id WHERE j.sync_id = '$S6'")" t "S6 journaled"
cloud -c "ALTER SYSTEM SET berqenas.journal_retention = '1s'" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1.1
S7=$(cloud -c "SELECT berqenas.sync('erp') ->> 'sync_id'")
expect_eq "$(cloud -c "SELECT count(*) FROM berqenas.sync_logs('erp', 100) WHERE sync_id = '$S7' AND message LIKE 'pruned % journal rows older than berqenas.journal_retention (1s)'")" 1 "sync() pruned"
expect_eq "$(cloud -c "SELECT tables ->> '_journal' FROM berqenas.sync_jobs WHERE sync_id = '$S6'")" pruned "S6 pruned by the sync"
expect_eq "$(error_of "SELECT berqenas.rollback('$S6')" | head -1)" \
          "ERROR:  55000: cannot roll back sync \"$S6\": its journal was pruned (berqenas.journal_retention is 1s)" "rollback of S6"
cloud -c "ALTER SYSTEM RESET ALL" -c "SELECT pg_reload_conf()" >/dev/null

echo "== turning realtime off with no worker running still closes the open run"
cloud -c "SELECT berqenas.configure_sync('erp', 'realtime', ARRAY['items']) IS NOT NULL" >/dev/null
onprem -c "UPDATE items SET name = 'last realtime' WHERE id = 40" >/dev/null
wait_for "SELECT name = 'last realtime' FROM remote_erp.items WHERE id = 40" "the realtime change"
wait_for "SELECT count(*) = 1 FROM berqenas.sync_jobs WHERE mode = 'realtime' AND status = 'running'" "an open realtime run"
# After a restart the launcher starts workers only in berqenas.launcher_database: elsewhere, none.
cloud -c "ALTER SYSTEM SET berqenas.launcher_database = 'template1'" >/dev/null
_cluster_as_user "$PG_BIN/pg_ctl" -D "$cloud_DIR/data" -l "$cloud_DIR/server.log" -w -m fast restart >/dev/null
expect_eq "$(cloud -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'berqenas realtime erp'")" 0 "no worker"
expect_eq "$(cloud -c "SELECT count(*) FROM berqenas.sync_jobs WHERE mode = 'realtime' AND status = 'running'")" 1 "the run is still open"
cloud -c "SELECT berqenas.configure_sync('erp', 'incremental', ARRAY['items']) IS NOT NULL" >/dev/null
expect_eq "$(cloud -c "SELECT count(*) FROM berqenas.sync_jobs WHERE mode = 'realtime' AND status = 'running'")" 0 "closed by configure_sync"
expect_eq "$(cloud -c "SELECT count(*) FROM berqenas.sync_logs('erp', 100) WHERE message = 'realtime run closed (realtime sync was turned off; its worker was not running)'")" 1 "close log line"
cloud -c "ALTER SYSTEM RESET ALL" >/dev/null
echo "all realtime journal checks passed"
