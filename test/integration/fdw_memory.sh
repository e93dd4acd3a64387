#!/usr/bin/env bash
# Memory stays bounded by the fetch batch, never by the table: the backend's peak RSS after a full
# foreign scan of 1,000,000 rows is no more than a little above the peak after 100,000 rows, for a
# PostgreSQL remote and for MSSQL (the TDS test server).
set -euo pipefail
. "$(dirname "$0")/../tds_server/tests/integration_lib.sh"
tds_setup
cluster_start cloud "shared_preload_libraries = 'berqenas'"
cloud() { cluster_psql cloud -At "$@"; }

cluster_psql onprem -q <<'SQL'
CREATE TABLE rows_1m AS
    SELECT g AS id, g::bigint * 1000003 AS big, (g / 7.0)::numeric(18,6) AS amount,
           timestamp '2024-01-01' + g * interval '1 second' AS at, md5(g::text) || ' ünïcode' AS note
      FROM generate_series(1, 1000000) g;
CREATE VIEW rows_100k AS SELECT * FROM rows_1m WHERE id <= 100000;
SQL
cloud -q <<SQL
CREATE EXTENSION berqenas;
SET client_min_messages = warning;
SELECT berqenas.register_remote_database('pg', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres');
SELECT berqenas.register_remote_database('ms', 'mssql', '127.0.0.1', $TDS_PORT, 'postgres', 'postgres', 'postgres');
CREATE SERVER pg FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'pg');
CREATE SERVER ms FOREIGN DATA WRAPPER berqenas_fdw OPTIONS (remote_database 'ms');
CREATE SCHEMA pg; CREATE SCHEMA ms;
IMPORT FOREIGN SCHEMA public LIMIT TO (rows_1m, rows_100k) FROM SERVER pg INTO pg;
IMPORT FOREIGN SCHEMA dbo LIMIT TO (rows_1m, rows_100k) FROM SERVER ms INTO ms;
SQL

# Peak resident memory (kB) of a fresh backend after one full scan of the table (OFFSET 0 keeps the
# aggregate here, so every row comes across).
peak_kb() {
    cloud -q <<SQL
SELECT count(*), sum(id), sum(big), sum(amount), max(at), max(length(note)) FROM (SELECT * FROM $1 OFFSET 0) s \\g /dev/null
SELECT substring(pg_read_file('/proc/self/status') FROM 'VmHWM:\\s*([0-9]+) kB');
SQL
}

status=0
for kind in pg ms; do
    small=$(peak_kb "$kind.rows_100k")
    large=$(peak_kb "$kind.rows_1m")
    [ -n "$small" ] && [ -n "$large" ] || { echo "FAIL $kind: could not read VmHWM"; exit 1; }
    growth=$((large - small))
    echo "$kind: peak RSS after 100k rows ${small} kB, after 1M rows ${large} kB (+${growth} kB)"
    # Ten times the rows may not cost more than 8 MB (allocator noise, catalog caches).
    if [ "$growth" -lt 8192 ]; then echo "ok   $kind: memory is flat"; else echo "FAIL $kind: memory grew with the table"; status=1; fi
done
expect_eq "the 1M-row scan returned every row (MSSQL)" "1000000" "$(cloud -c "SELECT count(*) FROM ms.rows_1m")"
exit $status
