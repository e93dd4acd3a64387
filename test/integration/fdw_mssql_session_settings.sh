#!/usr/bin/env bash
# Every MSSQL connection of berqenas (FDW, sync, realtime) starts with one batch of session settings
# (src/remote/mssql/mssql_connection.cpp): the ANSI options SQL Server requires for DML on tables with
# filtered indexes or indexed views, and TEXTSIZE at its maximum, without which SQL Server cuts
# (max), text and image values at 4096 bytes (the TDS test server cuts them the same way). A server
# that does not know one of the options refuses the whole batch (error 195, as SQL Server does);
# then the settings go one by one and the rest still apply.
set -euo pipefail
. "$(dirname "$0")/../tds_server/tests/integration_lib.sh"
tds_setup
cluster_psql onprem -q -c "CREATE TABLE docs (id int PRIMARY KEY, body text NOT NULL)" \
    -c "INSERT INTO docs VALUES (1, repeat('ödeme ', 2000))"
tds_start_server LOGGED_PORT --log-statements
tds_start_server PICKY_PORT --log-statements --unknown-set-option numeric_roundabort
log_of() { cat "$_TDS_LOGS/server-$1.log"; }

cluster_start cloud "shared_preload_libraries = 'berqenas'"
cluster_psql cloud -q <<SQL
CREATE EXTENSION berqenas;
SET client_min_messages = warning;
SELECT berqenas.register_remote_database('logged', 'mssql', '127.0.0.1', $LOGGED_PORT, 'postgres', 'postgres', 'postgres') > 0;
SELECT berqenas.register_remote_database('picky', 'mssql', '127.0.0.1', $PICKY_PORT, 'postgres', 'postgres', 'postgres') > 0;
CREATE SERVER logged FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'logged');
CREATE SERVER picky FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'picky');
CREATE FOREIGN TABLE docs_logged (id int, body text) SERVER logged OPTIONS (schema_name 'dbo', table_name 'docs');
CREATE FOREIGN TABLE docs_picky (id int, body text) SERVER picky OPTIONS (schema_name 'dbo', table_name 'docs');
SQL
cloud() { cluster_psql cloud -At "$@"; }
expected=$(cluster_psql onprem -At -c "SELECT length(body), md5(body) FROM docs")

echo "== the settings batch right after login"
expect_eq "12000 characters, whole" "$expected" "$(cloud -c "SELECT length(body), md5(body) FROM docs_logged")"
settings="SET ANSI_NULLS ON; SET ANSI_PADDING ON; SET ANSI_WARNINGS ON; SET ARITHABORT ON; SET CONCAT_NULL_YIELDS_NULL ON; SET QUOTED_IDENTIFIER ON; SET NUMERIC_ROUNDABORT OFF; SET TEXTSIZE 2147483647"
expect_contains "first batch after login" "packet size 32767
berqenas-tds-server: batch: $settings" "$(log_of "$LOGGED_PORT")"

echo "== a server that refuses one option: the batch fails (195), the settings go one by one"
expect_contains "the test server refuses it" "MSG 195 15 'NUMERIC_ROUNDABORT' is not a recognized SET option." \
    "$(tds_check_port "$PICKY_PORT" "SET NUMERIC_ROUNDABORT OFF; SELECT 1")"
expect_eq "still whole: TEXTSIZE applied on its own" "$expected" "$(cloud -c "SELECT length(body), md5(body) FROM docs_picky")"
log=$(log_of "$PICKY_PORT")
expect_contains "then one by one" "batch: SET QUOTED_IDENTIFIER ON
berqenas-tds-server: batch: SET NUMERIC_ROUNDABORT OFF
berqenas-tds-server: batch: SET TEXTSIZE 2147483647" "$log"
echo "PASS"
