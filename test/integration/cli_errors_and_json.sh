#!/usr/bin/env bash
# The `berqenas` CLI's contract for scripts: server errors as "berqenas: ERROR <SQLSTATE>: ..." on
# stderr with exit 1, bad usage exit 2 before anything is sent, --json on every command parses back.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
trap cluster_cleanup EXIT

BERQENAS=${BERQENAS_BUILD_DIR:-build}/src/cli/berqenas
[ -x "$BERQENAS" ] || { echo "no CLI at $BERQENAS (cmake --build build --target berqenas)"; exit 1; }

cluster_start cloud "shared_preload_libraries = 'berqenas'"
cluster_start onprem
cluster_psql cloud -c "CREATE EXTENSION berqenas" -c "CREATE DATABASE without_extension" >/dev/null
cluster_psql onprem -c "CREATE TABLE public.items (id int PRIMARY KEY, label text, updated_at timestamptz DEFAULT now());
                        INSERT INTO public.items (id, label) VALUES (1, 'one'), (2, 'two')" >/dev/null
export PGHOST=127.0.0.1 PGPORT=$cloud_PORT PGUSER=postgres PGDATABASE=postgres PGPASSWORD=postgres

OUT=$(mktemp); ERR=$(mktemp)
trap 'rm -f "$OUT" "$ERR"; cluster_cleanup' EXIT
run() {
    local expected=$1; shift
    local rc=0
    "$BERQENAS" "$@" >"$OUT" 2>"$ERR" </dev/null || rc=$?
    if [ "$rc" != "$expected" ]; then
        echo "berqenas $*: exit $rc, expected $expected"; echo "stdout:"; cat "$OUT"; echo "stderr:"; cat "$ERR"; exit 1
    fi
}
expect_err() { grep -q -- "$1" "$ERR" || { echo "stderr lacks: $1"; cat "$ERR"; exit 1; }; }
# --json output is valid JSON (python3 -m json.tool) of the expected top-level type.
expect_json() {
    echo "  json: $(head -c 300 "$OUT" | tr -s " \n" " ")"
    python3 -m json.tool "$OUT" >/dev/null || { echo "not JSON:"; cat "$OUT"; exit 1; }
    python3 -c "import json,sys; d=json.load(open('$OUT')); sys.exit(0 if type(d).__name__ == '$1' else 'top level is %s' % type(d).__name__)"
}
py() { python3 -c "import json; d=json.load(open('$OUT')); $1"; }

echo "server errors: exit 1, SQLSTATE and message on stderr, nothing on stdout"
run 1 db status nope
expect_err '^berqenas: ERROR 42704: remote database "nope" is not registered$'
expect_err '^HINT:  see berqenas.remote_databases$'
[ ! -s "$OUT" ]
for cmd in "db test nope" "sync run nope" "sync status nope" "sync history nope" "sync logs nope" \
           "sync verify nope" "sync configure nope" "db unregister nope"; do
    # shellcheck disable=SC2086
    run 1 $cmd
    expect_err 'ERROR 42704: remote database "nope" is not registered'
done
run 1 --json sync rollback sync_19990101_000000
expect_err 'ERROR 42704: sync "sync_19990101_000000" does not exist'
[ ! -s "$OUT" ]
run 1 sync register --name erp --type postgresql --host 127.0.0.1 --port "$onprem_PORT" --database postgres \
    --username postgres --password postgres --tenant nobody
expect_err 'ERROR 42704: tenant "nobody" does not exist'
run 0 sync register --name erp --type postgresql --host 127.0.0.1 --port "$onprem_PORT" --database postgres \
    --username postgres --password postgres --schema public
run 1 sync register --name erp --type postgresql --host 127.0.0.1 --port "$onprem_PORT" --database postgres \
    --username postgres --password postgres
expect_err 'ERROR 23505: remote database "erp" is already registered'
run 1 sync run erp --tables missing_table
expect_err 'ERROR 42P01'
run 1 tenant create --name 'not plain'
expect_err 'ERROR 22023: tenant name "not plain" is not a plain identifier'
run 1 db list --dsn "host=127.0.0.1 port=$cloud_PORT user=postgres dbname=without_extension"
expect_err 'ERROR 42P01: relation "berqenas.remote_databases" does not exist'
expect_err 'CREATE EXTENSION berqenas'
run 1 db list --dsn "host=127.0.0.1 port=$(free_port) user=postgres connect_timeout=5"
expect_err '^berqenas: ERROR 08001: cannot connect to the cloud PostgreSQL'
run 1 db list --dsn "postgresql://postgres:wrong@127.0.0.1:$cloud_PORT/postgres"
expect_err 'ERROR 08001: .*password authentication failed'

echo "bad usage: exit 2, before anything is sent"
audit_before=$(cluster_psql cloud -At -c "SELECT count(*) FROM berqenas.sync_audit_log")
run 2
run 2 db
run 2 frobnicate
run 2 db test
run 2 db status a b
run 2 sync register --name x --type oracle --host h --database d --username u --password p
run 2 sync register --name x --type mssql --host h --database d --password p
run 2 sync register --name x --type mssql --host h --database d --username u --password p --password-stdin
run 2 sync register --name x --type mssql --database d --username u --password p
expect_err -- '--host is required'
run 2 sync register --name x --type mssql --host h --database d --username u --password-stdin
expect_err 'no password on standard input'
run 2 sync configure erp --mode sometimes
run 2 sync history erp --limit -1
# Every numeric option says what it expects, not CLI11's "not in range 0.000000 to <300 digits>".
for args in "sync history erp --limit" "sync logs erp --tail"; do
    opt=${args##* }
    for bad in -5 abc 1.5 ''; do
        # shellcheck disable=SC2086
        run 2 $args "$bad"
        expect_err "^$opt: must be a whole number of 0 or more, not '$bad'$"
        if grep -q -e '179769' -e 'not in range' -e 'Could not convert' "$ERR"; then echo "unhelpful: $(cat "$ERR")"; exit 1; fi
    done
    # shellcheck disable=SC2086
    run 2 $args 99999999999
    expect_err "^$opt: must be at most 2147483647, not '99999999999'$"
done
for bad in abc 0 -1 65536 1433.5; do
    run 2 sync register --name x --type mssql --host h --port "$bad" --database d --username u --password p
    expect_err "^--port: must be a whole number from 1 to 65535, not '$bad'$"
    if grep -q -e 'not in range' -e 'Could not convert' "$ERR"; then echo "unhelpful: $(cat "$ERR")"; exit 1; fi
done
run 2 sync logs erp --level loud
run 2 sync run erp --no-such-option
run 2 tenant create
[ "$(cluster_psql cloud -At -c "SELECT count(*) FROM berqenas.sync_audit_log")" = "$audit_before" ]
[ "$(cluster_psql cloud -At -c "SELECT count(*) FROM berqenas.remote_databases WHERE name = 'x'")" = 0 ]
run 0 --help
grep -q 'Exit codes' "$OUT"
run 0 sync run --help
grep -q -- '--full' "$OUT"

echo "--json on every command parses back"
run 0 --json tenant create --name acme --vpn
expect_json dict; py "assert isinstance(d['id'], int)"
run 0 tenant list --json
expect_json list; py "assert d[0]['name'] == 'acme' and d[0]['vpn_enabled'] is True"
run 0 db list --json
expect_json list; py "assert d[0]['name'] == 'erp' and d[0]['port'] == $onprem_PORT and d[0]['last_test_ok'] is None"
run 0 db test erp --json
expect_json dict; py "assert d['ok'] is True and isinstance(d['latency_ms'], (int, float))"
run 0 db status erp --json
expect_json dict; py "assert d['name'] == 'erp' and d['reachability']['ok'] is True"
run 0 sync configure erp --mode incremental --tables items --json
expect_json dict; py "assert d['sync_mode'] == 'incremental' and d['tables'] == ['items']"
run 0 sync run erp --json
expect_json dict; py "assert d['status'] == 'succeeded' and d['tables']['items']['inserted'] == 2"
run 0 sync status erp --json
expect_json dict; py "assert d['mode'] == 'incremental' and d['sync_count'] == 2 and 'items' in d['tables']"
run 0 sync history erp --limit 5 --json
expect_json list; py "assert len(d) == 2 and d[0]['records_synced'] == 2 and d[1]['status'] == 'failed' and d[1]['error_sqlstate'] == '42P01'"
run 0 sync logs erp --tail 3 --json
expect_json list; py "assert len(d) == 3 and all(set(r) == {'at', 'sync_id', 'severity', 'table_name', 'message'} for r in d)"
run 0 sync verify erp --json
expect_json dict; py "assert d['match'] is True"
run 0 sync progress --json
expect_json list; py "assert d == []"
synced=$(cluster_psql cloud -At -c "SELECT sync_id FROM berqenas.sync_history('erp', 5) WHERE status = 'succeeded'")
run 0 sync rollback "$synced" --json
expect_json dict; py "assert d['rolled_back'] == ['$synced'] and d['total_rows'] == 2"
run 0 secrets rotate --json
expect_json dict
run 0 db unregister erp --json
expect_json dict; py "assert d == {'name': 'erp', 'unregistered': True, 'cascade': False, 'drop_data': False}"
run 0 db list --json
expect_json list; py "assert d == []"
echo "ok"
