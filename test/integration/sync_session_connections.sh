#!/usr/bin/env bash
# A session keeps a sync's remote connection for its next sync of the same database
# (berqenas.sync_keep_connections): reused when it still answers, replaced when the remote closed
# it, closed by berqenas.sync_disconnect(), never kept when the setting is off or the sync failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
. test/lib/sync_pair.sh
trap cluster_cleanup EXIT

start_sync_pair

onprem >/dev/null <<'SQL'
CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL, updated_at timestamp NOT NULL DEFAULT localtimestamp);
INSERT INTO items (id, qty) SELECT g, g FROM generate_series(1, 100) g;
SQL
sync_erp incremental items
remote_sessions() { onprem -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'berqenas'"; }
connect_line="SELECT (SELECT message FROM berqenas.sync_logs('erp', 20, 'debug') l WHERE l.message LIKE 'job recorded%'
               AND l.sync_id = (SELECT max(sync_id) FROM berqenas.sync_jobs))"

echo "== the second sync of a session reuses the first one's connection"
out=$(cloud -c "SELECT berqenas.sync('erp') ->> 'status'" -c "$connect_line" \
            -c "SELECT berqenas.sync('erp') ->> 'status'" -c "$connect_line")
echo "$out"
expect_eq "$(sed -n 1p <<<"$out")" succeeded "first sync"
grep -q "connected to the remote in" <<<"$(sed -n 2p <<<"$out")" || fail "the first sync should connect"
expect_eq "$(sed -n 3p <<<"$out")" succeeded "second sync"
grep -q "reused the session's remote connection" <<<"$(sed -n 4p <<<"$out")" || fail "the second sync should reuse"
# The session has ended: its kept connection went with it.
for _ in $(seq 50); do [ "$(remote_sessions)" = 0 ] && break; sleep 0.1; done
expect_eq "$(remote_sessions)" 0 "a kept connection closes with its session"

echo "== a kept connection the remote closed is replaced, and the sync succeeds"
fifo=$(mktemp -u); mkfifo "$fifo"
res=$(mktemp)
( cluster_psql cloud -At -v ON_ERROR_STOP=0 <"$fifo" >"$res" 2>&1 ) &
holder=$!
exec 7>"$fifo"
echo "SELECT berqenas.sync('erp') ->> 'status';" >&7
for _ in $(seq 100); do [ "$(remote_sessions)" = 1 ] && break; sleep 0.05; done
expect_eq "$(remote_sessions)" 1 "the session keeps one remote connection between syncs"
onprem -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'berqenas'" >/dev/null
onprem -c "UPDATE items SET qty = -1, updated_at = localtimestamp WHERE id = 7" >/dev/null
echo "SELECT berqenas.sync('erp') ->> 'status';" >&7
echo "$connect_line;" >&7
echo "SELECT qty FROM remote_erp.items WHERE id = 7;" >&7
echo "SELECT berqenas.sync_disconnect();" >&7
echo "SELECT pg_sleep(0.3);" >&7
echo "\\! psql -X -At -h 127.0.0.1 -p $onprem_PORT -U postgres -d postgres -c \"SELECT 'remote sessions ' || count(*) FROM pg_stat_activity WHERE application_name = 'berqenas'\"" >&7
echo "SET berqenas.sync_keep_connections = off;" >&7
echo "SELECT berqenas.sync('erp') ->> 'status';" >&7
echo "SELECT pg_sleep(0.3);" >&7
echo "\\! psql -X -At -h 127.0.0.1 -p $onprem_PORT -U postgres -d postgres -c \"SELECT 'remote sessions ' || count(*) FROM pg_stat_activity WHERE application_name = 'berqenas'\"" >&7
echo "SELECT berqenas.sync_disconnect();" >&7
exec 7>&-
wait "$holder" || true
cat "$res"
expect_eq "$(sed -n 2p "$res")" succeeded "the sync after the remote closed the kept connection"
grep -q "connected to the remote in" <<<"$(sed -n 3p "$res")" || fail "a closed kept connection must be replaced"
expect_eq "$(sed -n 4p "$res")" -1 "the change arrived"
expect_eq "$(sed -n 5p "$res")" 1 "sync_disconnect closes the kept connection"
expect_eq "$(sed -n 7p "$res")" "remote sessions 0" "no remote session after sync_disconnect"
expect_eq "$(sed -n 8p "$res")" succeeded "sync with sync_keep_connections off"
expect_eq "$(sed -n 10p "$res")" "remote sessions 0" "nothing kept when sync_keep_connections is off"
expect_eq "$(sed -n 11p "$res")" 0 "nothing to disconnect"
echo "== the realtime worker's initial sync does not keep a second connection"
cloud -c "SELECT berqenas.register_remote_database('erp2', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'public')" >/dev/null
cloud -c "SELECT berqenas.configure_sync('erp2', 'realtime', ARRAY['items'], target_schema => 'rt_copy')" >/dev/null
for _ in $(seq 100); do
    [ "$(cloud -c "SELECT count(*) FROM berqenas.sync_jobs j JOIN berqenas.remote_databases r ON r.id = j.remote_database_id
                   WHERE r.name = 'erp2' AND j.status = 'succeeded'")" -ge 1 ] && break
    sleep 0.1
done
expect_eq "$(cloud -c "SELECT count(*) FROM rt_copy.items")" 100 "the worker's initial sync copied the table"
sleep 0.5
expect_eq "$(remote_sessions)" 1 "only the realtime worker's own connection stays open"
cloud -c "SELECT berqenas.configure_sync('erp2', 'full', ARRAY['items'], target_schema => 'rt_copy')" >/dev/null
echo "session connection checks passed"
