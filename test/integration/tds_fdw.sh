#!/usr/bin/env bash
# Debian's tds_fdw (written by others, on FreeTDS db-lib, TDS 7.4) reads a table holding every
# SQL Server type through the TDS test server and gets the right values. FreeTDS renders date/time
# types as text in its default locale format (configurable only in /etc/freetds/locales.conf), so
# those columns are read as text here and checked again in full precision through a query table.
set -euo pipefail
. "$(dirname "$0")/../tds_server/tests/integration_lib.sh"
tds_setup

cluster_psql onprem -q >/dev/null <<'SQL'
SELECT mssql_ensure_domain('varchar', 20), mssql_ensure_domain('varbinary', 8), mssql_ensure_domain('binary', 4),
       mssql_ensure_domain('char', 5);
CREATE TABLE every_type (id int PRIMARY KEY, ti mssql_tinyint, si smallint, i int, bi bigint, b boolean, r real,
  f float8, d numeric(18,4), m mssql_money, sm mssql_smallmoney, dt date, tm time, ts timestamp, tz timestamptz,
  dtm mssql_datetime, sdt mssql_smalldatetime, g uuid, c mssql_char_5, vc mssql_varchar_20, vcm mssql_varchar_max,
  nc char(5), nv varchar(20), nvm text, tx mssql_text, ntx mssql_ntext, bn mssql_binary_4, vb mssql_varbinary_8,
  vbm bytea, img mssql_image, x xml);
INSERT INTO every_type (id) VALUES (0);
INSERT INTO every_type VALUES (1, 255, -32768, 2147483647, -9223372036854775808, true, 1.5, 3.141592653589793,
  -12345678901234.5678, 922337203685477.5807, -214748.3648, '2024-02-29', '13:14:15.123456',
  '2024-02-29 13:14:15.123456', '2024-06-30 12:34:56.789+05:30', '2024-02-29 13:14:15.997', '2024-02-29 13:14',
  '12345678-9abc-def0-1234-56789abcdef0', 'ab', 'çàé€', repeat('x', 70000), 'ğüş', 'Şığ日本', repeat('日', 40000),
  'latin é', 'ünïcode ☃', '\xdead', '\x0102', decode(repeat('ab', 70000), 'hex'), '\x00ff', '<r a="ü">t</r>');
CREATE TABLE big AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, 100000) g;
SQL

cluster_start cloud
cluster_psql cloud -q <<SQL
CREATE EXTENSION tds_fdw;
CREATE SERVER mssql FOREIGN DATA WRAPPER tds_fdw
  OPTIONS (servername '127.0.0.1', port '$TDS_PORT', database 'postgres', tds_version '7.4');
CREATE USER MAPPING FOR postgres SERVER mssql OPTIONS (username 'postgres', password 'postgres');
CREATE FOREIGN TABLE ft (id int, ti smallint, si smallint, i int, bi bigint, b boolean, r real, f float8,
  d numeric(18,4), m numeric(19,4), sm numeric(10,4), dt text, tm text, ts text, tz text, dtm timestamp(3),
  sdt text, g uuid, c text, vc text, vcm text, nc text, nv text, nvm text, tx text, ntx text, bn bytea, vb bytea,
  vbm bytea, img bytea, x xml) SERVER mssql OPTIONS (table_name 'dbo.every_type');
CREATE FOREIGN TABLE ft_iso (id int, dt text, tm text, ts text, tz text, sdt text) SERVER mssql OPTIONS (query
  'SELECT id, CAST(dt AS nvarchar(40)) AS dt, CAST(tm AS nvarchar(40)) AS tm, CAST(ts AS nvarchar(40)) AS ts,
          CAST(tz AS nvarchar(40)) AS tz, CAST(sdt AS nvarchar(40)) AS sdt FROM dbo.every_type WHERE id = 1');
CREATE FOREIGN TABLE ft_utf16 (nv bytea, nvm bytea, nc bytea) SERVER mssql OPTIONS (query
  'SELECT CAST(nv AS varbinary(max)) AS nv, CAST(nvm AS varbinary(max)) AS nvm, CAST(nc AS varbinary(10)) AS nc
     FROM dbo.every_type WHERE id = 1');
CREATE FOREIGN TABLE ft_big (id int, payload text) SERVER mssql
  OPTIONS (table_name 'big', use_remote_estimate '0');
SQL

# tds_fdw reports its row estimates as NOTICEs; keep the output to the values.
q() { PGOPTIONS='-c client_min_messages=warning' cluster_psql cloud -At -F'|' -c "$1"; }
cols="id, ti, si, i, bi, b, r, f, d, m, sm, dt, tm, ts, tz, dtm, sdt, g, c, vc, length(vcm), nc, nv, length(nvm), tx, ntx, bn, vb, length(vbm), img, x"
expect_eq "all NULLs" "0$(printf '|%.0s' $(seq 30))" "$(q "SELECT $cols FROM ft WHERE id = 0")"
expected="1|255|-32768|2147483647|-9223372036854775808|t|1.5|3.141592653589793|-12345678901234.5678|922337203685477.5807|-214748.3648"
expected+="|Feb 29 2024 12:00:00:AM|Jan  1 1900  1:14:15:1234560PM|Feb 29 2024  1:14:15:1234560PM|Jun 30 2024  7:04:56:7890000AM"
expected+="|2024-02-29 13:14:15.997|Feb 29 2024  1:14:00:000PM|12345678-9abc-def0-1234-56789abcdef0|ab   |çàé€|70000|ğüş  |Şığ日本|40000"
expected+="|latin é|ünïcode ☃|\\xdead0000|\\x0102|70000|\\x00ff|<r a=\"ü\">t</r>"
actual=$(q "SELECT $cols FROM ft WHERE id = 1")
IFS='|' read -r -a exp_fields <<<"$expected"
IFS='|' read -r -a act_fields <<<"$actual"
names=($(tr -d ' ' <<<"$cols" | tr ',' ' '))
for k in "${!exp_fields[@]}"; do
    expect_eq "tds_fdw value of ${names[$k]}" "${exp_fields[$k]}" "${act_fields[$k]:-}"
done
expect_eq "varchar(max) content over 64 KiB" "t" "$(q "SELECT vcm = repeat('x', 70000) FROM ft WHERE id = 1")"
expect_eq "nvarchar(max) content over 64 KiB" "t" "$(q "SELECT nvm = repeat('日', 40000) FROM ft WHERE id = 1")"
expect_eq "varbinary(max) content over 64 KiB" "t" "$(q "SELECT vbm = decode(repeat('ab', 70000), 'hex') FROM ft WHERE id = 1")"
expect_eq "date/time in full precision through CAST(... AS nvarchar)" \
    "1|2024-02-29|13:14:15.123456|2024-02-29 13:14:15.123456|2024-06-30 07:04:56.789+00|2024-02-29 13:14:00" \
    "$(q "SELECT * FROM ft_iso")"
# What berqenas_fdw asks for nvarchar columns: their UTF-16LE bytes, as SQL Server sends them
# (nchar keeps its padding: 'ğüş' in nchar(5)).
expect_eq "CAST(nvarchar AS varbinary) through tds_fdw" "\\x5e0131011f01e5652c67|80000|\\xe565|\\x1f01fc005f0120002000" \
    "$(q "SELECT nv, length(nvm), substr(nvm, 1, 2), nc FROM ft_utf16")"
expect_eq "100k rows through tds_fdw" "100000|5000050000|$(cluster_psql onprem -At -c "SELECT md5(string_agg(payload, '' ORDER BY id)) FROM big")" \
    "$(q "SELECT count(*), sum(id), md5(string_agg(payload, '' ORDER BY id)) FROM ft_big")"
expect_eq "a WHERE clause pushed down by tds_fdw" "42|$(cluster_psql onprem -At -c "SELECT md5('42')")" \
    "$(q "SELECT id, payload FROM ft_big WHERE id = 42")"
tds_done
