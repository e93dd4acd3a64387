#!/usr/bin/env bash
# Sync benchmark, one run, side by side on the same two clusters:
#   - full sync of ROWS rows (five columns): berqenas.sync() vs INSERT INTO t SELECT * FROM a
#     postgres_fdw foreign table vs a `psql \copy ... TO STDOUT | psql \copy ... FROM STDIN` pipe
#     (every target has the same primary key, so every peer builds the same index);
#   - incremental sync of CHANGED changed rows, as a fraction of the full sync;
#   - peak backend memory (anonymous RSS, sampled) of a full sync of 100k and of ROWS rows;
#   - realtime lag p50/p99 while the remote commits RATE changes per second for SECONDS seconds,
#     for a PostgreSQL remote and, when build/test/tds_server/berqenas-tds-server is built, for an
#     MSSQL remote through the TDS test server (which polls: berqenas.realtime_poll_interval).
#
#   bench/sync_bench.sh          # defaults: ROWS=1000000 CHANGED=1000 RATE=1000 RT_SECONDS=10
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
CHANGED=${CHANGED:-1000}
RATE=${RATE:-1000}
SECONDS_RT=${RT_SECONDS:-10}
. test/lib/cluster.sh
. bench/lib/peak_memory.sh
TDS_BIN=${TDS_BIN:-build/test/tds_server/berqenas-tds-server}
TDS_PID=""
bench_cleanup() { [ -n "$TDS_PID" ] && kill "$TDS_PID" 2>/dev/null; cluster_cleanup; }
trap bench_cleanup EXIT

cluster_start cloud "shared_preload_libraries = 'berqenas'" "max_worker_processes = 32" "max_wal_size = '4GB'"
cluster_start onprem "max_wal_size = '4GB'"
cloud() { cluster_psql cloud -At "$@"; }
onprem() { cluster_psql onprem -At "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)"
echo "date:    $(date -u +%Y-%m-%d)"
echo "rows:    $ROWS (five columns), changed: $CHANGED, realtime: $RATE changes/s for $SECONDS_RT s"
echo

# Timestamps one second apart, all older than the overlap window; an index on updated_at, as any
# table synced incrementally should have.
make_table() {   # $1 = name, $2 = rows
    onprem -q -c "DROP TABLE IF EXISTS $1" -c "CREATE TABLE $1 (id bigint PRIMARY KEY, name text NOT NULL, qty int, price float8,
               updated_at timestamp NOT NULL);
               INSERT INTO $1 SELECT g, 'item ' || g, g % 1000, g * 0.01, localtimestamp - interval '30 days' + g * interval '1 second'
                 FROM generate_series(1, $2) g" -c "CREATE INDEX ON $1 (updated_at)" -c "VACUUM ANALYZE $1" >/dev/null
}
make_table bench_t "$ROWS"
make_table bench_small 100000

cloud -c "CREATE EXTENSION berqenas; CREATE EXTENSION postgres_fdw" >/dev/null
cloud -c "SELECT berqenas.register_remote_database('bench', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'public')" >/dev/null
cloud -c "SELECT berqenas.configure_sync('bench', 'incremental', ARRAY['bench_t', 'bench_small'], target_schema => 'bench')" >/dev/null
cloud >/dev/null <<SQL
CREATE SERVER onprem FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '$onprem_PORT', dbname 'postgres', fetch_size '1000');
CREATE USER MAPPING FOR postgres SERVER onprem OPTIONS (user 'postgres', password 'postgres');
CREATE FOREIGN TABLE ft (id bigint, name text, qty int, price float8, updated_at timestamp) SERVER onprem OPTIONS (table_name 'bench_t');
CREATE TABLE fdw_t (id bigint PRIMARY KEY, name text NOT NULL, qty int, price float8, updated_at timestamp NOT NULL);
CREATE TABLE copy_t (id bigint PRIMARY KEY, name text NOT NULL, qty int, price float8, updated_at timestamp NOT NULL);
SQL
cloud -c "CHECKPOINT" >/dev/null; onprem -c "CHECKPOINT" >/dev/null


echo "== full sync of $ROWS rows"
t0=$(now_ms); cloud -c "INSERT INTO fdw_t SELECT * FROM ft" >/dev/null; fdw_ms=$(( $(now_ms) - t0 ))
t0=$(now_ms)
cluster_psql onprem -At -c "\\copy bench_t TO STDOUT" | cluster_psql cloud -At -c "\\copy copy_t FROM STDIN" >/dev/null
copy_ms=$(( $(now_ms) - t0 ))
t0=$(now_ms); r=$(cloud -c "SELECT (s ->> 'status') || ' ' || (s ->> 'duration_seconds') FROM berqenas.sync('bench', ARRAY['bench_t']) s"); sync_ms=$(( $(now_ms) - t0 ))
[ "${r%% *}" = succeeded ] || { echo "sync failed: $r"; exit 1; }
full_server_ms=$(awk -v s="${r#* }" 'BEGIN { printf "%d", s * 1000 }')
[ "$(cloud -c "SELECT count(*) FROM bench.bench_t")" = "$ROWS" ] || { echo "row count mismatch"; exit 1; }
printf '  %-38s %8d ms\n' "psql \\copy | psql \\copy" "$copy_ms" "postgres_fdw INSERT ... SELECT" "$fdw_ms" "berqenas.sync() (full)" "$sync_ms"
echo "  ratio berqenas / COPY pipe:     $(ratio "$sync_ms" "$copy_ms")  (aim: <= 1.30)"
echo "  ratio berqenas / postgres_fdw:  $(ratio "$sync_ms" "$fdw_ms")  (aim: < 1.00)"
t0=$(now_ms); cloud -c "SELECT berqenas.sync('bench', ARRAY['bench_t'], \"full\" => true) ->> 'status'" >/dev/null; resync_ms=$(( $(now_ms) - t0 ))
printf '  %-38s %8d ms  (a table that already holds the rows: diff + journal + swap)\n' "berqenas.sync(full => true) again" "$resync_ms"

echo "== incremental sync of $CHANGED changed rows"
# Server-side durations (duration_seconds of the result): client connection time is not the sync's.
# Measured twice: in a new session each time (as pg_cron runs a job: a new remote connection per
# sync), and in one session that syncs repeatedly (its remote connection kept between syncs,
# berqenas.sync_keep_connections). Each: a sync with no change first (the fixed cost, re-reading the
# overlap window), then CHANGED rows changed on the remote and synced.
change_rows() { onprem -c "UPDATE bench_t SET qty = qty + 1, updated_at = localtimestamp WHERE id % ($ROWS / $CHANGED) = $1" >/dev/null; }
r=$(cloud -c "SELECT s ->> 'duration_seconds' FROM berqenas.sync('bench', ARRAY['bench_t']) s")
zero_ms=$(awk -v s="$r" 'BEGIN { printf "%d", s * 1000 }')
change_rows 0
r=$(cloud -c "SELECT (s -> 'tables' -> 'bench_t' ->> 'updated') || ' ' || (s ->> 'duration_seconds') FROM berqenas.sync('bench', ARRAY['bench_t']) s")
incr_ms=$(awk -v s="${r#* }" 'BEGIN { printf "%d", s * 1000 }')
printf '  %-38s %8d ms  (server side; fixed cost: job record, connect, catalog, overlap window re-read)\n' "new session: sync with no change" "$zero_ms"
printf '  %-38s %8d ms  (server side; %s rows updated)\n' "new session: incremental sync" "$incr_ms" "${r%% *}"
cloud -c "SELECT '    ' || coalesce(table_name || ': ', '') || message FROM berqenas.sync_logs('bench', 8, 'debug')
          WHERE severity = 'debug' AND sync_id = (SELECT max(sync_id) FROM berqenas.sync_jobs)"
# The same in one session; the remote change runs from psql's shell escape between the syncs.
same=$(cloud <<SQL
SELECT s ->> 'duration_seconds' FROM berqenas.sync('bench', ARRAY['bench_t']) s;
SELECT s ->> 'duration_seconds' FROM berqenas.sync('bench', ARRAY['bench_t']) s;
\! psql -X -q -h 127.0.0.1 -p $onprem_PORT -U postgres -d postgres -c "UPDATE bench_t SET qty = qty + 1, updated_at = localtimestamp WHERE id % ($ROWS / $CHANGED) = 1"
SELECT (s -> 'tables' -> 'bench_t' ->> 'updated') || ' ' || (s ->> 'duration_seconds') FROM berqenas.sync('bench', ARRAY['bench_t']) s;
SQL
)
same_zero_ms=$(awk -v s="$(sed -n 2p <<<"$same")" 'BEGIN { printf "%d", s * 1000 }')
r=$(sed -n 3p <<<"$same")
same_incr_ms=$(awk -v s="${r#* }" 'BEGIN { printf "%d", s * 1000 }')
printf '  %-38s %8d ms  (server side; connection kept from the session'"'"'s previous sync)\n' "same session: sync with no change" "$same_zero_ms"
printf '  %-38s %8d ms  (server side; %s rows updated)\n' "same session: incremental sync" "$same_incr_ms" "${r%% *}"
printf '  %-38s %8d ms  (server side)\n' "berqenas.sync() (full), for reference" "$full_server_ms"
echo "  incremental / full, new session:   $(awk -v a="$incr_ms" -v b="$full_server_ms" 'BEGIN { printf "%.4f (1/%.0f)", a / b, b / a }')  (aim: < 0.01)"
echo "  incremental / full, same session:  $(awk -v a="$same_incr_ms" -v b="$full_server_ms" 'BEGIN { printf "%.4f (1/%.0f)", a / b, b / a }')  (aim: < 0.01)"
# Proportional to the changes: one session (a first sync opens its connection), then 100, 1,000 and
# 10,000 changed rows, with berqenas.sync_overlap = 0 so each sync reads only its own changes.
sweep=$(cloud <<SQL | tail -n +2
SET berqenas.sync_overlap = 0;
SELECT berqenas.sync('bench', ARRAY['bench_t']) ->> 'status';
\! psql -X -q -h 127.0.0.1 -p $onprem_PORT -U postgres -d postgres -c "UPDATE bench_t SET qty = qty + 1, updated_at = localtimestamp WHERE id % 10000 = 7"
SELECT (s -> 'tables' -> 'bench_t' ->> 'updated') || ' ' || (s -> 'tables' -> 'bench_t' ->> 'rows_read') || ' ' || (s ->> 'duration_seconds') FROM berqenas.sync('bench', ARRAY['bench_t']) s;
\! psql -X -q -h 127.0.0.1 -p $onprem_PORT -U postgres -d postgres -c "UPDATE bench_t SET qty = qty + 1, updated_at = localtimestamp WHERE id % 1000 = 8"
SELECT (s -> 'tables' -> 'bench_t' ->> 'updated') || ' ' || (s -> 'tables' -> 'bench_t' ->> 'rows_read') || ' ' || (s ->> 'duration_seconds') FROM berqenas.sync('bench', ARRAY['bench_t']) s;
\! psql -X -q -h 127.0.0.1 -p $onprem_PORT -U postgres -d postgres -c "UPDATE bench_t SET qty = qty + 1, updated_at = localtimestamp WHERE id % 100 = 9"
SELECT (s -> 'tables' -> 'bench_t' ->> 'updated') || ' ' || (s -> 'tables' -> 'bench_t' ->> 'rows_read') || ' ' || (s ->> 'duration_seconds') FROM berqenas.sync('bench', ARRAY['bench_t']) s;
SQL
)
while read -r changed read_rows secs; do
    printf '  %-38s %8d ms  (same session, no overlap; %s rows read)\n' "$changed changed rows" "$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000 }')" "$read_rows"
done <<<"$sweep"
# Steady state: the same session syncs 1,000 changed rows five times in a row (no overlap, so each
# sync reads only its own changes). The changed rows sit on the pages the syncs above touched, as
# they would in a table that is synced every few minutes and read through the API: this is the
# incremental without the first-touch cost of pages a full sync just wrote.
steady=$(cloud <<SQL | tail -n +2
SET berqenas.sync_overlap = 0;
SELECT berqenas.sync('bench', ARRAY['bench_t']) ->> 'status';
$(for k in 11 12 13 14 15; do
    echo "\\! psql -X -q -h 127.0.0.1 -p $onprem_PORT -U postgres -d postgres -c \"UPDATE bench_t SET qty = qty + 1, updated_at = localtimestamp WHERE id % ($ROWS / $CHANGED) = $k\""
    echo "SELECT s ->> 'duration_seconds' FROM berqenas.sync('bench', ARRAY['bench_t']) s;"
done)
SQL
)
steady_ms=$(sort -g <<<"$steady" | sed -n 3p | awk '{ printf "%d", $1 * 1000 }')
printf '  %-38s %8d ms  (same session, no overlap, pages cached; median of 5: %s s)\n' "steady state: incremental sync" "$steady_ms" "$(tr '\n' ' ' <<<"$steady")"
echo "  steady incremental / full:         $(awk -v a="$steady_ms" -v b="$full_server_ms" 'BEGIN { printf "%.4f (1/%.0f)", a / b, b / a }')  (aim: < 0.01)"
# PostgreSQL's own floor for the same work: after another full re-sync (cold pages again, as for
# the incremental above), one bare UPDATE of the same number of rows by key, rolled back. No remote,
# no comparison, no journal: what any apply of these changes costs at least.
cloud -c "SELECT berqenas.sync('bench', ARRAY['bench_t'], \"full\" => true) ->> 'status'" >/dev/null
floors=$(cloud <<SQL | awk '/^Time:/ { n++; if (n == 2 || n == 5) printf "%d ", $2 }'
\\timing on
BEGIN;
UPDATE bench.bench_t SET qty = qty + 1, updated_at = updated_at + interval '1 s'
 WHERE id = ANY (ARRAY(SELECT generate_series(3, $ROWS, $ROWS / $CHANGED)::bigint));
ROLLBACK;
BEGIN;
UPDATE bench.bench_t SET qty = qty + 1, updated_at = updated_at + interval '1 s'
 WHERE id = ANY (ARRAY(SELECT generate_series(4, $ROWS, $ROWS / $CHANGED)::bigint));
ROLLBACK;
SQL
)
floor_ms=${floors%% *}; floor_warm_ms=$(awk '{ print $2 }' <<<"$floors")
printf '  %-38s %8d ms  (a bare UPDATE of %s rows by key, cold pages; the floor of any apply)\n' "PostgreSQL alone" "$floor_ms" "$CHANGED"
echo "  bare UPDATE / full:                $(awk -v a="$floor_ms" -v b="$full_server_ms" 'BEGIN { printf "%.4f (1/%.0f)", a / b, b / a }')"
printf '  %-38s %8d ms  (the same UPDATE of the neighbouring rows right after: pages cached)\n' "PostgreSQL alone, pages cached" "$floor_warm_ms"
echo "  bare UPDATE, pages cached / full:  $(awk -v a="$floor_warm_ms" -v b="$full_server_ms" 'BEGIN { printf "%.4f (1/%.0f)", a / b, b / a }')"
echo "  (incremental - no change) / full:  new session $(awk -v a="$incr_ms" -v z="$zero_ms" -v b="$full_server_ms" 'BEGIN { printf "%.4f", (a - z) / b }'), same session $(awk -v a="$same_incr_ms" -v z="$same_zero_ms" -v b="$full_server_ms" 'BEGIN { printf "%.4f", (a - z) / b }')  (the part that grows with the changes)"

echo "== peak backend memory (anonymous RSS) of a full sync"
# Each measured sync loads into an empty table (the first-sync path: stream, then index build).
cloud -c "SELECT berqenas.sync('bench', ARRAY['bench_small'])" >/dev/null
empty() { cloud -c "TRUNCATE bench.bench_small, bench.bench_t" >/dev/null; }
empty; small_kb=$(peak_anon_kb mem_small "SELECT berqenas.sync('bench', ARRAY['bench_small'], \"full\" => true) ->> 'status'")
empty; big_kb=$(peak_anon_kb mem_big "SELECT berqenas.sync('bench', ARRAY['bench_t'], \"full\" => true) ->> 'status'")
printf '  %-38s %8d kB\n' "100000 rows" "$small_kb" "$ROWS rows" "$big_kb"
echo "  ratio:                          $(ratio "$big_kb" "$small_kb")  (aim: flat, ~1.0)"
# The rows stream in fixed batches; the one sort, the index rebuild at the swap, gets
# berqenas.sync_index_build_memory (default 2MB). For reference, the same with that sort given
# maintenance_work_mem (-1), as PostgreSQL's own CREATE INDEX would:
empty; small_kb=$(peak_anon_kb mem_small2 "SET berqenas.sync_index_build_memory = -1; SELECT berqenas.sync('bench', ARRAY['bench_small'], \"full\" => true) ->> 'status'")
empty; big_kb=$(peak_anon_kb mem_big2 "SET berqenas.sync_index_build_memory = -1; SELECT berqenas.sync('bench', ARRAY['bench_t'], \"full\" => true) ->> 'status'")
printf '  %-38s %8d kB\n' "100000 rows, maintenance_work_mem" "$small_kb" "$ROWS rows, maintenance_work_mem" "$big_kb"
echo "  ratio:                          $(ratio "$big_kb" "$small_kb")  (the index sort takes up to maintenance_work_mem, $(cloud -c "SHOW maintenance_work_mem"))"

# Realtime lag: the remote commits $RATE changes/s to table $2 for $SECONDS_RT s; each local apply
# records its lag (both clusters share the machine's clock).
realtime_lag() {   # $1 = remote database name, $2 = table, $3 = target schema
    onprem -c "CREATE TABLE $2 (id int PRIMARY KEY, v int NOT NULL, changed_at timestamptz NOT NULL);
               INSERT INTO $2 SELECT g, 0, now() FROM generate_series(1, 1000) g" >/dev/null
    cloud -c "SELECT berqenas.configure_sync('$1', 'realtime', ARRAY['$2'], target_schema => '$3')" >/dev/null
    for _ in $(seq 100); do
        [ "$(cloud -c "SELECT count(*) FROM berqenas.sync_tables WHERE remote_table = '$2' AND last_synced_at IS NOT NULL")" = 1 ] && break
        sleep 0.1
    done
    cloud >/dev/null <<SQL
CREATE TABLE $3.lag (ms float8);
CREATE FUNCTION $3.record_lag() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
    INSERT INTO $3.lag VALUES (extract(epoch FROM clock_timestamp() - NEW.changed_at) * 1000);
    RETURN NULL;
END \$\$;
CREATE TRIGGER record_lag AFTER INSERT OR UPDATE ON $3.$2 FOR EACH ROW EXECUTE FUNCTION $3.record_lag();
SQL
    local total=$(( RATE * SECONDS_RT ))
    onprem >/dev/null <<SQL
DO \$\$
DECLARE
    started timestamptz := clock_timestamp();
BEGIN
    FOR i IN 1..$total LOOP
        UPDATE $2 SET v = v + 1, changed_at = clock_timestamp() WHERE id = i % 1000 + 1;
        COMMIT;
        IF i % 20 = 0 THEN   -- hold the rate: sleep until this change's scheduled time
            PERFORM pg_sleep(greatest(0, extract(epoch FROM started + (i * interval '1 second' / $RATE) - clock_timestamp())));
        END IF;
    END LOOP;
END
\$\$;
SQL
    sleep 2
    # Several changes of one row between two applies arrive as one (the row's current state).
    echo "  $(cloud -c "SELECT format('changes committed: $total, applies seen: %s; lag p50 %s ms, p99 %s ms, max %s ms',
                                      count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
                                      round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1), round(max(ms)::numeric, 1))
                          FROM $3.lag")  (aim: p99 < 1000 ms)"
    # What was recorded: realtime runs (sync_jobs) and their journal (one row per table and round).
    echo "  $(cloud -c "SELECT format('recorded: %s realtime run(s), %s changes, %s journal rows', count(*), sum(j.records_synced),
                                      sum((SELECT count(*) FROM berqenas.sync_journal jr WHERE jr.sync_job_id = j.id)))
                          FROM berqenas.sync_jobs j JOIN berqenas.remote_databases r ON r.id = j.remote_database_id
                         WHERE r.name = '$1' AND j.mode = 'realtime'")"
    cloud -c "SELECT berqenas.configure_sync('$1', 'full', ARRAY['$2'], target_schema => '$3') IS NOT NULL" >/dev/null
}

echo "== realtime lag at $RATE changes/s, PostgreSQL remote (trigger capture, NOTIFY wake-up)"
realtime_lag bench rt_t bench
cloud -c "SELECT berqenas.configure_sync('bench', 'incremental', ARRAY['bench_t'], target_schema => 'bench') IS NOT NULL" >/dev/null

echo "== realtime lag at $RATE changes/s, MSSQL remote through the TDS test server (trigger capture, polled)"
if [ -x "$TDS_BIN" ]; then
    cluster_psql onprem -q -f test/tds_server/mssql_types.sql >/dev/null
    TDS_PORT=$(free_port)
    "$TDS_BIN" --listen-port "$TDS_PORT" --pg-host 127.0.0.1 --pg-port "$onprem_PORT" >/dev/null 2>&1 &
    TDS_PID=$!
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$TDS_PORT") 2>/dev/null && break; sleep 0.1; done
    cloud -c "SELECT berqenas.register_remote_database('bench_ms', 'mssql', '127.0.0.1', $TDS_PORT, 'postgres', 'postgres', 'postgres', 'dbo')" >/dev/null
    echo "  poll interval: $(cloud -c "SHOW berqenas.realtime_poll_interval")"
    realtime_lag bench_ms rt_ms bench_ms
else
    echo "  skipped: $TDS_BIN is not built (cmake --build build --target berqenas-tds-server)"
fi
