#!/usr/bin/env bash
# Every SQL Server type the TDS test server sends, read with FreeTDS db-lib: the type db-lib sees,
# and the exact value for NULL, the minimum, the maximum and non-ASCII text; (max) values are cut to
# the session's TEXTSIZE (4096 bytes unless set, as on SQL Server), and over 64 KiB (varchar(max),
# nvarchar(max), varbinary(max)) arrive whole after SET TEXTSIZE 2147483647.
set -euo pipefail
. "$(dirname "$0")/../tds_server/tests/integration_lib.sh"
tds_setup

cluster_psql onprem -q >/dev/null <<'SQL'
SELECT mssql_ensure_domain('varchar', 20), mssql_ensure_domain('char', 5), mssql_ensure_domain('binary', 4),
       mssql_ensure_domain('varbinary', 8);
CREATE TABLE every_type (
  id int PRIMARY KEY, ti mssql_tinyint, si smallint, i int, bi bigint, b boolean, r real, f float8,
  d numeric(18,4), m mssql_money, sm mssql_smallmoney, dt date, tm time, ts timestamp, tz timestamptz,
  dtm mssql_datetime, sdt mssql_smalldatetime, g uuid, c mssql_char_5, vc mssql_varchar_20,
  vcm mssql_varchar_max, nc char(5), nv varchar(20), nvm text, tx mssql_text, ntx mssql_ntext,
  bn mssql_binary_4, vb mssql_varbinary_8, vbm bytea, img mssql_image, x xml, rv mssql_rowversion);
INSERT INTO every_type (id) VALUES (0);
INSERT INTO every_type VALUES (1, 0, -32768, -2147483648, -9223372036854775808, false, -3.4e38,
  -1.7976931348623157e308, -99999999999999.9999, -922337203685477.5808, -214748.3648, '0001-01-01',
  '00:00:00', '0001-01-01 00:00:00', '0001-01-01 00:00:00+00', '1753-01-01 00:00:00', '1900-01-01 00:00',
  '00000000-0000-0000-0000-000000000000', '', '', '', '', '', '', '', '', '\x', '\x', '\x', '\x', '<a/>', DEFAULT);
INSERT INTO every_type VALUES (2, 255, 32767, 2147483647, 9223372036854775807, true, 3.4e38,
  1.7976931348623157e308, 99999999999999.9999, 922337203685477.5807, 214748.3647, '9999-12-31',
  '23:59:59.999999', '9999-12-31 23:59:59.999999', '2024-06-30 12:34:56.789+05:30',
  '9999-12-31 23:59:59.997', '2079-06-06 23:59', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'éxyz',
  'çàé€', repeat('x', 70000), 'ğüş', 'Şığ日本', repeat('日', 40000), 'latin é', 'ünïcode ☃',
  '\xdeadbeef', '\x0102030405060708', decode(repeat('ab', 70000), 'hex'), '\x00ff',
  '<root a="ü">text</root>', DEFAULT);
INSERT INTO every_type (id, d, m, tm, ts, dtm, g) VALUES (3, 0.0001, 0.01, '12:00:00.5', '2024-02-29 13:14:15.1234',
  '2024-02-29 13:14:15.123', '12345678-9abc-def0-1234-56789abcdef0');
SQL

out=$(tds_check "SELECT id, ti, si, i, bi, b, r, f, d, m, sm, dt, tm, ts, tz, dtm, sdt, g, c, vc, nc, nv, tx, ntx, bn, vb, img, x, rv FROM every_type ORDER BY id")
header=$(sed -n 1p <<<"$out")
for expected in ti:tinyint si:smallint i:int bi:bigint b:bit r:real f:float d:decimal m:money sm:smallmoney \
    dt:date tm:time ts:datetime2 tz:datetimeoffset dtm:datetime sdt:smalldatetime g:uniqueidentifier \
    bn:binary vb:binary img:image tx:text rv:binary; do
    expect_contains "column ${expected%%:*} arrives as ${expected#*:}" " $expected(" "$header"
done
row() { grep "^ROW $1|" <<<"$out"; }
field() { row "$1" | cut -d'|' -f"$2"; }
expect_eq "NULL in every type (rowversion gets its default)" "ROW 0$(printf '|NULL%.0s' $(seq 27))|0x0000000000000001" "$(row 0)"
names=(id ti si i bi b r f d m sm dt tm ts tz dtm sdt g c vc nc nv tx ntx bn vb img x rv)
minimums=(1 0 -32768 -2147483648 -9223372036854775808 0 -3.39999995e+38 -1.7976931348623157e+308
    -99999999999999.9999 -922337203685477.5808 -214748.3648 0001-01-01 00:00:00.0000000
    "0001-01-01 00:00:00.0000000" "0001-01-01 00:00:00.0000000 +00:00" "1753-01-01 00:00:00.0000000"
    "1900-01-01 00:00:00.0000000" 00000000-0000-0000-0000-000000000000 "     " "" "     " "" "" "" 0x00000000
    0x 0x "<a/>" 0x0000000000000002)
maximums=(2 255 32767 2147483647 9223372036854775807 1 3.39999995e+38 1.7976931348623157e+308
    99999999999999.9999 922337203685477.5807 214748.3647 9999-12-31 23:59:59.9999990
    "9999-12-31 23:59:59.9999990" "2024-06-30 07:04:56.7890000 +00:00" "9999-12-31 23:59:59.9970000"
    "2079-06-06 23:59:00.0000000" FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF "éxyz " "çàé€" "ğüş  " "Şığ日本"
    "latin é" "ünïcode ☃" 0xdeadbeef 0x0102030405060708 0x00ff '<root a="ü">text</root>' 0x0000000000000003)
for k in $(seq 1 28); do
    expect_eq "${names[$k]} minimum / empty" "${minimums[$k]}" "$(field 1 $((k + 1)))"
    expect_eq "${names[$k]} maximum / non-ASCII" "${maximums[$k]}" "$(field 2 $((k + 1)))"
done
expect_eq "decimal scale, money cents, time fraction, datetime ticks, guid byte order" \
    "0.0001|0.0100|12:00:00.5000000|2024-02-29 13:14:15.1234000|2024-02-29 13:14:15.1230000|12345678-9ABC-DEF0-1234-56789ABCDEF0" \
    "$(field 3 9)|$(field 3 10)|$(field 3 13)|$(field 3 14)|$(field 3 16)|$(field 3 18)"

echo "== TEXTSIZE: as SQL Server, (max) values are cut to 4096 bytes unless the session sets it"
out=$(tds_check "SELECT vcm, nvm, vbm FROM every_type WHERE id = 2")
expect_eq "varchar(max) cut at 4096 bytes" "$(printf 'x%.0s' $(seq 4096))" "$(grep '^ROW ' <<<"$out" | cut -c5- | cut -d'|' -f1)"
expect_eq "nvarchar(max) cut at 4096 bytes: 2048 characters" "2048" \
    "$(grep '^ROW ' <<<"$out" | cut -c5- | cut -d'|' -f2 | LC_ALL=C.UTF-8 python3 -c 'import sys; s=sys.stdin.read().rstrip("\n"); print(len(s) if set(s)=={"日"} else -1)')"
expect_eq "varbinary(max) cut at 4096 bytes" "0x$(printf 'ab%.0s' $(seq 4096))" "$(grep '^ROW ' <<<"$out" | cut -c5- | cut -d'|' -f3)"
out=$(tds_check "SET TEXTSIZE 100; SELECT vcm FROM every_type WHERE id = 2")
expect_eq "SET TEXTSIZE 100" "100" "$(grep '^ROW ' <<<"$out" | cut -c5- | tr -d '\n' | wc -c)"

echo "== (max) values over 64 KiB, with SET TEXTSIZE 2147483647 (as berqenas_fdw and tds_fdw set it)"
out=$(tds_check "SET TEXTSIZE 2147483647; SELECT vcm FROM every_type WHERE id = 2")
expect_contains "varchar(max) column type" "vcm:char(" "$out"
expect_eq "varchar(max) 70000 characters arrive whole" "70000" "$(grep '^ROW ' <<<"$out" | cut -c5- | tr -d '\n' | wc -c)"
expect_eq "varchar(max) content" "$(printf 'x%.0s' $(seq 70000))" "$(grep '^ROW ' <<<"$out" | cut -c5-)"
out=$(tds_check "SET TEXTSIZE 2147483647; SELECT nvm FROM every_type WHERE id = 2")
expect_eq "nvarchar(max) 40000 CJK characters (80000 UTF-16 bytes) arrive whole" "40000" \
    "$(grep '^ROW ' <<<"$out" | cut -c5- | LC_ALL=C.UTF-8 python3 -c 'import sys; s=sys.stdin.read().rstrip("\n"); print(len(s) if set(s)=={"日"} else -1)')"
out=$(tds_check "SET TEXTSIZE 2147483647; SELECT vbm FROM every_type WHERE id = 2")
expect_eq "varbinary(max) 70000 bytes arrive whole" "0x$(printf 'ab%.0s' $(seq 70000))" "$(grep '^ROW ' <<<"$out" | cut -c5-)"
out=$(tds_check "SELECT vcm, nvm, vbm FROM every_type WHERE id IN (0, 1) ORDER BY id")
expect_eq "(max) NULL and empty" $'ROW NULL|NULL|NULL\nROW ||0x' "$(grep '^ROW' <<<"$out")"

echo "== plain SELECTs stream through COPY: its escapes come back as the characters they stand for"
cluster_psql onprem -q >/dev/null <<'SQL'
CREATE TABLE copy_escapes (id int, s text, b bytea);
INSERT INTO copy_escapes VALUES (1, E'tab\there', '\x5c09'), (2, E'line\nbreak\r\n', '\x'), (3, E'back\\slash \\N', NULL),
  (4, '\N', '\x5c4e'), (5, NULL, '\x00'), (6, '', '\x0a0d'), (7, E'ctl \b\f\v\x01 é\\', '\x5c5c'), (8, E'\t', '\x09');
SQL
copy_path=$(tds_check "SELECT id, s, b, LEN(s) AS n FROM copy_escapes ORDER BY id")
row_path=$(tds_check "(SELECT id, s, b, LEN(s) AS n FROM copy_escapes) ORDER BY id")   # not a plain SELECT: single-row mode
expect_eq "tabs, newlines, backslashes, \\N, NULL and empty: COPY path = single-row path" "$row_path" "$copy_path"
expect_contains "a literal \\N stays text, NULL stays NULL" $'ROW 4|\\N|0x5c4e|2\nROW 5|NULL|0x00|NULL' "$copy_path"
expect_contains "a tab inside a value" $'ROW 1|tab\there|0x5c09|8' "$copy_path"
expect_contains "backslashes" $'ROW 3|back\\slash \\N|NULL|13' "$copy_path"
expect_contains "an empty string is not NULL" $'ROW 6||0x0a0d|0' "$copy_path"
out=$(tds_check "SELECT s FROM copy_escapes WHERE id = 3 -- a trailing comment
")
expect_contains "a trailing -- comment does not swallow COPY's parenthesis" 'ROW back\slash \N' "$out"
out=$(tds_check "WITH x AS (SELECT count(*) AS c FROM copy_escapes) SELECT c FROM x")
expect_contains "WITH … SELECT" $'ROW 8\nCOUNT 1' "$out"
out=$(tds_check "SELECT id FROM copy_escapes WHERE id > 100")
expect_eq "an empty result still has its columns and count" $'COLUMNS id:int(4)\nCOUNT 0' "$out"

echo "== the same values through tsql"
out=$(tds_tsql "$TDS_PORT" postgres postgres "SELECT ti, m, dt, g, nv FROM every_type WHERE id = 2")
expect_contains "tsql shows tinyint, money, date, uniqueidentifier, nvarchar" "255" "$out"
expect_contains "tsql shows nvarchar non-ASCII" "Şığ日本" "$out"
expect_contains "tsql shows the uniqueidentifier" "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF" "$out"

echo "== values SQL Server cannot hold are refused, not mangled"
out=$(tds_check "SELECT CAST('10000-01-01' AS date) AS d")
expect_contains "a year past 9999 is an arithmetic overflow error" "MSG 8115 16" "$out"
tds_done
