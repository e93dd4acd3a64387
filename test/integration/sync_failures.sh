#!/usr/bin/env bash
# A sync that fails midway — remote backend terminated, TDS link dropped after N rows, TDS error after
# N rows, local cancel — is recorded as failed in sync_jobs with its error, leaves local data as it
# was, and the next sync converges. A sync whose session is terminated, or whose caller rolls back
# after it succeeded, is recorded failed by a helper worker. Also: progress is visible from another session while rows
# stream, readers of the table are not blocked and see the old contents, and without
# shared_preload_libraries realtime sync refuses with 55000.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
. test/lib/sync_pair.sh
TDS_PIDS=()
cleanup() {
    local p
    for p in "${TDS_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    cluster_cleanup
}
trap cleanup EXIT
BUILD=${BERQENAS_BUILD_DIR:-build}
TDS_BIN=$BUILD/test/tds_server/berqenas-tds-server

start_sync_pair

onprem <<'SQL' >/dev/null
CREATE TABLE big (id int PRIMARY KEY, a text, b int, c float8, updated_at timestamp NOT NULL DEFAULT localtimestamp);
INSERT INTO big (id, a, b, c) SELECT g, md5(g::text), g, g / 3.0 FROM generate_series(1, 1000000) g;
ANALYZE big;
SQL
cloud -c "CREATE EXTENSION berqenas" >/dev/null
cloud -c "SELECT berqenas.register_remote_database('erp', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'public')" >/dev/null
cloud -c "SELECT berqenas.configure_sync('erp', 'full', ARRAY['big'])" >/dev/null
first=$(cloud -c "SELECT berqenas.sync('erp') ->> 'status'")
expect_eq "$first" succeeded "first full sync"
before=$(cloud -c "SELECT count(*) || '/' || sum(b) FROM remote_erp.big")
# Change the remote so a successful sync would be visible locally.
onprem -c "UPDATE big SET b = b + 1 WHERE id <= 1000; DELETE FROM big WHERE id > 999000" >/dev/null

run_sync_in_background() {   # $1 = output file; slows the remote with a per-row delay-free big read
    ( cluster_psql cloud -At -v ON_ERROR_STOP=0 -c "SET application_name = 'syncer'" \
        -c "SELECT berqenas.sync('erp', \"full\" => true) ->> 'status'" >"$1" 2>&1 ) &
    SYNCER=$!
}
wait_for_rows() {   # waits until sync_progress shows rows copied; prints the progress row
    local row=""
    for _ in $(seq 200); do
        row=$(cloud -c "SELECT table_name || ' ' || rows_done || ' ' || coalesce(rows_expected, -1) || ' ' || phase FROM berqenas.sync_progress WHERE rows_done > 0" 2>/dev/null || true)
        [ -n "$row" ] && { echo "$row"; return 0; }
        sleep 0.02
    done
    return 1
}

echo "== remote backend terminated mid-stream"
out=$(mktemp)
run_sync_in_background "$out"
progress=$(wait_for_rows) || fail "sync_progress never showed rows"
echo "progress seen from another session: $progress"
read -r ptable pdone pexpected pphase <<<"$progress"
expect_eq "$ptable" big "progress table"
[ "$pexpected" -ge 990000 ] || fail "rows_expected $pexpected"
# Readers are not blocked while rows stream, and see the old contents.
reader=$(cluster_psql cloud -At -c "SET statement_timeout = '2s'" -c "SELECT count(*) || '/' || sum(b) FROM remote_erp.big")
expect_eq "$reader" "$before" "reader during the sync"
onprem -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'berqenas' AND backend_type = 'client backend'" >/dev/null
wait "$SYNCER" || true
cat "$out"
grep -q "was lost" "$out" || fail "no connection-lost error"
row=$(cloud -c "SELECT status || ' ' || error_sqlstate FROM berqenas.sync_jobs ORDER BY id DESC LIMIT 1")
expect_eq "$row" "failed 08006" "job after terminate"
expect_eq "$(cloud -c "SELECT count(*) || '/' || sum(b) FROM remote_erp.big")" "$before" "local data after terminate"

echo "== local cancel"
run_sync_in_background "$out"
wait_for_rows >/dev/null || fail "no progress before cancel"
cloud -c "SELECT pg_cancel_backend(pid) FROM berqenas.sync_progress" >/dev/null
wait "$SYNCER" || true
grep -q "canceling statement due to user request" "$out" || { cat "$out"; fail "no cancel error"; }
expect_eq "$(cloud -c "SELECT status || ' ' || error_sqlstate FROM berqenas.sync_jobs ORDER BY id DESC LIMIT 1")" "failed 57014" "job after cancel"
expect_eq "$(cloud -c "SELECT count(*) || '/' || sum(b) FROM remote_erp.big")" "$before" "local data after cancel"
expect_eq "$(cloud -c "SELECT count(*) FROM berqenas.sync_progress")" 0 "progress slot released"

echo "== the next sync converges"
expect_eq "$(cloud -c "SELECT berqenas.sync('erp') ->> 'status'")" succeeded "sync after failures"
expect_eq "$(cloud -c "SELECT berqenas.verify('erp') ->> 'match'")" true "verify after convergence"
expect_eq "$(cloud -c "SELECT count(*) FROM remote_erp.big")" 999000 "rows after convergence"
expect_eq "$(cloud -c "SELECT (s ->> 'error_count') FROM berqenas.sync_status('erp') s")" 2 "error_count"

echo "== the caller rolls back after a successful sync: recorded failed (by a helper worker)"
jobs_before=$(cloud -c "SELECT count(*) FROM berqenas.sync_jobs")
cloud -c "BEGIN" -c "SELECT berqenas.sync('erp') ->> 'status'" -c "ROLLBACK" >/dev/null
wait_for_job() {   # $1 = jobs before; waits until a new job row shows; prints its status and error
    local row=""
    for _ in $(seq 100); do
        if [ "$(cloud -c "SELECT count(*) FROM berqenas.sync_jobs")" -gt "$1" ]; then
            row=$(cloud -c "SELECT status || ' ' || error FROM berqenas.sync_jobs ORDER BY id DESC LIMIT 1")
            break
        fi
        sleep 0.05
    done
    echo "$row"
}
expect_eq "$(wait_for_job "$jobs_before")" "failed the sync did not finish: its session ended or its transaction rolled back" "job after the caller's rollback"

echo "== local session terminated mid-sync: recorded failed (by a helper worker)"
jobs_before=$(cloud -c "SELECT count(*) FROM berqenas.sync_jobs")
local_before=$(cloud -c "SELECT count(*) || '/' || sum(b) FROM remote_erp.big")
run_sync_in_background "$out"
wait_for_rows >/dev/null || fail "no progress before terminate"
cloud -c "SELECT pg_terminate_backend(pid) FROM berqenas.sync_progress" >/dev/null
wait "$SYNCER" || true
expect_eq "$(wait_for_job "$jobs_before")" "failed the sync did not finish: its session ended or its transaction rolled back" "job after the session was terminated"
expect_eq "$(cloud -c "SELECT count(*) || '/' || sum(b) FROM remote_erp.big")" "$local_before" "local data after the session was terminated"
expect_eq "$(cloud -c "SELECT berqenas.sync('erp') ->> 'status'")" succeeded "sync after a terminated session"

if [ -x "$TDS_BIN" ]; then
    echo "== MSSQL (TDS test server): link dropped after N rows, error after N rows"
    cluster_psql onprem -f test/tds_server/mssql_types.sql >/dev/null
    onprem -c "CREATE TABLE items (id int PRIMARY KEY, name text, updated_at timestamp DEFAULT localtimestamp); INSERT INTO items SELECT g, 'item ' || g, localtimestamp FROM generate_series(1, 5000) g" >/dev/null
    start_tds() {   # extra args: fault flags; sets TDS_PORT
        TDS_PORT=$(free_port)
        "$TDS_BIN" --listen-port "$TDS_PORT" --pg-host 127.0.0.1 --pg-port "$onprem_PORT" "$@" >/dev/null 2>&1 &
        TDS_PIDS+=($!)
        for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$TDS_PORT") 2>/dev/null && return 0; sleep 0.1; done
        fail "TDS server did not start"
    }
    start_tds; good=$TDS_PORT
    start_tds --drop-after-rows 1500; dropping=$TDS_PORT
    start_tds --fail-after-rows 2500; failing=$TDS_PORT
    cloud -c "SELECT berqenas.register_remote_database('shop', 'mssql', '127.0.0.1', $good, 'postgres', 'postgres', 'postgres', 'dbo')" >/dev/null
    cloud -c "SELECT berqenas.configure_sync('shop', 'full', ARRAY['items'])" >/dev/null
    expect_eq "$(cloud -c "SELECT berqenas.sync('shop') ->> 'status'")" succeeded "MSSQL first sync"
    onprem -c "UPDATE items SET name = 'changed' WHERE id <= 10" >/dev/null
    for port in "$dropping" "$failing"; do
        cloud -c "UPDATE berqenas.remote_database_registry SET port = $port WHERE name = 'shop'" >/dev/null
        err=$(cluster_psql cloud -At -v ON_ERROR_STOP=0 -c "SELECT berqenas.sync('shop')" 2>&1 || true)
        echo "$err" | head -2
        echo "$err" | grep -q ERROR || fail "sync through a faulty link succeeded"
        row=$(cloud -c "SELECT status FROM berqenas.sync_jobs ORDER BY id DESC LIMIT 1")
        expect_eq "$row" failed "MSSQL job after a fault (port $port)"
        expect_eq "$(cloud -c "SELECT count(*) || '/' || count(*) FILTER (WHERE name = 'changed') FROM remote_shop.items")" "5000/0" "local data after a fault"
    done
    cloud -c "UPDATE berqenas.remote_database_registry SET port = $good WHERE name = 'shop'" >/dev/null
    expect_eq "$(cloud -c "SELECT berqenas.sync('shop') ->> 'status'")" succeeded "MSSQL sync after faults"
    expect_eq "$(cloud -c "SELECT count(*) FILTER (WHERE name = 'changed') FROM remote_shop.items")" 10 "MSSQL convergence"
    expect_eq "$(cloud -c "SELECT berqenas.verify('shop') ->> 'match'")" true "MSSQL verify"
else
    echo "(TDS test server not built: MSSQL fault part skipped)"
fi

echo "== without shared_preload_libraries: realtime refuses with 55000"
cluster_start plain "max_worker_processes = 16"
cluster_psql plain -At -c "CREATE EXTENSION berqenas" >/dev/null
cluster_psql plain -At -c "SELECT berqenas.register_remote_database('erp', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'public')" >/dev/null
err=$(cluster_psql plain -At -v ON_ERROR_STOP=0 -v VERBOSITY=verbose -c "\set VERBOSITY verbose" -c "SELECT berqenas.configure_sync('erp', 'realtime', ARRAY['big'])" 2>&1 || true)
echo "$err"
echo "$err" | grep -q "ERROR:  55000: realtime sync needs berqenas to be loaded at server start" || fail "no 55000"
echo "$err" | grep -q "shared_preload_libraries" || fail "no hint"
expect_eq "$(onprem -c "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'berqenas%'")" 0 "no capture installed"
# Syncs themselves still work without preloading (their failures are still recorded).
expect_eq "$(cluster_psql plain -At -c "SELECT berqenas.sync('erp', ARRAY['big']) ->> 'status'")" succeeded "sync without preload"
echo "all sync failure checks passed"
