#!/usr/bin/env bash
# berqenas_fdw against a PostgreSQL remote when things go wrong: a cancel of a long foreign scan
# from another session (57014, the remote query stops, the same remote backend serves the next
# query), and the remote backend terminated mid-transaction (08006, nothing half-committed, the
# next transaction reconnects).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
BG=()
cleanup() {
    local pid
    for pid in "${BG[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    cluster_cleanup
}
trap cleanup EXIT
fail() { echo "FAIL $*"; exit 1; }
expect_eq() { [ "$3" == "$2" ] && echo "ok   $1" || fail "$1: expected '$2', got '$3'"; }
expect_contains() { [[ "$3" == *"$2"* ]] && echo "ok   $1" || fail "$1: expected to contain '$2' in: $3"; }

cluster_start cloud "shared_preload_libraries = 'berqenas'"
cluster_start onprem
cloud() { cluster_psql cloud -At "$@"; }
onprem() { cluster_psql onprem -At "$@"; }
cloud_try() { cluster_psql cloud -At -v ON_ERROR_STOP=0 -v VERBOSITY=verbose "$@" 2>&1 || true; }

onprem -q -c "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, 200000) g" \
    -c "ALTER TABLE big ADD PRIMARY KEY (id)"
cloud -q <<SQL
CREATE EXTENSION berqenas;
SET client_min_messages = warning;
SELECT berqenas.register_remote_database('pg', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres');
CREATE SERVER pg FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'pg');
IMPORT FOREIGN SCHEMA public LIMIT TO (big) FROM SERVER pg INTO public;
-- A scan that takes minutes: every row waits 10 ms on the remote.
CREATE FOREIGN TABLE slow_big (id int, payload text) SERVER pg
    OPTIONS (query 'SELECT id, payload FROM public.big WHERE pg_catalog.pg_sleep(0.01) IS NOT NULL');
CREATE FOREIGN TABLE remote_pid (pid int) SERVER pg OPTIONS (query 'SELECT pg_catalog.pg_backend_pid() AS pid');
SQL
expect_eq "the table reads whole" "200000" "$(cloud -c "SELECT count(*) FROM big")"

echo "== cancel a long foreign scan from another session"
sql=$(mktemp); out=$(mktemp)
cat >"$sql" <<'SQL'
SELECT 'before: ' || pid FROM remote_pid;
SELECT count(*) FROM slow_big;
SELECT 'after: ' || pid FROM remote_pid;
SELECT 'reused: ' || count(*) FROM big;
SQL
(PGAPPNAME=canceller cloud_try -f "$sql" >"$out") &
BG+=($!)
pid=""
for _ in $(seq 100); do
    pid=$(cloud -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'canceller' AND query LIKE '%slow_big%' AND state = 'active'")
    [ -n "$pid" ] && break
    sleep 0.1
done
[ -n "$pid" ] || fail "the scan never started: $(cat "$out")"
sleep 1
# (count(*) is sent whole: a single-row aggregate runs as a plain query, not through a cursor, and
# may have parallel workers, which are not client backends)
expect_eq "the remote is running the scan" "1" \
    "$(onprem -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'berqenas_fdw' AND state = 'active'
                  AND backend_type = 'client backend'
                  AND (query LIKE 'FETCH%' OR query LIKE 'SELECT count(*) FROM (SELECT id, payload FROM public.big%')")"
start=$(date +%s%N)
cloud -c "SELECT pg_cancel_backend($pid)" >/dev/null
wait "${BG[-1]}" || true
ms=$(( ($(date +%s%N) - start) / 1000000 ))
result=$(cat "$out")
expect_contains "the cancelled scan is 57014" "ERROR:  57014: canceling statement due to user request" "$result"
[ "$ms" -lt 5000 ] && echo "ok   it stopped ${ms} ms after the cancel" || fail "the cancel took ${ms} ms"
expect_eq "the remote query really stopped" "0" \
    "$(onprem -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'berqenas_fdw' AND state = 'active'")"
before=$(sed -n 's/^before: //p' <<<"$result"); after=$(sed -n 's/^after: //p' <<<"$result")
expect_eq "the same remote backend serves the next query" "$before" "$after"
expect_contains "and reads the whole table" "reused: 200000" "$result"

echo "== the remote backend terminated mid-transaction"
cat >"$sql" <<'SQL'
BEGIN;
INSERT INTO big VALUES (300001, 'written before the link died');
SELECT 'remote pid: ' || pid FROM remote_pid;
\! sleep 2
SELECT count(*) FROM big WHERE id > 300000;
COMMIT;
SELECT 'next transaction: ' || count(*) FROM big;
SQL
(PGAPPNAME=terminated cloud_try -f "$sql" >"$out") &
BG+=($!)
rpid=""
for _ in $(seq 100); do
    rpid=$(sed -n 's/^remote pid: //p' "$out")
    [ -n "$rpid" ] && break
    sleep 0.1
done
[ -n "$rpid" ] || fail "the transaction never started: $(cat "$out")"
expect_eq "terminated the remote backend" "t" "$(onprem -c "SELECT pg_terminate_backend($rpid)")"
wait "${BG[-1]}" || true
result=$(cat "$out")
expect_contains "the next statement is 08006" "ERROR:  08006:" "$result"
expect_eq "the remote kept nothing of the transaction" "0" "$(onprem -c "SELECT count(*) FROM big WHERE id > 300000")"
expect_contains "the next transaction reconnects" "next transaction: 200000" "$result"
rm -f "$sql" "$out"
echo "all checks passed"
