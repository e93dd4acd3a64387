#!/usr/bin/env bash
# berqenas_fdw benchmark, one run, side by side on the same clusters and TDS test server:
#   - scan of ROWS rows (int, bigint, numeric, timestamp, text) into SELECT count(*), sum(...);
#   - INSERT INTO local SELECT * FROM foreign;
# berqenas_fdw vs postgres_fdw on the same PostgreSQL remote, berqenas_fdw vs tds_fdw (tds_version
# 7.4) on the same TDS server, and the INSERT vs a `psql \copy ... to stdout | psql \copy ... from
# stdin` pipe. Each figure is the median of RUNS runs, the peers taking turns (every run's time is
# printed to stderr). Prints every figure, the ratios against the aims (>= postgres_fdw speed, >= 2x
# tds_fdw, within 1.5x of the COPY pipe) and peak backend memory.
#
#   bench/fdw_bench.sh                 # defaults: ROWS=1000000 RUNS=3
#   ONLY=mssql_insert bench/fdw_bench.sh   # just the MSSQL INSERTs (ours, tds_fdw) and the COPY pipe
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
ONLY=${ONLY:-}
BUILD=${BERQENAS_BUILD_DIR:-build}
TDS_BIN=$BUILD/test/tds_server/berqenas-tds-server
. test/lib/cluster.sh
TDS_PID=""
cleanup() {
    [ -n "$TDS_PID" ] && { kill "$TDS_PID" 2>/dev/null || true; wait "$TDS_PID" 2>/dev/null || true; }
    cluster_cleanup
}
trap cleanup EXIT
[ -x "$TDS_BIN" ] || { echo "missing $TDS_BIN (cmake --build build --target berqenas-tds-server)"; exit 1; }

cluster_start cloud "shared_preload_libraries = 'berqenas'" "max_wal_size = '4GB'"
cluster_start onprem "max_wal_size = '4GB'"
cloud() { cluster_psql cloud -At "$@"; }
onprem() { cluster_psql onprem -At "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)"
echo "date:    $(date -u +%Y-%m-%d)"
echo "rows:    $ROWS (int, bigint, numeric(18,6), timestamp, text), median of $RUNS runs"
echo

onprem -q -f test/tds_server/mssql_types.sql
# The MSSQL side reads the same rows with the timestamp as SQL Server's datetime: tds_fdw converts
# datetime natively, but datetime2 only through FreeTDS's locale text, which PostgreSQL cannot parse.
onprem -q <<SQL
CREATE TABLE bench_rows AS
    SELECT g AS id, g::bigint * 1000003 AS big, (g / 7.0)::numeric(18,6) AS amount,
           (timestamp '2024-01-01' + g * interval '1 second')::timestamp(3) AS at, md5(g::text) AS note
      FROM generate_series(1, $ROWS) g;
CREATE TABLE bench_rows_ms AS SELECT id, big, amount, at::mssql_datetime AS at, note FROM bench_rows;
VACUUM ANALYZE bench_rows; VACUUM ANALYZE bench_rows_ms;
SQL
TDS_PORT=$(free_port)
"$TDS_BIN" --listen-port "$TDS_PORT" --pg-host 127.0.0.1 --pg-port "$onprem_PORT" >/dev/null 2>&1 &
TDS_PID=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$TDS_PORT") 2>/dev/null && break; sleep 0.05; done

cloud -q <<SQL
CREATE EXTENSION berqenas; CREATE EXTENSION postgres_fdw; CREATE EXTENSION tds_fdw;
SET client_min_messages = warning;
\\o /dev/null
SELECT berqenas.register_remote_database('pg', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres');
SELECT berqenas.register_remote_database('ms', 'mssql', '127.0.0.1', $TDS_PORT, 'postgres', 'postgres', 'postgres');
\\o
CREATE SERVER berq_pg FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'pg');
CREATE SERVER berq_ms FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'ms');
CREATE SERVER pgfdw FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '$onprem_PORT', dbname 'postgres', fetch_size '1000');
CREATE USER MAPPING FOR postgres SERVER pgfdw OPTIONS (user 'postgres', password 'postgres');
CREATE SERVER tdsfdw FOREIGN DATA WRAPPER tds_fdw OPTIONS (servername '127.0.0.1', port '$TDS_PORT', database 'postgres', tds_version '7.4', msg_handler 'blackhole');
CREATE USER MAPPING FOR postgres SERVER tdsfdw OPTIONS (username 'postgres', password 'postgres');
CREATE SCHEMA berq_pg; CREATE SCHEMA berq_ms; CREATE SCHEMA pgfdw; CREATE SCHEMA tdsfdw;
CREATE FOREIGN TABLE berq_pg.rows (id int, big bigint, amount numeric(18,6), at timestamp, note text)
    SERVER berq_pg OPTIONS (schema_name 'public', table_name 'bench_rows');
CREATE FOREIGN TABLE berq_ms.rows (id int, big bigint, amount numeric(18,6), at timestamp, note text)
    SERVER berq_ms OPTIONS (schema_name 'dbo', table_name 'bench_rows_ms');
CREATE FOREIGN TABLE pgfdw.rows (id int, big bigint, amount numeric(18,6), at timestamp, note text)
    SERVER pgfdw OPTIONS (schema_name 'public', table_name 'bench_rows');
CREATE FOREIGN TABLE tdsfdw.rows (id int, big bigint, amount numeric(18,6), at timestamp, note text)
    SERVER tdsfdw OPTIONS (schema_name 'dbo', table_name 'bench_rows_ms');
CREATE TABLE local_rows (id int, big bigint, amount numeric(18,6), at timestamp, note text);
SQL

SCAN="SELECT count(*), sum(id), sum(big), sum(amount), max(at), sum(length(note))"
# Milliseconds of one statement (psql's \timing) in a fresh session; the session's peak RSS (kB)
# after it goes to the file named by PEAK_FILE.
PEAK_FILE=$(mktemp)
time_sql() {
    local out
    out=$(cloud <<SQL
\\timing on
$1 \\g /dev/null
\\timing off
SELECT 'peak ' || substring(pg_read_file('/proc/self/status') FROM 'VmHWM:\\s*([0-9]+) kB');
SQL
)
    sed -n 's/^peak //p' <<<"$out" >"$PEAK_FILE"
    sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out" | head -1
}
# Every measured statement runs once per round, RUNS rounds, so load from outside the benchmark
# falls on all peers alike; each figure is the median of its RUNS times.
declare -A TIMES
measure() {   # $1 = key, $2.. = command printing milliseconds
    local key=$1; shift
    local t
    t=$("$@")
    [ -z "$t" ] && { echo "$key: no timing" >&2; exit 1; }
    TIMES[$key]="${TIMES[$key]:-} $t"
}
median() {   # $1 = key
    echo "  $1:${TIMES[$1]} ms" >&2
    tr ' ' '\n' <<<"${TIMES[$1]}" | grep . | sort -g |
        awk '{ v[NR] = $1 } END { printf "%s", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
check_sum() {   # the same answer from every peer
    cloud -c "SELECT count(*), sum(id), sum(big), sum(amount), max(at), sum(length(note)) FROM $1"
}
insert_ms() { cloud -q -c "TRUNCATE local_rows" -c "CHECKPOINT"; time_sql "INSERT INTO local_rows SELECT * FROM $1"; }
copy_pipe_ms() {
    cloud -q -c "TRUNCATE local_rows" -c "CHECKPOINT"
    local start; start=$(date +%s%N)
    onprem -c "\\copy (SELECT * FROM bench_rows) to stdout" | cloud -c "\\copy local_rows from stdin"
    awk -v ns=$(( $(date +%s%N) - start )) 'BEGIN { printf "%.1f", ns / 1e6 }'
}

expected=$(check_sum pgfdw.rows)
for t in berq_pg.rows berq_ms.rows tdsfdw.rows; do
    [ "$(check_sum "$t")" = "$expected" ] || { echo "$t gives a different answer: $(check_sum "$t") vs $expected"; exit 1; }
done

# On the PostgreSQL remote both postgres_fdw and berqenas_fdw send the whole aggregate (one row
# comes back); on MSSQL neither FDW does (sum(length(note)) has no T-SQL equivalent we send), so the
# scan is also measured with the rows forced across (OFFSET 0 keeps the aggregate local).
declare -A SCAN_MS ROWSCAN_MS INSERT_MS PEAK
# A warm-up load, not measured: the first million-row INSERT creates (zero-fills) the WAL segments
# every later one recycles, which otherwise slowed whichever peer went first by a third.
copy_pipe_ms >/dev/null
if [ "$ONLY" = mssql_insert ]; then
    for _ in $(seq "$RUNS"); do
        for peer in berq_ms tdsfdw; do measure "insert $peer" insert_ms "$peer.rows"; done
        measure "copy pipe" copy_pipe_ms
    done
    for peer in berq_ms tdsfdw; do INSERT_MS[$peer]=$(median "insert $peer"); done
    COPY_MS=$(median "copy pipe")
    [ "$(cloud -c "SELECT count(*) FROM local_rows")" = "$ROWS" ] || { echo "the COPY pipe lost rows"; exit 1; }
    rm -f "$PEAK_FILE"
    echo "INSERT (ms): berqenas_fdw MSSQL ${INSERT_MS[berq_ms]}, tds_fdw ${INSERT_MS[tdsfdw]}, COPY pipe $COPY_MS"
    echo "  vs tds_fdw $(ratio "${INSERT_MS[tdsfdw]}" "${INSERT_MS[berq_ms]}") (aim >= 2); takes $(ratio "${INSERT_MS[berq_ms]}" "$COPY_MS")x the COPY pipe (aim <= 1.5)"
    exit 0
fi
for _ in $(seq "$RUNS"); do
    for peer in berq_pg pgfdw berq_ms tdsfdw; do
        measure "scan $peer" time_sql "$SCAN FROM $peer.rows"
        measure "row scan $peer" time_sql "$SCAN FROM (SELECT * FROM $peer.rows OFFSET 0) s"
        PEAK[$peer]=$(cat "$PEAK_FILE")
        measure "insert $peer" insert_ms "$peer.rows"
    done
    measure "copy pipe" copy_pipe_ms
done
for peer in berq_pg pgfdw berq_ms tdsfdw; do
    SCAN_MS[$peer]=$(median "scan $peer")
    ROWSCAN_MS[$peer]=$(median "row scan $peer")
    INSERT_MS[$peer]=$(median "insert $peer")
done
COPY_MS=$(median "copy pipe")
[ "$(cloud -c "SELECT count(*) FROM local_rows")" = "$ROWS" ] || { echo "the COPY pipe lost rows"; exit 1; }
rm -f "$PEAK_FILE"

row() { printf '%-44s %12s %16s %12s\n' "$@"; }
row "" "scan (ms)" "rows across (ms)" "insert (ms)"
row "berqenas_fdw, PostgreSQL remote" "${SCAN_MS[berq_pg]}" "${ROWSCAN_MS[berq_pg]}" "${INSERT_MS[berq_pg]}"
row "postgres_fdw (fetch_size 1000)" "${SCAN_MS[pgfdw]}" "${ROWSCAN_MS[pgfdw]}" "${INSERT_MS[pgfdw]}"
row "berqenas_fdw, MSSQL (TDS server)" "${SCAN_MS[berq_ms]}" "${ROWSCAN_MS[berq_ms]}" "${INSERT_MS[berq_ms]}"
row "tds_fdw (tds_version 7.4, same TDS server)" "${SCAN_MS[tdsfdw]}" "${ROWSCAN_MS[tdsfdw]}" "${INSERT_MS[tdsfdw]}"
row "psql \\copy to stdout | psql \\copy from stdin" "-" "-" "$COPY_MS"
echo
echo "ratios (peer time / berqenas time; > 1 means berqenas_fdw is faster):"
echo "  vs postgres_fdw:  scan $(ratio "${SCAN_MS[pgfdw]}" "${SCAN_MS[berq_pg]}") (both send the aggregate), rows across $(ratio "${ROWSCAN_MS[pgfdw]}" "${ROWSCAN_MS[berq_pg]}"), insert $(ratio "${INSERT_MS[pgfdw]}" "${INSERT_MS[berq_pg]}")   (aim >= 1)"
echo "  vs tds_fdw:       scan $(ratio "${SCAN_MS[tdsfdw]}" "${SCAN_MS[berq_ms]}"), rows across $(ratio "${ROWSCAN_MS[tdsfdw]}" "${ROWSCAN_MS[berq_ms]}"), insert $(ratio "${INSERT_MS[tdsfdw]}" "${INSERT_MS[berq_ms]}")   (aim >= 2)"
echo "  vs the COPY pipe: berqenas_fdw's INSERT takes $(ratio "${INSERT_MS[berq_pg]}" "$COPY_MS")x the pipe's time (PostgreSQL remote), $(ratio "${INSERT_MS[berq_ms]}" "$COPY_MS")x (MSSQL)   (aim <= 1.5)"
echo
echo "peak backend RSS after the rows-across scan (VmHWM):"
for peer in berq_pg pgfdw berq_ms tdsfdw; do
    printf '  %-8s %8s kB\n' "$peer" "${PEAK[$peer]}"
done
