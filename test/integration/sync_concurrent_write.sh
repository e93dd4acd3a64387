#!/usr/bin/env bash
# An incremental sync updates the rows it found at the address it found them. When a local
# transaction changes one of those rows in between (here: it holds the row locked, the sync waits for
# it, then it commits), the sync must not skip the row silently: it fails with 40001, keeps nothing,
# is recorded failed, and the next sync applies every change.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
. test/lib/sync_pair.sh
HOLDER=""
cleanup() { [ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null; cluster_cleanup; }
trap cleanup EXIT

start_sync_pair

onprem >/dev/null <<'SQL'
CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL, updated_at timestamp NOT NULL DEFAULT localtimestamp);
INSERT INTO items (id, qty) SELECT g, g FROM generate_series(1, 100) g;
SQL
sync_erp incremental items
expect_eq "$(cloud -c "SELECT berqenas.sync('erp') ->> 'status'")" succeeded "first sync"

echo "== a local transaction changes a row the sync is applying"
onprem -c "UPDATE items SET qty = qty + 1000, updated_at = localtimestamp WHERE id <= 10" >/dev/null
# Hold row 5 locked, changed, uncommitted; commit it once the sync waits for the lock.
fifo=$(mktemp -u); mkfifo "$fifo"
( cluster_psql cloud -At <"$fifo" >/dev/null 2>&1 ) &
HOLDER=$!
exec 7>"$fifo"
echo "BEGIN; UPDATE remote_erp.items SET qty = -5 WHERE id = 5;" >&7
for _ in $(seq 100); do
    [ "$(cloud -c "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'items' AND l.mode = 'RowExclusiveLock' AND l.granted")" -ge 1 ] && break
    sleep 0.05
done
out=$(mktemp)
( cluster_psql cloud -At -v ON_ERROR_STOP=0 -v VERBOSITY=verbose -c "SELECT berqenas.sync('erp') ->> 'status'" >"$out" 2>&1 ) &
SYNCER=$!
for _ in $(seq 200); do
    [ "$(cloud -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%berqenas.sync%'")" = 1 ] && break
    sleep 0.05
done
echo "COMMIT;" >&7
exec 7>&-
wait "$SYNCER" || true
wait "$HOLDER" 2>/dev/null || true
HOLDER=""
cat "$out"
grep -q "ERROR:  40001: 1 row(s) of \"remote_erp\".\"items\" were changed by another transaction while this sync applied them" "$out" \
    || fail "no 40001 for the skipped row"
expect_eq "$(cloud -c "SELECT status FROM berqenas.sync_jobs ORDER BY id DESC LIMIT 1")" failed "the failed sync is recorded"
expect_eq "$(cloud -c "SELECT qty FROM remote_erp.items WHERE id = 5")" -5 "the local change stays, the sync kept nothing"
expect_eq "$(cloud -c "SELECT count(*) FROM remote_erp.items WHERE qty > 1000")" 0 "no row of the failed sync was kept"

echo "== the next sync applies every change"
expect_eq "$(cloud -c "SELECT berqenas.sync('erp') ->> 'status'")" succeeded "next sync"
expect_eq "$(cloud -c "SELECT count(*) FROM remote_erp.items WHERE qty > 1000")" 10 "all ten changed rows applied"
expect_eq "$(cloud -c "SELECT qty FROM remote_erp.items WHERE id = 5")" 1005 "row 5 follows the remote again"
echo "concurrent write checks passed"
