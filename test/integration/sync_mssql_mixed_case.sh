#!/usr/bin/env bash
# An MSSQL schema with mixed-case names, as ERP schemas have them ([Customer], [CustomerId] INT ...
# PRIMARY KEY), behind the TDS test server answering its catalog as Babelfish does
# (INFORMATION_SCHEMA.KEY_COLUMN_USAGE in lower case, COLUMNS and TABLES as declared, names compared
# ignoring case): configure_sync naming the tables in any case, full and incremental syncs following
# [UpdatedAt], soft deletes by [IS_DELETED], verify, sync(tables => ...), and INSERT/UPDATE/DELETE by
# key through attach()'s foreign tables.
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
TDS_CHECK=$BUILD/test/tds_server/berqenas-tds-check
[ -x "$TDS_BIN" ] || { echo "TDS test server not built ($TDS_BIN)"; exit 1; }
[ -x "$TDS_CHECK" ] || { echo "TDS check client not built ($TDS_CHECK)"; exit 1; }

start_sync_pair
cluster_psql onprem -f test/tds_server/mssql_types.sql >/dev/null
TDS_PORT=$(free_port)
TDS_LOG=$(mktemp)
"$TDS_BIN" --listen-port "$TDS_PORT" --pg-host 127.0.0.1 --pg-port "$onprem_PORT" --log-statements >"$TDS_LOG" 2>&1 &
TDS_PID=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$TDS_PORT") 2>/dev/null && break; sleep 0.1; done
# One T-SQL batch through the TDS server; its rows as "ROW a|b" lines.
tsql() { "$TDS_CHECK" -S "127.0.0.1:$TDS_PORT" -U postgres -P postgres "$1"; }
rows() { grep '^ROW ' <<<"$1" | sed 's/^ROW //'; }

echo "== the schema, declared in T-SQL"
tsql "CREATE TABLE [dbo].[Customer] ([CustomerId] INT NOT NULL PRIMARY KEY, [Name] NVARCHAR(60) NOT NULL,
      [CreditLimit] MONEY NULL, [CreatedAt] DATETIME NOT NULL DEFAULT GETDATE(),
      [UpdatedAt] DATETIME2 NOT NULL DEFAULT SYSDATETIME(), [IS_DELETED] BIT NOT NULL DEFAULT 0)" >/dev/null
tsql "CREATE TABLE [dbo].[SalesOrder] ([OrderNo] INT NOT NULL, [LineNo] INT NOT NULL, [CustomerId] INT NOT NULL,
      [Amount] DECIMAL(12,2) NULL, [UpdatedAt] DATETIME2 NOT NULL DEFAULT SYSDATETIME(),
      CONSTRAINT [PK_SalesOrder] PRIMARY KEY ([OrderNo], [LineNo]))" >/dev/null
# Rows straight into the backing PostgreSQL (where the names are folded).
onprem >/dev/null <<'SQL'
INSERT INTO customer (customerid, name, creditlimit, updatedat)
SELECT g, 'Müşteri ' || g, g * 100, localtimestamp - g * interval '1 minute' FROM generate_series(1, 500) g;
INSERT INTO salesorder (orderno, lineno, customerid, amount, updatedat)
SELECT o, l, 1 + o % 500, o + l / 10.0, localtimestamp - o * interval '1 minute'
  FROM generate_series(1, 300) o, generate_series(1, 3) l;
SQL
# The catalog answers as Babelfish's: the key in lower case, the columns as declared, and names
# compared ignoring case. Comparing the two views byte for byte finds no key.
expect_eq "$(rows "$(tsql "SELECT k.COLUMN_NAME FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS c JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k
                          ON k.CONSTRAINT_NAME = c.CONSTRAINT_NAME AND k.TABLE_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME
                          WHERE c.CONSTRAINT_TYPE = 'PRIMARY KEY' AND c.TABLE_SCHEMA = N'dbo' AND c.TABLE_NAME = N'Customer'")")" \
    "customerid" "KEY_COLUMN_USAGE in lower case"
expect_eq "$(rows "$(tsql "SELECT COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = N'dbo' AND TABLE_NAME = N'customer' ORDER BY ORDINAL_POSITION")" | head -1)" \
    "CustomerId" "COLUMNS as declared, found by any case"
expect_eq "$(rows "$(tsql "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = N'dbo' ORDER BY TABLE_NAME")")" \
    $'Customer\nSalesOrder' "TABLES as declared"

cloud -c "CREATE EXTENSION berqenas" >/dev/null
cloud -c "SELECT berqenas.register_remote_database('erp', 'mssql', '127.0.0.1', $TDS_PORT, 'postgres', 'postgres', 'postgres', 'dbo')" >/dev/null

echo "== configure_sync: tables in any case, timestamp_column as declared"
r=$(cloud -c "SELECT berqenas.configure_sync('erp', 'incremental', ARRAY['Customer', 'salesorder'], timestamp_column => 'UpdatedAt')")
echo "$r"
expect_eq "$(cloud -c "SELECT '$r'::jsonb -> 'copied_in_full'")" "[]" "every table has the key and the timestamp column"

echo "== first sync: local tables keep the remote's declared names, and its key"
r=$(cloud -c "SELECT berqenas.sync('erp')")
echo "$r"
expect_eq "$(cloud -c "SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys('$r'::jsonb -> 'tables') k")" "Customer,SalesOrder" "result names the tables as declared"
expect_eq "$(cloud -c "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'remote_erp.\"Customer\"'::regclass AND attnum > 0")" \
    "CustomerId,Name,CreditLimit,CreatedAt,UpdatedAt,IS_DELETED" "local columns as declared"
expect_eq "$(cloud -c "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'remote_erp.\"Customer\"'::regclass AND contype = 'p'")" \
    'PRIMARY KEY ("CustomerId")' "Customer's primary key"
expect_eq "$(cloud -c "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'remote_erp.\"SalesOrder\"'::regclass AND contype = 'p'")" \
    'PRIMARY KEY ("OrderNo", "LineNo")' "SalesOrder's composite key"
expect_eq "$(cloud -c "SELECT count(*) || ' ' || sum(\"CreditLimit\") || ' ' || (SELECT \"Name\" FROM remote_erp.\"Customer\" WHERE \"CustomerId\" = 7) FROM remote_erp.\"Customer\"")" \
    "500 12525000.0000 Müşteri 7" "Customer rows"
expect_eq "$(cloud -c "SELECT count(*) FROM remote_erp.\"SalesOrder\"")" 900 "SalesOrder rows"
expect_eq "$(cloud -c "SELECT string_agg(remote_table || ':' || array_to_string(primary_key, '+') || ':' || timestamp_column, ' ' ORDER BY remote_table) FROM berqenas.sync_tables")" \
    "Customer:CustomerId:UpdatedAt SalesOrder:OrderNo+LineNo:UpdatedAt" "recorded tables, keys and timestamp columns"
expect_eq "$(cloud -c "SELECT berqenas.verify('erp') ->> 'match'")" true "verify"
expect_eq "$(cloud -c "SELECT berqenas.verify('erp', tables => ARRAY['CUSTOMER']) -> 'tables' -> 'Customer' ->> 'match'")" true "verify of a table named in another case"

echo "== incremental: follows [UpdatedAt]; [IS_DELETED] is the soft delete"
onprem -c "UPDATE customer SET creditlimit = 1, updatedat = localtimestamp WHERE customerid <= 5;
           UPDATE customer SET is_deleted = true, updatedat = localtimestamp WHERE customerid = 6;
           INSERT INTO customer (customerid, name) VALUES (5000, 'Yeni');
           UPDATE salesorder SET amount = 0, updatedat = localtimestamp WHERE orderno = 1" >/dev/null
r=$(cloud -c "SELECT berqenas.sync('erp')")
expect_eq "$(cloud -c "SELECT format('%s %s %s %s', t ->> 'mode', t ->> 'inserted', t ->> 'updated', t ->> 'deleted') FROM (SELECT '$r'::jsonb -> 'tables' -> 'Customer') x(t)")" \
    "incremental 1 5 1" "Customer: incremental counts"
expect_eq "$(cloud -c "SELECT format('%s %s %s %s', t ->> 'mode', t ->> 'inserted', t ->> 'updated', t ->> 'deleted') FROM (SELECT '$r'::jsonb -> 'tables' -> 'SalesOrder') x(t)")" \
    "incremental 0 3 0" "SalesOrder: incremental counts"
expect_eq "$(cloud -c "SELECT \"IS_DELETED\" FROM remote_erp.\"Customer\" WHERE \"CustomerId\" = 6")" t "soft delete"
grep -q "WHERE \[UpdatedAt\] >" "$TDS_LOG" || grep -q "\[UpdatedAt\] >=" "$TDS_LOG" || fail "the incremental select does not follow [UpdatedAt]"
# timestamp_column in another case is the same column: still incremental, the watermark kept.
cloud -c "SELECT berqenas.configure_sync('erp', 'incremental', ARRAY['customer', 'SalesOrder'], timestamp_column => 'updatedat')" >/dev/null
onprem -c "UPDATE customer SET name = 'değişti', updatedat = localtimestamp WHERE customerid = 10" >/dev/null
expect_eq "$(cloud -c "SELECT format('%s %s', t ->> 'mode', t ->> 'updated') FROM berqenas.sync('erp') s, LATERAL (SELECT s -> 'tables' -> 'Customer') x(t)")" \
    "incremental 1" "timestamp_column in another case"
expect_eq "$(cloud -c "SELECT \"Name\" FROM remote_erp.\"Customer\" WHERE \"CustomerId\" = 10")" "değişti" "the change arrived"
# sync(tables => ...) names a table in any case.
expect_eq "$(cloud -c "SELECT string_agg(k, ',') FROM jsonb_object_keys(berqenas.sync('erp', tables => ARRAY['CUSTOMER']) -> 'tables') k")" \
    "Customer" "sync of one table named in another case"
expect_eq "$(cloud -c "SELECT berqenas.verify('erp') ->> 'match'")" true "verify after the incremental syncs"

echo "== attach(): the foreign tables know their keys, and write by them"
expect_eq "$(cloud -c "SELECT berqenas.attach('erp')")" remote_erp_fdw "attach"
expect_eq "$(cloud -c "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'remote_erp_fdw.\"SalesOrder\"'::regclass
                        AND attnum > 0 AND array_to_string(attfdwoptions, ',') LIKE '%key=true%'")" "OrderNo,LineNo" "keys marked"
cloud -c "INSERT INTO remote_erp_fdw.\"Customer\" (\"CustomerId\", \"Name\") VALUES (9001, 'FDW müşteri')" >/dev/null
expect_eq "$(onprem -c "SELECT format('%s %s %s %s', name, creditlimit IS NULL, is_deleted, createdat IS NOT NULL) FROM customer WHERE customerid = 9001")" \
    "FDW müşteri t f t" "INSERT: the remote's defaults filled the rest"
expect_eq "$(cloud -c "UPDATE remote_erp_fdw.\"Customer\" SET \"CreditLimit\" = 42.5 WHERE \"CustomerId\" = 9001 RETURNING \"Name\"")" \
    "FDW müşteri" "UPDATE by key, RETURNING"
expect_eq "$(onprem -c "SELECT creditlimit FROM customer WHERE customerid = 9001")" "42.5000" "UPDATE arrived"
cloud -c "UPDATE remote_erp_fdw.\"SalesOrder\" SET \"Amount\" = 99 WHERE \"OrderNo\" = 2 AND \"LineNo\" = 3" >/dev/null
expect_eq "$(onprem -c "SELECT string_agg(lineno || ':' || amount, ' ' ORDER BY lineno) FROM salesorder WHERE orderno = 2")" \
    "1:2.10 2:2.20 3:99.00" "UPDATE by the composite key, one row"
expect_eq "$(cloud -c "WITH d AS (DELETE FROM remote_erp_fdw.\"SalesOrder\" WHERE \"OrderNo\" = 2 AND \"LineNo\" = 1 RETURNING 1) SELECT count(*) FROM d")" 1 "DELETE by key"
cloud -c "DELETE FROM remote_erp_fdw.\"Customer\" WHERE \"CustomerId\" = 9001" >/dev/null
expect_eq "$(onprem -c "SELECT (SELECT count(*) FROM customer WHERE customerid = 9001) || ' ' || (SELECT count(*) FROM salesorder WHERE orderno = 2)")" \
    "0 2" "DELETEs arrived"
# IMPORT FOREIGN SCHEMA ... LIMIT TO names a table in any case; PostgreSQL keeps it under the name listed.
cloud -c "CREATE SCHEMA picked; IMPORT FOREIGN SCHEMA dbo LIMIT TO (customer) FROM SERVER erp INTO picked" >/dev/null
expect_eq "$(cloud -c "SELECT count(*) FROM picked.customer")" 501 "LIMIT TO (customer) imports Customer"
expect_eq "$(cloud -c "SELECT array_to_string(ftoptions, ',') FROM pg_foreign_table WHERE ftrelid = 'picked.customer'::regclass")" \
    "schema_name=dbo,table_name=Customer" "its remote name as declared"
echo "== realtime: capture on a mixed-case table, named in another case"
cloud -c "SELECT berqenas.configure_sync('erp', 'realtime', ARRAY['customer', 'SalesOrder'], timestamp_column => 'UpdatedAt') -> 'capture'"
expect_eq "$(onprem -c "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'customer'::regclass AND NOT tgisinternal")" 3 "capture triggers on Customer"
onprem -c "UPDATE customer SET name = 'canlı', updatedat = localtimestamp WHERE customerid = 20;
           DELETE FROM salesorder WHERE orderno = 3 AND lineno = 2" >/dev/null
for _ in $(seq 100); do
    state=$(cloud -c "SELECT (SELECT \"Name\" FROM remote_erp.\"Customer\" WHERE \"CustomerId\" = 20) || '/' ||
                             (SELECT count(*) FROM remote_erp.\"SalesOrder\" WHERE \"OrderNo\" = 3)")
    [ "$state" = "canlı/2" ] && break
    sleep 0.1
done
expect_eq "$state" "canlı/2" "realtime applies an update and a delete by the mixed-case keys"
cloud -c "SELECT berqenas.configure_sync('erp', 'incremental', ARRAY['customer', 'SalesOrder'], timestamp_column => 'UpdatedAt')" >/dev/null
expect_eq "$(onprem -c "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'customer'::regclass AND NOT tgisinternal")" 0 "capture removed"
echo "all mixed-case MSSQL checks passed"
