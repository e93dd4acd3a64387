#!/usr/bin/env bash
# The sync part of the README demo (test/demo.sh calls it once the demo databases are registered):
# syncs the demo PostgreSQL and MSSQL databases, changes a few rows on each remote, runs an
# incremental sync and prints sync_status.
#
# Env: BERQENAS_CLOUD_PORT, BERQENAS_ONPREM_PORT, BERQENAS_TDS_PORT, BERQENAS_DEMO_PG_NAME,
#      BERQENAS_DEMO_MSSQL_NAME (either name may be empty to skip it); optional BERQENAS_CLOUD_DB
#      (default postgres), BERQENAS_BUILD_DIR (for berqenas-tds-check), PGPASSWORD.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BERQENAS_CLOUD_PORT:?BERQENAS_CLOUD_PORT is not set}"
export PGPASSWORD=${PGPASSWORD:-postgres}
CLOUD_DB=${BERQENAS_CLOUD_DB:-postgres}
BUILD=${BERQENAS_BUILD_DIR:-build}

cloud() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$BERQENAS_CLOUD_PORT" -U postgres -d "$CLOUD_DB" -At "$@"; }

summary() {   # a sync result as one line per table
    cloud -v result="$1" <<'SQL'
SELECT format('  %-20s %-11s +%s ~%s -%s', t.key, t.value ->> 'mode', t.value ->> 'inserted', t.value ->> 'updated',
              t.value ->> 'deleted')
  FROM jsonb_each((:'result')::jsonb -> 'tables') t ORDER BY t.key;
SELECT format('  %s: %s, %s rows changed', (:'result')::jsonb ->> 'sync_id', (:'result')::jsonb ->> 'status',
              (:'result')::jsonb ->> 'total_synced');
SQL
}

# Touches the timestamp of three rows of the first synced table that has a key and a timestamp column.
change_remote_rows() {   # $1 = registered name
    local row kind host port db user schema table key ts
    row=$(cloud -F '|' -c "SELECT r.database_type, r.host, r.port, r.database_name, r.username, t.remote_schema,
                                  t.remote_table, t.primary_key[1], t.timestamp_column
                             FROM berqenas.sync_tables t JOIN berqenas.remote_databases r ON r.id = t.remote_database_id
                            WHERE r.name = '$1' AND t.timestamp_column IS NOT NULL AND cardinality(t.primary_key) > 0
                            ORDER BY t.remote_table LIMIT 1")
    [ -n "$row" ] || { echo "  (no table with a primary key and a timestamp column: nothing to change)"; return 0; }
    IFS='|' read -r kind host port db user schema table key ts <<<"$row"
    echo "  changing 3 rows of $table on the remote ($kind)"
    if [ "$kind" = postgresql ]; then
        psql -X -q -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U "$user" -d "$db" \
            -v s="${schema:-public}" -v t="$table" -v k="$key" -v c="$ts" <<'SQL'
UPDATE :"s".:"t" SET :"c" = CURRENT_TIMESTAMP WHERE :"k" IN (SELECT :"k" FROM :"s".:"t" ORDER BY 1 LIMIT 3);
SQL
    else
        local q="[${schema:-dbo}].[${table}]"
        local batch="UPDATE $q SET [$ts] = SYSDATETIME() WHERE [$key] IN (SELECT TOP 3 [$key] FROM $q ORDER BY [$key])"
        if [ -x "$BUILD/test/tds_server/berqenas-tds-check" ]; then
            "$BUILD/test/tds_server/berqenas-tds-check" -S "$host:$port" -U "$user" -P "$PGPASSWORD" -D "$db" "$batch" >/dev/null
        else
            printf '%s\ngo\n' "$batch" | TDSVER=7.4 tsql -H "$host" -p "$port" -U "$user" -P "$PGPASSWORD" -D "$db" >/dev/null
        fi
    fi
}

demo_one() {   # $1 = registered name
    local name=$1 result
    echo "== sync: $name"
    cloud -c "SELECT berqenas.configure_sync('$name', 'incremental')" >/dev/null
    result=$(cloud -c "SELECT berqenas.sync('$name')")
    echo "first sync (creates the tables):"
    summary "$result"
    change_remote_rows "$name"
    result=$(cloud -c "SELECT berqenas.sync('$name')")
    echo "incremental sync:"
    summary "$result"
    echo "sync_status('$name'):"
    cloud -c "SELECT jsonb_pretty(berqenas.sync_status('$name') - 'tables')"
    echo
}

[ -n "${BERQENAS_DEMO_PG_NAME:-}" ] && demo_one "$BERQENAS_DEMO_PG_NAME"
[ -n "${BERQENAS_DEMO_MSSQL_NAME:-}" ] && demo_one "$BERQENAS_DEMO_MSSQL_NAME"
exit 0
