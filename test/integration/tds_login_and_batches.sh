#!/usr/bin/env bash
# The TDS test server's protocol basics with real clients (FreeTDS tsql and db-lib): login success
# and failure (18456, also for an empty password whatever the server's environment holds), database
# names found case-insensitively (login, USE [SalesX]), multi-statement batches, non-ASCII text both
# ways, errors mapped to SQL Server numbers, MERGE refused, transactions, session variables, 100k
# rows split at a small packet size, many sessions at once, and a clean stop on SIGTERM.
set -euo pipefail
. "$(dirname "$0")/../tds_server/tests/integration_lib.sh"
tds_setup

echo "== login"
out=$(tds_tsql "$TDS_PORT" postgres postgres "SELECT 'tsql says hi' AS greeting")
expect_contains "tsql logs in and runs a query" "tsql says hi" "$out"
out=$(tds_tsql "$TDS_PORT" postgres wrong-password "SELECT 1")
expect_contains "tsql with a wrong password gets error 18456" "Msg 18456" "$out"
out=$(TDS_PASSWORD=wrong tds_check "SELECT 1")
expect_contains "db-lib with a wrong password: 18456 severity 14" "MSG 18456 14 Login failed for user 'postgres'." "$out"
expect_contains "db-lib with a wrong password: login fails" "LOGIN FAILED" "$out"
cluster_psql onprem -c "CREATE ROLE app LOGIN PASSWORD 'app-secret'" -c "CREATE DATABASE appdb OWNER app"
out=$(TDS_USER=app TDS_PASSWORD=app-secret tds_check -D appdb "SELECT current_user, DB_NAME()")
expect_contains "login as another role into its database" "ROW app|appdb" "$out"
out=$(TDS_USER=app TDS_PASSWORD=app-secret tds_check -D nosuchdb "SELECT 1")
expect_contains "unknown database: 4060 then 18456" "MSG 4060" "$out"
expect_contains "unknown database: login fails" "MSG 18456 14" "$out"

echo "== the login's own password decides, never the server's environment or PostgreSQL's trust"
# libpq falls back to PGPASSWORD and ~/.pgpass when it is given no password: a server started with
# either must still refuse an empty or a wrong one.
pgpass=$_TDS_LOGS/pgpass
echo '*:*:*:*:postgres' >"$pgpass"; chmod 600 "$pgpass"
PGPASSWORD=postgres PGPASSFILE=$pgpass tds_start_server ENV_PORT
out=$(TDS_PASSWORD= tds_check_port "$ENV_PORT" "SELECT 'let in' AS x")
expect_contains "db-lib, empty password, PGPASSWORD in the server's environment: 18456" \
    "MSG 18456 14 Login failed for user 'postgres'." "$out"
expect_not_contains "db-lib, empty password: no query ran" "let in" "$out"
out=$(tds_tsql "$ENV_PORT" postgres "" "SELECT 'let in' AS x")
expect_contains "tsql, empty password, PGPASSWORD in the server's environment: 18456" "Msg 18456" "$out"
expect_not_contains "tsql, empty password: no query ran" "let in" "$out"
out=$(TDS_PASSWORD=wrong tds_check_port "$ENV_PORT" "SELECT 1")
expect_contains "wrong password with PGPASSWORD set: 18456" "MSG 18456 14" "$out"
out=$(tds_check_port "$ENV_PORT" "SELECT 'right password' AS x")
expect_contains "the right password still logs in" "ROW right password" "$out"
out=$(TDS_USER=app TDS_PASSWORD=app-secret tds_check_port "$ENV_PORT" -D appdb "SELECT current_user AS u")
expect_contains "another role's own password logs in as that role" "ROW app" "$out"
# Over the Unix socket the test cluster trusts every local login: PostgreSQL checks no password
# there, so the server must refuse rather than let any password in.
tds_start_server TRUST_PORT --pg-host "$onprem_DIR"
out=$(TDS_PASSWORD=wrong tds_check_port "$TRUST_PORT" "SELECT 'let in' AS x")
expect_contains "PostgreSQL that checks no password (trust): 18456" "MSG 18456 14" "$out"
expect_not_contains "trust: no query ran" "let in" "$out"
expect_contains "trust: the server log says why" "PostgreSQL did not check the password" "$(cat "$_TDS_LOGS/server-$TRUST_PORT.log")"

echo "== database names resolve case-insensitively, bracketed or not (SQL Server's default collation)"
out=$(tds_check "CREATE DATABASE [SalesX]")
expect_not_contains "CREATE DATABASE [SalesX] succeeds" "MSG" "$out"
expect_eq "PostgreSQL holds it folded to lower case" "salesx" \
    "$(cluster_psql onprem -At -c "SELECT datname FROM pg_database WHERE lower(datname) = 'salesx'")"
out=$(tds_check "USE [SalesX]; SELECT DB_NAME() AS db")
expect_not_contains "db-lib: USE [SalesX] is no 911" "MSG 911" "$out"
expect_contains "db-lib: USE [SalesX] switches to it" "ROW salesx" "$out"
out=$(tds_check "USE SalesX; SELECT DB_NAME() AS db")
expect_contains "db-lib: USE SalesX (plain) alike" "ROW salesx" "$out"
out=$(tds_check "USE [SALESX]; SELECT DB_NAME() AS db")
expect_contains "db-lib: USE [SALESX] alike" "ROW salesx" "$out"
out=$(printf 'USE [SalesX]\ngo\nSELECT DB_NAME() AS db\ngo\nexit\n' |
      timeout 20 tsql -H 127.0.0.1 -p "$TDS_PORT" -U postgres -P postgres -o q 2>&1 || true)
expect_not_contains "tsql: USE [SalesX] is no 911" "Msg 911" "$out"
expect_contains "tsql: USE [SalesX] switches to it" "salesx" "$out"
out=$(tds_check -D SalesX "SELECT DB_NAME() AS db")
expect_contains "db-lib: a login into database SalesX" "ROW salesx" "$out"
out=$(printf 'SELECT DB_NAME() AS db\ngo\nexit\n' |
      timeout 20 tsql -H 127.0.0.1 -p "$TDS_PORT" -U postgres -P postgres -D SalesX -o q 2>&1 || true)
expect_contains "tsql: a login into database SalesX" "salesx" "$out"
expect_not_contains "tsql: a login into database SalesX: no 4060" "Msg 4060" "$out"
cluster_psql onprem -c 'CREATE DATABASE "ERP_Production"' >/dev/null
out=$(tds_check "USE [erp_production]; SELECT DB_NAME() AS db")
expect_contains "USE finds a mixed-case PostgreSQL database by any case" "ROW ERP_Production" "$out"
out=$(tds_check -D erp_PRODUCTION "SELECT DB_NAME() AS db")
expect_contains "a login finds it by any case" "ROW ERP_Production" "$out"
out=$(tds_check "USE [NoSuchDb]; SELECT DB_NAME() AS db")
expect_contains "USE of a database that does not exist is still 911" "MSG 911 16 Database 'NoSuchDb' does not exist." "$out"
expect_contains "after a failed USE the session stays where it was" "ROW postgres" "$out"

echo "== batches"
out=$(tds_check "SELECT 1 AS a; SELECT 'two' AS b, 2.5 AS c; SELECT 3 AS d WHERE false")
expect_eq "three result sets in one batch" \
    $'COLUMNS a:int(4)\nROW 1\nCOUNT 1\nCOLUMNS b:char(2147483647) c:decimal(17)\nROW two|2.5000000000\nCOUNT 1\nCOLUMNS d:int(4)\nCOUNT 0' "$out"
tds_check "CREATE TABLE dbo.greetings (id int PRIMARY KEY, lang nvarchar(10), txt nvarchar(100))" >/dev/null
out=$(tds_check "INSERT INTO greetings VALUES (1, N'tr', N'Günaydın, dünya! Şğıİ'), (2, N'ja', N'こんにちは世界'), (3, N'emoji', N'🎉 ok'); UPDATE greetings SET lang = upper(lang) WHERE id > 1; DELETE FROM greetings WHERE id = 99")
expect_eq "row counts of INSERT, UPDATE, DELETE" $'COUNT 3\nCOUNT 2\nCOUNT 0' "$out"
expect_eq "non-ASCII sent by TDS is stored as UTF-8 in PostgreSQL" \
    "Günaydın, dünya! Şğıİ|こんにちは世界|🎉 ok" \
    "$(cluster_psql onprem -At -c "SELECT string_agg(txt, '|' ORDER BY id) FROM greetings")"
out=$(tds_check "SELECT txt FROM greetings ORDER BY id")
expect_eq "non-ASCII read back through TDS" $'COLUMNS txt:char(400)\nROW Günaydın, dünya! Şğıİ\nROW こんにちは世界\nROW 🎉 ok\nCOUNT 3' "$out"
out=$(tds_tsql "$TDS_PORT" postgres postgres "SELECT txt FROM greetings WHERE id = 2")
expect_contains "tsql reads non-ASCII" "こんにちは世界" "$out"

echo "== errors keep SQL Server numbers"
tds_check "CREATE TABLE parent (id int PRIMARY KEY); CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent(id), qty int CHECK (qty > 0))" >/dev/null
out=$(tds_check "SELECT * FROM no_such_table")
expect_contains "invalid object name: 208" "MSG 208 16" "$out"
out=$(tds_check "SELECT no_such_column FROM parent")
expect_contains "invalid column name: 207" "MSG 207 16" "$out"
out=$(tds_check "INSERT INTO parent VALUES (1); INSERT INTO parent VALUES (1); SELECT count(*) AS n FROM parent")
expect_contains "duplicate key: 2627" "MSG 2627 14" "$out"
expect_contains "the batch goes on after a statement error" $'ROW 1\nCOUNT 1' "$out"
out=$(tds_check "INSERT INTO child VALUES (1, 42, 1)")
expect_contains "foreign key violation: 547" "MSG 547 16" "$out"
out=$(tds_check "INSERT INTO child VALUES (1, 1, 0)")
expect_contains "check constraint violation: 547" "MSG 547 16" "$out"
out=$(tds_check "SELEC 1")
expect_contains "syntax error: 102" "MSG 102 15" "$out"
out=$(tds_check "MERGE INTO parent AS t USING (SELECT 5 AS id) AS s ON t.id = s.id WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id);")
expect_contains "MERGE is refused" "'MERGE' is not currently supported" "$out"
expect_eq "MERGE changed nothing" "1" "$(cluster_psql onprem -At -c "SELECT count(*) FROM parent")"

echo "== transactions and session variables"
out=$(tds_check "BEGIN TRAN; INSERT INTO parent VALUES (2); INSERT INTO parent VALUES (2); SELECT @@TRANCOUNT AS tc; COMMIT TRANSACTION")
expect_contains "a failed statement inside BEGIN TRAN leaves the transaction usable" $'COLUMNS tc:int(4)\nROW 1' "$out"
expect_eq "COMMIT kept the good insert" "2" "$(cluster_psql onprem -At -c "SELECT count(*) FROM parent")"
out=$(tds_check "BEGIN TRANSACTION; INSERT INTO parent VALUES (3); ROLLBACK; SELECT count(*) AS n FROM parent; IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION")
expect_contains "ROLLBACK undoes the insert" $'ROW 2\nCOUNT 1' "$out"
tds_check "CREATE TABLE ids (id int IDENTITY(1,1) PRIMARY KEY, v nvarchar(10))" >/dev/null
out=$(tds_check "SET NOCOUNT ON; SET ANSI_NULLS ON; SET XACT_ABORT ON; SET TEXTSIZE 2147483647; INSERT INTO ids (v) VALUES (N'a'), (N'b'); SELECT @@ROWCOUNT AS rc, SCOPE_IDENTITY() AS last_id")
expect_contains "SET options accepted, @@ROWCOUNT and SCOPE_IDENTITY()" $'ROW 2|2' "$out"
out=$(tds_check "SELECT @@VERSION AS v")
expect_contains "@@VERSION says SQL Server" "Microsoft SQL Server" "$out"

echo "== multi-packet results"
cluster_psql onprem -c "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, 100000) g"
out=$(tds_check --count-only "SELECT id, payload FROM big ORDER BY id")
expect_eq "100k rows over thousands of 4096-byte packets" $'COLUMNS id:int(4) payload:char(2147483647)\nCOUNT 100000' "$out"
last=$(tds_check "SELECT id, payload FROM big WHERE id > 99998 ORDER BY id")
expect_eq "last rows intact" $'COLUMNS id:int(4) payload:char(2147483647)\nROW 99999|'"$(cluster_psql onprem -At -c "SELECT md5('99999')")"$'\nROW 100000|'"$(cluster_psql onprem -At -c "SELECT md5('100000')")"$'\nCOUNT 2' "$last"
out=$(tds_tsql "$TDS_PORT" postgres postgres "SELECT count(*) AS n, sum(length(payload)) AS total FROM big")
expect_contains "tsql reads an aggregate over the big table" "3200000" "$out"

echo "== many sessions at once"
pids=()
for i in $(seq 8); do
    (out=$(tds_check "SELECT count(*) AS n FROM big WHERE id % 8 = $((i - 1))"); [[ "$out" == *"ROW 12500"* ]]) &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
echo "ok   8 concurrent sessions each got their answer"

echo "== clean stop on SIGTERM"
tds_start_server STOP_PORT
stop_pid=${_TDS_PIDS[-1]}
kill -TERM "$stop_pid"
for _ in $(seq 50); do kill -0 "$stop_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$stop_pid" 2>/dev/null; then echo "FAIL server still running after SIGTERM"; exit 1; fi
wait "$stop_pid" && rc=0 || rc=$?
expect_eq "SIGTERM exit status" "0" "$rc"
tds_done
