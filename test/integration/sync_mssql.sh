#!/usr/bin/env bash
# berqenas.sync() from an MSSQL remote through the TDS test server: types mapped (nvarchar, money,
# tinyint, datetime2, bit, uniqueidentifier, varbinary), incremental with soft deletes, full with hard
# deletes, and realtime with the T-SQL AFTER trigger capture (installed, applied within a second and
# recorded as a realtime run that rolls back, removed when realtime is turned off), and (max)
# values longer than SQL Server's default TEXTSIZE arriving whole.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
. test/lib/sync_pair.sh
TDS_PID=""
TDS_LOG=""
cleanup() { [ -n "$TDS_PID" ] && kill "$TDS_PID" 2>/dev/null; [ -n "$TDS_LOG" ] && rm -f "$TDS_LOG"; cluster_cleanup; }
trap cleanup EXIT
BUILD=${BERQENAS_BUILD_DIR:-build}
TDS_BIN=$BUILD/test/tds_server/berqenas-tds-server
[ -x "$TDS_BIN" ] || { echo "TDS test server not built ($TDS_BIN)"; exit 1; }

start_sync_pair

cluster_psql onprem -f test/tds_server/mssql_types.sql >/dev/null
onprem <<'SQL' >/dev/null
SELECT mssql_ensure_domain('nvarchar', 60);
CREATE TABLE products (
    product_id int PRIMARY KEY, name mssql_nvarchar_60 NOT NULL, price mssql_money, stock mssql_tinyint,
    sku uuid, picture bytea, active boolean NOT NULL DEFAULT true,
    updated_at timestamp(6) NOT NULL DEFAULT localtimestamp, is_deleted boolean NOT NULL DEFAULT false);
INSERT INTO products (product_id, name, price, stock, sku, picture, updated_at)
SELECT g, 'ürün ' || g, g * 2.5, g % 200, md5(g::text)::uuid, decode(md5(g::text), 'hex'),
       localtimestamp - g * interval '1 minute'
  FROM generate_series(1, 2000) g;
SQL
TDS_PORT=$(free_port)
TDS_LOG=$(mktemp)
"$TDS_BIN" --listen-port "$TDS_PORT" --pg-host 127.0.0.1 --pg-port "$onprem_PORT" --log-statements >"$TDS_LOG" 2>&1 &
TDS_PID=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$TDS_PORT") 2>/dev/null && break; sleep 0.1; done

cloud -c "CREATE EXTENSION berqenas" >/dev/null
cloud -c "SELECT berqenas.register_remote_database('shop', 'mssql', '127.0.0.1', $TDS_PORT, 'postgres', 'postgres', 'postgres', 'dbo')" >/dev/null
cloud -c "SELECT berqenas.configure_sync('shop', 'incremental', ARRAY['products'])" >/dev/null

echo "== first sync creates the table from the T-SQL types"
cloud -c "SELECT berqenas.sync('shop') -> 'tables' -> 'products'"
types=$(cloud -c "SELECT string_agg(column_name || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
                    FROM information_schema.columns c JOIN pg_attribute a ON a.attrelid = 'remote_shop.products'::regclass AND a.attname = c.column_name
                   WHERE table_schema = 'remote_shop' AND table_name = 'products'")
echo "$types"
expect_eq "$types" "product_id integer, name character varying(60), price numeric(19,4), stock smallint, sku uuid, picture bytea, active boolean, updated_at timestamp without time zone, is_deleted boolean" "mapped types"
expect_eq "$(cloud -c "SELECT conkey::text FROM pg_constraint WHERE conrelid = 'remote_shop.products'::regclass AND contype = 'p'")" "{1}" "primary key"
expect_eq "$(cloud -c "SELECT count(*) || ' ' || sum(price) || ' ' || (SELECT name FROM remote_shop.products WHERE product_id = 7) FROM remote_shop.products")" "2000 5002500.0000 ürün 7" "rows"
expect_eq "$(cloud -c "SELECT berqenas.verify('shop') ->> 'match'")" true "verify"
# The nvarchar column came as its UTF-16 bytes (converted by us, not by db-lib's iconv): the
# connection asked once whether the server's casts give UTF-16, then selected the bytes.
grep -q "CAST(N'a' AS varbinary(max))" "$TDS_LOG" || fail "no UTF-16 probe in the TDS server's log"
grep -q "SELECT \[product_id\], CAST(\[name\] AS varbinary(8000))" "$TDS_LOG" || fail "the sync did not select nvarchar as bytes"

echo "== incremental: updates, a soft delete, an insert; a hard delete waits for full"
onprem -c "UPDATE products SET price = 1, updated_at = localtimestamp WHERE product_id <= 5;
           UPDATE products SET is_deleted = true, updated_at = localtimestamp WHERE product_id = 6;
           INSERT INTO products (product_id, name) VALUES (5000, 'new');
           DELETE FROM products WHERE product_id = 1500" >/dev/null
r=$(cloud -c "SELECT format('%s %s %s', t ->> 'inserted', t ->> 'updated', t ->> 'deleted') FROM berqenas.sync('shop') s, LATERAL (SELECT s -> 'tables' -> 'products') x(t)")
expect_eq "$r" "1 5 1" "incremental counts"
expect_eq "$(cloud -c "SELECT is_deleted FROM remote_shop.products WHERE product_id = 6")" t "soft delete"
expect_eq "$(cloud -c "SELECT count(*) FROM remote_shop.products WHERE product_id = 1500")" 1 "hard delete not yet seen"
r=$(cloud -c "SELECT s -> 'tables' -> 'products' ->> 'deleted' FROM berqenas.sync('shop', \"full\" => true) s")
expect_eq "$r" 1 "full sync reconciles the hard delete"
expect_eq "$(cloud -c "SELECT count(*) FROM remote_shop.products WHERE product_id = 1500")" 0 "hard delete applied"

echo "== realtime: T-SQL AFTER trigger into a change table, applied by the worker"
cloud -c "SELECT berqenas.configure_sync('shop', 'realtime', ARRAY['products']) -> 'capture'"
expect_eq "$(onprem -c "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'products'::regclass AND NOT tgisinternal")" 3 "trigger per event (TDS server's translation)"
expect_eq "$(onprem -c "SELECT to_regclass('public.berqenas_cdc_products') IS NOT NULL")" t "change table"
onprem -c "UPDATE products SET name = 'realtime' WHERE product_id = 10; DELETE FROM products WHERE product_id = 11;
           INSERT INTO products (product_id, name) VALUES (6000, 'realtime insert')" >/dev/null
start=$(date +%s%N)
for _ in $(seq 100); do
    state=$(cloud -c "SELECT (SELECT name FROM remote_shop.products WHERE product_id = 10) || '/' || (SELECT count(*) FROM remote_shop.products WHERE product_id IN (11, 6000))")
    [ "$state" = "realtime/1" ] && [ "$(cloud -c "SELECT count(*) FROM remote_shop.products WHERE product_id = 6000")" = 1 ] && break
    sleep 0.05
done
lag_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "applied after ${lag_ms} ms"
expect_eq "$state" "realtime/1" "realtime changes applied"
[ "$lag_ms" -lt 1000 ] || fail "realtime lag ${lag_ms} ms"
expect_eq "$(onprem -c "SELECT count(*) FROM berqenas_cdc_products")" 0 "applied changes are removed from the remote"
# Recorded as a realtime run with its counts.
expect_eq "$(cloud -c "SELECT format('%s %s +%s ~%s -%s', mode, status, tables -> 'products' ->> 'inserted', tables -> 'products' ->> 'updated', tables -> 'products' ->> 'deleted')
                       FROM berqenas.sync_history('shop', 1)")" "realtime running +1 ~1 -1" "realtime run"
cloud -c "SELECT berqenas.sync_status('shop') -> 'tables' -> 'products' ->> 'realtime_applied'"

echo "== after a server restart the launcher brings the worker back"
_cluster_as_user "$PG_BIN/pg_ctl" -D "$cloud_DIR/data" -l "$cloud_DIR/server.log" -w -m fast restart >/dev/null
for _ in $(seq 100); do
    [ "$(cloud -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'berqenas realtime'")" = 1 ] && break
    sleep 0.1
done
expect_eq "$(cloud -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'berqenas realtime'")" 1 "worker after restart"
onprem -c "UPDATE products SET name = 'after restart' WHERE product_id = 12" >/dev/null
for _ in $(seq 100); do
    [ "$(cloud -c "SELECT name FROM remote_shop.products WHERE product_id = 12")" = "after restart" ] && break
    sleep 0.05
done
expect_eq "$(cloud -c "SELECT name FROM remote_shop.products WHERE product_id = 12")" "after restart" "applied after restart"
# The run open before the restart was closed by the new worker; the change went into a new run,
# which rolls back.
expect_eq "$(cloud -c "SELECT count(*) FROM berqenas.sync_logs('shop', 100) WHERE message = 'realtime run closed (the realtime worker restarted)'")" 1 "run closed at restart"
run=$(cloud -c "SELECT sync_id FROM berqenas.sync_jobs WHERE mode = 'realtime' AND status = 'running'")
expect_eq "$(cloud -c "SELECT berqenas.rollback('$run') -> 'tables' -> 'products'")" '{"removed": 0, "restored": 1}' "rollback of the MSSQL realtime run"
expect_eq "$(cloud -c "SELECT name FROM remote_shop.products WHERE product_id = 12")" "ürün 12" "row 12 rolled back"

echo "== realtime off removes the capture objects"
cloud -c "SELECT berqenas.configure_sync('shop', 'incremental', ARRAY['products']) -> 'capture'"
expect_eq "$(onprem -c "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'products'::regclass AND NOT tgisinternal")" 0 "triggers removed"
expect_eq "$(onprem -c "SELECT to_regclass('public.berqenas_cdc_products') IS NULL")" t "change table removed"
# The rollback reset the watermark: the next sync copies the table again and catches up.
expect_eq "$(cloud -c "SELECT berqenas.sync('shop') ->> 'status'")" succeeded "sync after the rollback"
expect_eq "$(cloud -c "SELECT berqenas.verify('shop') ->> 'match'")" true "verify at the end"
echo "== long (max) values arrive whole (SQL Server would cut them at TEXTSIZE, 4096 bytes by default)"
onprem >/dev/null <<'SQL'
CREATE TABLE manuals (id int PRIMARY KEY, body text, scan bytea, updated_at timestamp NOT NULL DEFAULT localtimestamp);
INSERT INTO manuals (id, body, scan) VALUES (1, repeat('şartname ', 3000), decode(repeat('0102', 35000), 'hex'));
SQL
cloud -c "SELECT berqenas.configure_sync('shop', 'incremental', ARRAY['products', 'manuals'])" >/dev/null
expect_eq "$(cloud -c "SELECT berqenas.sync('shop') ->> 'status'")" succeeded "sync with the long values"
expect_eq "$(cloud -c "SELECT length(body), md5(body), length(scan), md5(scan) FROM remote_shop.manuals")" \
    "$(onprem -c "SELECT length(body), md5(body), length(scan), md5(scan) FROM manuals")" "27000 characters and 70000 bytes, whole"
echo "all MSSQL sync checks passed"
