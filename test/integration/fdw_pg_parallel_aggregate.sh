#!/usr/bin/env bash
# An aggregate without GROUP BY pushed to a PostgreSQL remote returns at most one row, so it is sent
# as a plain query instead of through a cursor: the remote may then run it with parallel workers (a
# cursor's query never gets a parallel plan). Checked on the remote itself (auto_explain's plans in
# its log), together with: the same answer as the remote's own, GROUP BY still through a cursor, and
# a local statement_timeout still cancelling the remote query.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
trap cluster_cleanup EXIT
fail() { echo "FAIL $*"; exit 1; }
expect_eq() { [ "$3" == "$2" ] && echo "ok   $1" || fail "$1: expected '$2', got '$3'"; }

cluster_start cloud "shared_preload_libraries = 'berqenas'"
# The remote plans parallel scans even for this small table and logs every plan.
cluster_start onprem "session_preload_libraries = 'auto_explain'" "auto_explain.log_min_duration = 0" \
    "parallel_setup_cost = 0" "parallel_tuple_cost = 0" "min_parallel_table_scan_size = 0" \
    "log_min_duration_statement = 0"
cloud() { cluster_psql cloud -At "$@"; }
onprem() { cluster_psql onprem -At "$@"; }
remote_log() { cluster_log onprem; }

onprem -q -c "CREATE TABLE facts AS SELECT g AS id, g % 10 AS grp, md5(g::text) AS payload FROM generate_series(1, 100000) g" \
    -c "ANALYZE facts" \
    -c "CREATE VIEW slow_facts AS SELECT id FROM facts WHERE pg_sleep(0.01) IS NOT NULL"
cloud -q <<SQL
CREATE EXTENSION berqenas;
SET client_min_messages = warning;
SELECT berqenas.register_remote_database('erp', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres') > 0;
CREATE SERVER erp FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'erp');
CREATE FOREIGN TABLE facts (id int, grp int, payload text) SERVER erp OPTIONS (schema_name 'public', table_name 'facts');
CREATE FOREIGN TABLE slow_facts (id int) SERVER erp OPTIONS (schema_name 'public', table_name 'slow_facts');
SQL

echo "== a single-row aggregate: plain query, parallel plan on the remote, same answer"
expected=$(onprem -c "SELECT count(*), sum(id), max(payload) FROM facts")
before=$(remote_log | wc -l)
expect_eq "answer" "$expected" "$(cloud -c "SELECT count(*), sum(id), max(payload) FROM facts")"
sent=$(remote_log | tail -n +"$((before + 1))")
grep -q 'execute <unnamed>: SELECT count(\*), sum("id"), max(("payload")::text) FROM "public"."facts"' <<<"$sent" \
    || fail "the aggregate was not sent as a plain query: $sent"
grep -q "DECLARE" <<<"$sent" && fail "a cursor was used for a single-row aggregate: $sent"
grep -q "Workers Planned" <<<"$sent" || fail "no parallel plan on the remote: $sent"
echo "ok   sent as a plain query with a parallel plan"
expect_eq "EXPLAIN shows it pushed down" "1" \
    "$(cloud -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*) FROM facts" | grep -c 'Remote SQL: SELECT count(\*) FROM "public"."facts"')"
expect_eq "empty input: one row" "0|" "$(cloud -c "SELECT count(*), sum(id) FROM facts WHERE id < 0")"

echo "== GROUP BY (any number of rows) still goes through a cursor"
before=$(remote_log | wc -l)
expect_eq "grouped answer" "$(onprem -c "SELECT grp, count(*) FROM facts GROUP BY grp ORDER BY grp" | tr '\n' ' ')" \
    "$(cloud -c "SELECT grp, count(*) FROM facts GROUP BY grp ORDER BY grp" | tr '\n' ' ')"
remote_log | tail -n +"$((before + 1))" | grep -q "DECLARE berqenas_c" || fail "GROUP BY did not use a cursor"
echo "ok   cursor for GROUP BY"

echo "== a local statement_timeout cancels the remote aggregate"
err=$(cluster_psql cloud -At -v ON_ERROR_STOP=0 -v VERBOSITY=verbose -c "SET statement_timeout = '500ms'" \
      -c "SELECT count(*) FROM slow_facts" 2>&1 || true)
grep -q "57014" <<<"$err" || fail "expected 57014: $err"
echo "ok   57014"
for _ in $(seq 50); do
    [ "$(onprem -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'berqenas_fdw' AND state = 'active'")" = 0 ] && break
    sleep 0.1
done
expect_eq "remote query gone" 0 "$(onprem -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'berqenas_fdw' AND state = 'active'")"
expect_eq "the connection works after the cancel" "$expected" "$(cloud -c "SELECT count(*), sum(id), max(payload) FROM facts")"
echo "PASS"
