#!/usr/bin/env bash
# berqenas_fdw against MSSQL (the TDS test server) when things go wrong: the link dropped mid-scan
# (08006, the next query reconnects), a remote error mid-result, a cancel from another session
# (57014, the remote query stops, the connection is reused), a remote silent past query_timeout
# (57014), and a refused login (28000, 18456).
set -euo pipefail
. "$(dirname "$0")/../tds_server/tests/integration_lib.sh"
tds_setup
_FDW_BG=()
_fdw_cleanup() {
    local pid
    for pid in "${_FDW_BG[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    _tds_cleanup
}
trap _fdw_cleanup EXIT
cluster_start cloud "shared_preload_libraries = 'berqenas'"
cloud() { cluster_psql cloud -At "$@"; }
# Runs SQL in one session, errors shown with their SQLSTATE, never failing the script.
cloud_try() { cluster_psql cloud -At -v ON_ERROR_STOP=0 -v VERBOSITY=verbose "$@" 2>&1 || true; }

cluster_psql onprem -q -c "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, 5000) g" \
    -c "ALTER TABLE big ADD PRIMARY KEY (id)"
cloud -q <<SQL
CREATE EXTENSION berqenas;
SET client_min_messages = warning;
SELECT berqenas.register_remote_database('ms', 'mssql', '127.0.0.1', $TDS_PORT, 'postgres', 'postgres', 'postgres');
CREATE SERVER ms FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'ms');
IMPORT FOREIGN SCHEMA dbo LIMIT TO (big) FROM SERVER ms INTO public;
CREATE FOREIGN TABLE sleeper (x text) SERVER ms OPTIONS (query 'SELECT CAST(pg_sleep(30) AS NVARCHAR(10)) AS x');
-- count(*) over big itself is sent whole (one row back); this brings every row across.
CREATE VIEW big_rows AS SELECT * FROM big OFFSET 0;
SQL
expect_eq "the table reads whole" "5000" "$(cloud -c "SELECT count(*) FROM big")"

echo "== the link drops mid-scan"
out=$(cloud_try <<'SQL'
SELECT berqenas.fdw_execute('ms', 'SET BERQENAS_FAULT drop_after_rows 1200');
SELECT count(*) FROM big_rows;
SELECT 'next: ' || count(*) FROM big;
SQL
)
expect_contains "a dropped link is 08006" "ERROR:  08006: connection to mssql://postgres@127.0.0.1:$TDS_PORT/postgres was lost during reading rows" "$out"
expect_contains "the next query reconnects and reads everything" "next: 5000" "$out"
out=$(cloud_try <<'SQL'
BEGIN;
SELECT berqenas.fdw_execute('ms', 'SET BERQENAS_FAULT drop_after_rows 10');
SAVEPOINT s;
SELECT count(*) FROM big_rows;
ROLLBACK TO SAVEPOINT s;
SELECT count(*) FROM big WHERE id < 5;
COMMIT;
SELECT 'after rollback: ' || count(*) FROM big;
SQL
)
expect_contains "inside a transaction the lost link keeps failing (no half-remote commit)" "08006: the connection to server \"ms\" was lost during this transaction" "$out"
expect_contains "the next transaction reconnects" "after rollback: 5000" "$out"

echo "== a remote error mid-result"
out=$(cloud_try <<'SQL'
SELECT berqenas.fdw_execute('ms', 'SET BERQENAS_FAULT fail_after_rows 2500');
SELECT count(*) FROM big_rows;
SELECT 'same connection: ' || count(*) FROM big WHERE id <= 100;
SELECT berqenas.fdw_execute('ms', 'SET BERQENAS_FAULT off');
SELECT 'fault off: ' || count(*) FROM big;
SQL
)
expect_contains "the remote error keeps its number and text" "SQL Server error 50000: berqenas fault: failing the result after 2500 rows" "$out"
expect_contains "the connection stays usable" "same connection: 100" "$out"
expect_contains "and reads everything once the fault is off" "fault off: 5000" "$out"

echo "== cancel from another session"
run_cancelled() {   # $1 = application_name, stdin = the session's SQL; prints the session's output
    local app=$1 outfile sqlfile; outfile=$(mktemp); sqlfile=$(mktemp)
    cat >"$sqlfile"   # a background job's stdin would be /dev/null
    (PGAPPNAME=$app cloud_try -f "$sqlfile" >"$outfile") &
    local bg=$!; _FDW_BG+=("$bg")
    local pid=""
    for _ in $(seq 100); do
        pid=$(cloud -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$app' AND query LIKE '%FROM %' AND state = 'active'")
        [ -n "$pid" ] && break
        sleep 0.1
    done
    [ -n "$pid" ] || { echo "FAIL the session never started its query" >&2; cat "$outfile" >&2; exit 1; }
    sleep 1
    local start; start=$(date +%s%N)
    cloud -c "SELECT pg_cancel_backend($pid)" >/dev/null
    wait "$bg" || true
    echo "cancel_ms=$(( ($(date +%s%N) - start) / 1000000 ))"
    cat "$outfile"; rm -f "$outfile" "$sqlfile"
}
out=$(run_cancelled canceller <<'SQL'
SELECT 'pid before: ' || x FROM (SELECT berqenas.fdw_execute('ms', 'SET BERQENAS_FAULT row_delay_ms 20') AS x) s;
SELECT count(*) FROM big_rows;
SELECT 'reused: ' || count(*) FROM big WHERE id <= 20;
SQL
)
expect_contains "a cancelled scan is 57014" "ERROR:  57014: canceling statement due to user request" "$out"
expect_contains "the same connection answers the next query" "reused: 20" "$out"
CANCEL_MS=$(sed -n 's/^cancel_ms=//p' <<<"$out")
if [ "$CANCEL_MS" -lt 5000 ]; then echo "ok   the slow scan stopped ${CANCEL_MS} ms after the cancel"; else echo "FAIL cancel took ${CANCEL_MS} ms"; exit 1; fi
out=$(run_cancelled sleeper <<'SQL'
SELECT * FROM sleeper;
SELECT 'after sleeper: ' || count(*) FROM big WHERE id <= 7;
SQL
)
expect_contains "a cancelled remote pg_sleep is 57014" "ERROR:  57014: canceling statement due to user request" "$out"
expect_contains "the connection is reused after it" "after sleeper: 7" "$out"
sleep 0.3
expect_eq "the remote query really stopped" "0" \
    "$(cluster_psql onprem -At -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND state = 'active' AND pid <> pg_backend_pid()")"

echo "== query_timeout"
out=$(cloud_try <<'SQL'
CREATE SERVER ms_timeout FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'ms', query_timeout '2');
CREATE FOREIGN TABLE slow_answer (x text) SERVER ms_timeout OPTIONS (query 'SELECT CAST(pg_sleep(30) AS NVARCHAR(10)) AS x');
CREATE FOREIGN TABLE big_with_timeout (id int, payload text) SERVER ms_timeout OPTIONS (table_name 'big');
SELECT 'started ' || extract(epoch FROM clock_timestamp())::bigint;
SELECT * FROM slow_answer;
SELECT 'stopped ' || extract(epoch FROM clock_timestamp())::bigint;
SELECT 'then: ' || count(*) FROM big_with_timeout WHERE id <= 30;
SQL
)
expect_contains "a remote that does not answer within query_timeout is 57014" "ERROR:  57014: remote mssql://postgres@127.0.0.1:$TDS_PORT/postgres: query timed out" "$out"
waited=$(( $(sed -n 's/^stopped //p' <<<"$out") - $(sed -n 's/^started //p' <<<"$out") ))
if [ "$waited" -ge 1 ] && [ "$waited" -le 6 ]; then echo "ok   it gave up after about 2 s (${waited} s)"; else echo "FAIL gave up after ${waited} s"; exit 1; fi
expect_contains "the connection answers the next query" "then: 30" "$out"

echo "== refused login"
tds_start_server REFUSE_PORT --refuse-logins
out=$(cloud_try <<SQL
CREATE SERVER ms_refused FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (database_type 'mssql', host '127.0.0.1', port '$REFUSE_PORT', dbname 'postgres');
CREATE USER MAPPING FOR CURRENT_USER SERVER ms_refused OPTIONS (username 'postgres', password 'postgres');
CREATE FOREIGN TABLE refused_big (id int) SERVER ms_refused OPTIONS (table_name 'big');
SELECT count(*) FROM refused_big;
SQL
)
expect_contains "a refused login is 28000" "ERROR:  28000: cannot connect to mssql://postgres@127.0.0.1:$REFUSE_PORT/postgres" "$out"
expect_contains "with SQL Server's 18456 in DETAIL" "server error 18456: Login failed for user 'postgres'" "$out"
expect_eq "other servers are unaffected" "5000" "$(cloud -c "SELECT count(*) FROM big")"
tds_done
