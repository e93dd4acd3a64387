#!/usr/bin/env bash
# Bidirectional sync benchmark, one run, side by side on the same two clusters (PostgreSQL remote):
#   - a ROWS-row table with CHANGED rows changed on each side, OVERLAP of them on both: the time of
#     a bidirectional run against a one-way incremental sync of the same 2 x CHANGED changes (a
#     twin table changed only on the remote), median of RUNS;
#   - the first two-way run over a one-way copy (both sides read whole and compared);
#   - peak backend memory (anonymous RSS, sampled) of a bidirectional run at 100k and at ROWS rows.
#   - the peer: Bucardo 5.6 multi-master (conflict_strategy bucardo_latest) between the same two
#     clusters, the same changes on a twin table: its sync run's own duration (bucardo.syncrun).
# Aims (issue 13): at most 2x the one-way time, memory flat, faster than Bucardo.
# Installs bucardo and postgresql-plperl-15 from Debian when missing (as root).
#   bench/bidirectional_bench.sh     # defaults: ROWS=1000000 CHANGED=10000 OVERLAP=1000 RUNS=3
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
CHANGED=${CHANGED:-10000}
OVERLAP=${OVERLAP:-1000}
RUNS=${RUNS:-3}
. test/lib/cluster.sh
. bench/lib/peak_memory.sh
BUCARDO_DIR=$(mktemp -d /tmp/berqenas-bucardo.XXXXXX)
bench_cleanup() {
    [ -f "$BUCARDO_DIR/run/bucardo.mcp.pid" ] && bucardo_cmd stop >/dev/null 2>&1
    for f in "$BUCARDO_DIR"/run/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
    rm -rf "$BUCARDO_DIR"
    cluster_cleanup
}
trap bench_cleanup EXIT

cluster_start cloud "shared_preload_libraries = 'berqenas'" "max_worker_processes = 32" "max_wal_size = '4GB'"
cluster_start onprem "max_wal_size = '4GB'"
cloud() { cluster_psql cloud -At "$@"; }
onprem() { cluster_psql onprem -At "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median() { tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)"
echo "date:    $(date -u +%Y-%m-%d)"
echo "rows:    $ROWS, changed on each side: $CHANGED, on both: $OVERLAP, runs: $RUNS"
echo

make_table() {   # $1 = name, $2 = rows: five columns plus the two-way bookkeeping, old timestamps
    onprem -q -c "DROP TABLE IF EXISTS $1" -c "CREATE TABLE $1 (id bigint PRIMARY KEY, name text NOT NULL, qty int, price float8,
               created_at timestamp DEFAULT now(), updated_at timestamp DEFAULT now(), is_deleted boolean DEFAULT false);
               INSERT INTO $1 (id, name, qty, price, created_at, updated_at)
               SELECT g, 'item ' || g, g % 1000, g * 0.01, localtimestamp - interval '30 days', localtimestamp - interval '30 days' + g * interval '1 second'
                 FROM generate_series(1, $2) g" -c "CREATE INDEX ON $1 (updated_at)" -c "VACUUM ANALYZE $1" >/dev/null
}
make_table bd_t "$ROWS"
make_table ow_t "$ROWS"
make_table bd_small 100000
# Bucardo's twin: the same rows on both sides, no bookkeeping columns (its triggers keep the deltas).
for side in cloud onprem; do
    cluster_psql $side -q -c "CREATE TABLE bk_t (id bigint PRIMARY KEY, name text NOT NULL, qty int, price float8);
                              INSERT INTO bk_t SELECT g, 'item ' || g, g % 1000, g * 0.01 FROM generate_series(1, $ROWS) g" \
                          -c "VACUUM ANALYZE bk_t" >/dev/null
done

cloud -c "CREATE EXTENSION berqenas" >/dev/null
cloud -c "SELECT berqenas.register_remote_database('bd', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'public')" >/dev/null
cloud -c "SELECT berqenas.register_remote_database('ow', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'public')" >/dev/null
for t in bd_t bd_small; do cloud -c "SELECT berqenas.prepare_table('bd', '$t')" >/dev/null; done
cloud -c "SELECT berqenas.configure_sync('ow', 'incremental', ARRAY['ow_t'], target_schema => 'bench_ow')" >/dev/null
# bd_t starts as a one-way copy, so that its first two-way run is the whole-table comparison.
cloud -c "SELECT berqenas.configure_sync('bd', 'incremental', ARRAY['bd_t', 'bd_small'], target_schema => 'bench_bd')" >/dev/null
cloud -c "SELECT berqenas.sync('bd')" -c "SELECT berqenas.sync('ow')" >/dev/null
cloud -c "SELECT berqenas.configure_sync('bd', 'bidirectional', ARRAY['bd_t', 'bd_small'], target_schema => 'bench_bd')" >/dev/null
cloud -c "CHECKPOINT" >/dev/null; onprem -c "CHECKPOINT" >/dev/null

server_ms() { cloud -c "SELECT round(($1::jsonb ->> 'duration_seconds')::numeric * 1000)"; }
echo "== first two-way run over a one-way copy of $ROWS rows (both sides read whole, compared)"
t0=$(now_ms); out=$(cloud -c "SELECT berqenas.bidirectional_sync('bd', ARRAY['bd_t'])"); first_ms=$(( $(now_ms) - t0 ))
echo "  first run                        $first_ms ms  ($(cloud -c "SELECT '$out'::jsonb #>> '{results,bd_t}'"))"
cloud -c "SELECT berqenas.bidirectional_sync('bd', ARRAY['bd_small'])" >/dev/null

# One round of changes: CHANGED rows on premise, CHANGED in the cloud, OVERLAP of them the same rows.
change_bd() {   # $1 = table, $2 = round
    local lo=$(( ($2 * 3 * CHANGED) % (ROWS - 3 * CHANGED) ))
    onprem -c "UPDATE $1 SET qty = qty + 1 WHERE id > $lo AND id <= $lo + $CHANGED" >/dev/null
    sleep 0.05
    cloud -c "UPDATE bench_bd.$1 SET price = price + 1 WHERE id > $lo + $CHANGED - $OVERLAP AND id <= $lo + 2 * $CHANGED - $OVERLAP" >/dev/null
}
echo "== $CHANGED changes on each side, $OVERLAP of them on both, vs one-way incremental of $(( 2 * CHANGED )) changes"
bd_times=""; ow_times=""
for r in $(seq 1 "$RUNS"); do
    change_bd bd_t "$r"
    out=$(cloud -c "SELECT berqenas.bidirectional_sync('bd', ARRAY['bd_t'])")
    bd_times="$bd_times $(server_ms "'$out'")"
    [ "$r" = 1 ] && echo "  bidirectional result: $(cloud -c "SELECT '$out'::jsonb #>> '{results,bd_t}'")"
    lo=$(( (r * 3 * CHANGED) % (ROWS - 3 * CHANGED) ))
    onprem -c "UPDATE ow_t SET qty = qty + 1, updated_at = localtimestamp WHERE id > $lo AND id <= $lo + 2 * $CHANGED" >/dev/null
    out=$(cloud -c "SELECT berqenas.sync('ow')")
    ow_times="$ow_times $(server_ms "'$out'")"
done
bd_ms=$(echo $bd_times | median); ow_ms=$(echo $ow_times | median)
echo "  bidirectional run            $bd_ms ms  (server side, median of:$bd_times)"
echo "  one-way incremental sync     $ow_ms ms  (server side, median of:$ow_times)"
echo "  bidirectional / one-way:     $(ratio "$bd_ms" "$ow_ms")  (aim: <= 2)"

echo "== peak backend memory (anonymous RSS) of a bidirectional run with the same changes"
change_bd bd_small 0
small_kb=$(peak_anon_kb bd_small "SELECT berqenas.bidirectional_sync('bd', ARRAY['bd_small'])" '"success": true')
change_bd bd_t 0
big_kb=$(peak_anon_kb bd_big "SELECT berqenas.bidirectional_sync('bd', ARRAY['bd_t'])" '"success": true')
echo "  100000 rows                      $small_kb kB"
echo "  $ROWS rows                     $big_kb kB"
echo "  ratio:                          $(ratio "$big_kb" "$small_kb")  (aim: flat, ~1.0)"

echo "== the peer: Bucardo multi-master (bucardo_latest), the same changes on its twin table"
if ! command -v bucardo >/dev/null || [ ! -d /usr/share/postgresql/15/extension ] || \
   ! ls /usr/lib/postgresql/15/lib/plperl.so >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends bucardo postgresql-plperl-15 >/dev/null
fi
mkdir -p "$BUCARDO_DIR/run" "$BUCARDO_DIR/log"
printf "127.0.0.1:*:*:bucardo:bucardo\n127.0.0.1:*:*:postgres:postgres\n" > "$BUCARDO_DIR/pgpass"
chmod 600 "$BUCARDO_DIR/pgpass"
bucardo_cmd() {
    ( cd "$BUCARDO_DIR" && unset PGPASSWORD && PGPASSFILE="$BUCARDO_DIR/pgpass" bucardo --dbhost 127.0.0.1 --dbport "$cloud_PORT" \
        --dbuser bucardo --dbname bucardo --piddir "$BUCARDO_DIR/run" --logdest "$BUCARDO_DIR/log" "$@" )
}
# bucardo install creates its superuser without a password; scram needs one.
cloud -c "CREATE ROLE bucardo SUPERUSER LOGIN PASSWORD 'bucardo'" >/dev/null
( cd "$BUCARDO_DIR" && unset PGPASSWORD && PGPASSFILE="$BUCARDO_DIR/pgpass" bucardo install --batch --dbhost 127.0.0.1 \
    --dbport "$cloud_PORT" --dbuser postgres --piddir "$BUCARDO_DIR/run" ) >/dev/null
bucardo_cmd add db cl dbname=postgres host=127.0.0.1 port="$cloud_PORT" user=postgres pass=postgres >/dev/null
bucardo_cmd add db op dbname=postgres host=127.0.0.1 port="$onprem_PORT" user=postgres pass=postgres >/dev/null
bucardo_cmd add table public.bk_t db=cl relgroup=bench >/dev/null
bucardo_cmd add sync bk relgroup=bench dbs=cl:source,op:source conflict_strategy=bucardo_latest autokick=0 >/dev/null
bucardo_cmd start >/dev/null
bucardo_sql() { PGPASSWORD=bucardo cluster_psql cloud -At -U bucardo -d bucardo -c "$1"; }
for _ in $(seq 100); do [ -n "$(bucardo_sql "SELECT 1 FROM bucardo.sync WHERE name = 'bk' AND status = 'active'" 2>/dev/null)" ] && break; sleep 0.2; done
bucardo_cmd kick bk 0 >/dev/null   # the first run: nothing changed yet
bk_times=""
for r in $(seq 1 "$RUNS"); do
    lo=$(( (r * 3 * CHANGED) % (ROWS - 3 * CHANGED) ))
    onprem -c "UPDATE bk_t SET qty = qty + 1 WHERE id > $lo AND id <= $lo + $CHANGED" >/dev/null
    sleep 0.05
    cloud -c "UPDATE bk_t SET price = price + 1 WHERE id > $lo + $CHANGED - $OVERLAP AND id <= $lo + 2 * $CHANGED - $OVERLAP" >/dev/null
    bucardo_cmd kick bk 0 >/dev/null
    bk_times="$bk_times $(bucardo_sql "SELECT round(extract(epoch FROM ended - started) * 1000) FROM bucardo.syncrun WHERE sync = 'bk' ORDER BY started DESC LIMIT 1")"
done
bk_ms=$(echo $bk_times | median)
[ "$(cloud -c "SELECT md5(string_agg(id || name || qty || price, ',' ORDER BY id)) FROM bk_t")" = \
  "$(onprem -c "SELECT md5(string_agg(id || name || qty || price, ',' ORDER BY id)) FROM bk_t")" ] || echo "  (Bucardo left the two sides different)"
echo "  Bucardo sync run                 $bk_ms ms  (its syncrun's own duration, median of:$bk_times)"
echo "  berqenas bidirectional run       $bd_ms ms"
echo "  berqenas / Bucardo:              $(ratio "$bd_ms" "$bk_ms")  (aim: < 1)"
