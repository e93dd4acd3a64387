#!/usr/bin/env bash
# The README's main job on embedded defaults: builds and installs Berqenas, starts a throwaway
# "cloud" PostgreSQL (extension and pg_cron installed) and an "on-prem" PostgreSQL with a demo ERP
# database, starts the TDS test server as the on-prem MSSQL, registers both databases, tests the
# connections, syncs them (test/demo_sync.sh) and prints what it did. Everything it started is
# stopped and removed at the end; pass --keep to leave the servers running and print how to reach
# and how to stop them.
set -euo pipefail
cd "$(dirname "$0")/.."
KEEP=no
[ "${1:-}" = "--keep" ] && KEEP=yes
export BERQENAS_BUILD_DIR=${BERQENAS_BUILD_DIR:-$PWD/build}
# This run's logs (the build's, the TDS server's): removed at the end unless --keep or a failure.
DEMO_DIR=$(mktemp -d /tmp/berqenas-demo.XXXXXX)
BUILD_LOG=$DEMO_DIR/build.log
TDS_LOG=$DEMO_DIR/tds.log

. test/lib/cluster.sh
TDS_PID=""
cleanup() {
    local rc=$?
    [ "$KEEP" = yes ] && [ "$rc" = 0 ] && return 0
    if [ -n "$TDS_PID" ]; then
        kill "$TDS_PID" 2>/dev/null || true
        wait "$TDS_PID" 2>/dev/null || true
    fi
    cluster_cleanup
    if [ "$rc" = 0 ]; then
        rm -rf "$DEMO_DIR"
    else
        echo "demo failed; its logs are in $DEMO_DIR" >&2
    fi
}
trap cleanup EXIT

# One line per build step, its output in the build log; a failing step shows the log's tail.
step() {
    local what=$1 started=$SECONDS; shift
    printf '  %s ... ' "$what"
    echo "== $what: $*" >>"$BUILD_LOG"
    if "$@" >>"$BUILD_LOG" 2>&1; then
        echo "done ($((SECONDS - started)) s)"
    else
        echo "FAILED"
        echo "---- the last 40 lines of $BUILD_LOG:"
        tail -n 40 "$BUILD_LOG"
        exit 1
    fi
}

echo "== building and installing berqenas (log: $BUILD_LOG)"
step "berqenas.so (make)" make -s -j2
step "installing it (make install)" make -s install
step "configuring (cmake)" cmake -S . -B "$BERQENAS_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo
step "the TDS test server" cmake --build "$BERQENAS_BUILD_DIR" -j2 --target berqenas-tds-server
# Optional: demo_sync.sh changes the MSSQL rows with tsql when the check client is missing.
printf '  the TDS check client ... '
if cmake --build "$BERQENAS_BUILD_DIR" -j2 --target berqenas-tds-check >>"$BUILD_LOG" 2>&1; then
    echo "done"
else
    echo "skipped (it did not build; see $BUILD_LOG; tsql is used instead)"
fi

echo "== starting the cloud and on-prem PostgreSQL clusters"
cluster_start cloud "shared_preload_libraries = 'berqenas,pg_cron'" "cron.database_name = 'postgres'" "max_worker_processes = 32"
cluster_start onprem
echo "  cloud:   127.0.0.1:$cloud_PORT"
echo "  on-prem: 127.0.0.1:$onprem_PORT"

echo "== creating the demo on-prem databases (erp: PostgreSQL, erp_mssql: behind the TDS server)"
cluster_psql onprem -c "CREATE DATABASE erp" -c "CREATE DATABASE erp_mssql" >/dev/null
cluster_psql onprem -d erp <<'SQL' >/dev/null
CREATE TABLE customers (
    customer_id integer PRIMARY KEY,
    name        varchar(100) NOT NULL,
    email       varchar(200),
    city        varchar(60),
    balance     numeric(12,2) NOT NULL DEFAULT 0,
    created_at  timestamp NOT NULL DEFAULT now(),
    updated_at  timestamp NOT NULL DEFAULT now(),
    is_deleted  boolean NOT NULL DEFAULT false
);
CREATE TABLE orders (
    order_id    bigint PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers,
    ordered_at  timestamp NOT NULL,
    total       numeric(12,2) NOT NULL,
    status      text NOT NULL,
    updated_at  timestamp NOT NULL DEFAULT now(),
    is_deleted  boolean NOT NULL DEFAULT false
);
INSERT INTO customers (customer_id, name, email, city, balance)
SELECT i, 'Customer ' || i, 'customer' || i || '@example.com',
       (ARRAY['İstanbul', 'Ankara', 'İzmir', 'Berlin', 'Amsterdam'])[1 + i % 5], (i * 37 % 10000) / 100.0
  FROM generate_series(1, 500) i;
INSERT INTO orders (order_id, customer_id, ordered_at, total, status)
SELECT i, 1 + i % 500, timestamp '2026-01-01' + i * interval '37 minutes', (i * 113 % 100000) / 100.0,
       (ARRAY['new', 'paid', 'shipped'])[1 + i % 3]
  FROM generate_series(1, 2000) i;
SQL
cluster_psql onprem -d erp_mssql -f test/tds_server/mssql_types.sql >/dev/null
cluster_psql onprem -d erp_mssql <<'SQL' >/dev/null
-- SQL Server column types through the mssql_* domains (see test/tds_server/README.md).
CREATE TABLE products (
    product_id  integer PRIMARY KEY,
    sku         varchar(40) NOT NULL,
    title       text NOT NULL,
    price       mssql_money NOT NULL,
    in_stock    boolean NOT NULL,
    updated_at  timestamp(3) NOT NULL DEFAULT now(),
    is_deleted  boolean NOT NULL DEFAULT false
);
INSERT INTO products (product_id, sku, title, price, in_stock)
SELECT i, 'SKU-' || lpad(i::text, 5, '0'), 'Ürün ' || i, (i * 7919 % 100000) / 100.0, i % 4 <> 0
  FROM generate_series(1, 300) i;
SQL

echo "== starting the MSSQL stand-in (TDS 7.4) in front of erp_mssql"
TDS_PORT=$(free_port)
# Without the demo's PGPASSWORD (test/lib/cluster.sh exports it): only each login's own password
# may get a TDS client in, and the server left running by --keep must not hold the superuser's.
env -u PGPASSWORD "$BERQENAS_BUILD_DIR/test/tds_server/berqenas-tds-server" --listen-port "$TDS_PORT" --pg-host 127.0.0.1 \
    --pg-port "$onprem_PORT" >"$TDS_LOG" 2>&1 &
TDS_PID=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$TDS_PORT") 2>/dev/null && break; sleep 0.1; done
echo "  mssql:   127.0.0.1:$TDS_PORT"

echo "== installing the extension in the cloud and registering both databases"
cluster_psql cloud <<SQL
CREATE EXTENSION pg_cron;   -- preloaded with cron.database_name = 'postgres': berqenas.schedule_sync works here
CREATE EXTENSION berqenas;
SELECT berqenas.create_tenant('acme') AS tenant_id;
SELECT berqenas.register_remote_database(
    name => 'acme_erp', database_type => 'postgresql', host => '127.0.0.1', port => $onprem_PORT,
    database_name => 'erp', username => 'postgres', password => 'postgres', schema => 'public',
    tenant => 'acme') AS acme_erp_id;
SELECT berqenas.register_remote_database(
    name => 'acme_shop', database_type => 'mssql', host => '127.0.0.1', port => $TDS_PORT,
    database_name => 'erp_mssql', username => 'postgres', password => 'postgres', schema => 'dbo',
    tenant => 'acme') AS acme_shop_id;
\x on
SELECT name, database_type, host, port, database_name, schema, tenant FROM berqenas.remote_databases ORDER BY id;
\x off
SQL

echo "== testing the connections"
cluster_psql cloud -c "SELECT name, t ->> 'ok' AS ok, round((t ->> 'latency_ms')::numeric, 1) AS latency_ms,
                              left(t ->> 'server_version', 60) AS server_version
                         FROM berqenas.remote_databases, LATERAL berqenas.test_connection(name) AS t ORDER BY id"
cluster_psql cloud -c "SELECT jsonb_pretty(berqenas.remote_db_status('acme_shop'))"

if [ -f test/demo_sync.sh ]; then
    BERQENAS_CLOUD_PORT=$cloud_PORT BERQENAS_ONPREM_PORT=$onprem_PORT BERQENAS_TDS_PORT=$TDS_PORT \
    BERQENAS_DEMO_PG_NAME=acme_erp BERQENAS_DEMO_MSSQL_NAME=acme_shop bash test/demo_sync.sh
fi

if [ "$KEEP" = yes ]; then
    # The clusters run as an unprivileged OS user when the demo runs as root (test/lib/cluster.sh).
    as_cluster_user="" cluster_user=$(id -un)
    if [ "$(id -u)" = 0 ]; then
        as_cluster_user="runuser -u $BERQENAS_TEST_USER -- " cluster_user=$BERQENAS_TEST_USER
    fi
    echo
    echo "Servers left running (superuser postgres, password \"postgres\", on 127.0.0.1 only):"
    echo "  cloud:   PGPASSWORD=postgres psql -h 127.0.0.1 -p $cloud_PORT -U postgres"
    echo "  on-prem: PGPASSWORD=postgres psql -h 127.0.0.1 -p $onprem_PORT -U postgres -d erp"
    echo "  mssql:   TDSVER=7.4 tsql -H 127.0.0.1 -p $TDS_PORT -U postgres -P postgres -D erp_mssql"
    echo "  TDS server log: $TDS_LOG"
    echo "  data directories (OS user $cluster_user): $cloud_DIR/data, $onprem_DIR/data"
    echo "  pg_cron is installed in the cloud: SELECT berqenas.schedule_sync('acme_erp', '*/15 * * * *');"
    echo
    echo "To stop them:"
    echo "  kill $TDS_PID"
    echo "  ${as_cluster_user}$PG_BIN/pg_ctl -D $cloud_DIR/data -m fast stop"
    echo "  ${as_cluster_user}$PG_BIN/pg_ctl -D $onprem_DIR/data -m fast stop"
    echo "  rm -rf $_BERQENAS_CLUSTER_ROOT $DEMO_DIR"
    echo
fi
echo "== demo finished"
