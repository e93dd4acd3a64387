#!/usr/bin/env bash
# A full sync's one sort, the index rebuild at the swap, gets berqenas.sync_index_build_memory
# instead of maintenance_work_mem, so a full sync's memory does not grow with the table: with a small
# setting the sort spills to temporary files (PostgreSQL logs each one with log_temp_files = 0),
# with -1 it has maintenance_work_mem and needs none. Out-of-range values are refused.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
. test/lib/sync_pair.sh
trap cluster_cleanup EXIT

start_sync_pair
onprem >/dev/null <<'SQL'
CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, updated_at timestamp NOT NULL DEFAULT localtimestamp);
INSERT INTO items (id, name) SELECT g, 'item ' || g FROM generate_series(1, 50000) g;
SQL
sync_erp full items

expect_eq "$(cloud -c "SHOW berqenas.sync_index_build_memory")" 2MB "default"

# Temporary files the full sync's sort wrote (their LOG lines, sent to this client); "sync failed"
# instead of a count when the sync did not succeed, so no comparison below can pass on a failure.
temp_files() {   # $1 = setting
    local out
    out=$(cluster_psql cloud -At -c "SET log_temp_files = 0" -c "SET client_min_messages = log" \
        -c "SET berqenas.sync_index_build_memory = '$1'" \
        -c "SELECT berqenas.sync('erp', \"full\" => true) ->> 'status'" 2>&1 || true)
    echo "$out" >&2
    if grep -qx "succeeded" <<<"$out"; then grep -c "temporary file" <<<"$out" || true; else echo "sync failed"; fi
}
echo "== 1MB: the index sort spills"
n=$(temp_files 1MB)
[ "$n" -ge 1 ] 2>/dev/null || fail "expected temporary files from the index sort with 1MB, got $n"
echo "== -1: maintenance_work_mem (64MB) holds the sort"
expect_eq "$(temp_files -1)" 0 "temporary files with maintenance_work_mem"
expect_eq "$(cloud -c "SELECT count(*) FROM remote_erp.items")" 50000 "rows after the syncs"
expect_eq "$(cloud -c "SELECT count(*) FROM pg_indexes WHERE schemaname = 'remote_erp' AND tablename = 'items'")" 1 "primary key index"
expect_eq "$(cloud -c "SELECT count(*) FROM remote_erp.items WHERE id = 4242")" 1 "index lookup"
echo "== the setting stays the caller's after the sync"
expect_eq "$(cloud -c "SET maintenance_work_mem = '7MB'" -c "SELECT berqenas.sync('erp', \"full\" => true) ->> 'status'" -c "SHOW maintenance_work_mem")" "succeeded
7MB" "maintenance_work_mem after a sync"

echo "== out of range: below maintenance_work_mem's own minimum of 1MB"
err=$(cloud -c "SET berqenas.sync_index_build_memory = '512kB'" 2>&1 || true)
echo "$err"
grep -q 'invalid value for parameter "berqenas.sync_index_build_memory": 512' <<<"$err" || fail "error for 512kB: $err"
grep -q 'Use -1 (maintenance_work_mem) or at least 1MB' <<<"$err" || fail "detail for 512kB: $err"
err=$(cloud -c "SET berqenas.sync_index_build_memory = -2" 2>&1 || true)
echo "$err"
grep -q 'outside the valid range for parameter "berqenas.sync_index_build_memory"' <<<"$err" || fail "error for -2: $err"
echo "PASS"
