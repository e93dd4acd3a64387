#!/usr/bin/env bash
# The `berqenas` CLI's two-way sync commands against a real cloud and on-prem PostgreSQL: configure
# --mode bidirectional --strategy, sync bidirectional (first copy, changes both ways, a conflict,
# --dry-run, --verbose), conflicts and --analyze, manual conflicts and sync resolve, status, history,
# --json of each, and the errors (unknown strategy, unknown or resolved conflict, one-way database).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
. test/lib/sync_pair.sh
OUT=""; ERR=""
trap 'rm -f "$OUT" "$ERR"; cluster_cleanup' EXIT

BERQENAS=${BERQENAS_BUILD_DIR:-build}/src/cli/berqenas
[ -x "$BERQENAS" ] || { echo "no CLI at $BERQENAS (cmake --build build --target berqenas)"; exit 1; }

start_sync_pair
cloud -c "CREATE EXTENSION berqenas" >/dev/null
onprem >/dev/null <<'SQL'
CREATE TABLE public.customers (customer_id int PRIMARY KEY, email text, name text);
INSERT INTO public.customers VALUES (1, 'a@x', 'Ann'), (2, 'b@x', 'Bob'), (123, 'first@email.com', 'Cem');
CREATE TABLE public.items (id int PRIMARY KEY, label text, updated_at timestamptz DEFAULT now());
SQL
export PGHOST=127.0.0.1 PGPORT=$cloud_PORT PGUSER=postgres PGDATABASE=postgres PGPASSWORD=postgres

OUT=$(mktemp); ERR=$(mktemp)
# run EXPECTED_EXIT berqenas-args...: keeps stdout in $OUT, stderr in $ERR, checks the exit code.
run() {
    local expected=$1; shift
    local rc=0
    "$BERQENAS" "$@" >"$OUT" 2>"$ERR" </dev/null || rc=$?
    if [ "$rc" != "$expected" ]; then
        echo "berqenas $*: exit $rc, expected $expected"; echo "stdout:"; cat "$OUT"; echo "stderr:"; cat "$ERR"; exit 1
    fi
}
expect_out() { grep -q -- "$1" "$OUT" || { echo "stdout lacks: $1"; cat "$OUT"; exit 1; }; }
expect_err() { grep -q -- "$1" "$ERR" || { echo "stderr lacks: $1"; cat "$ERR"; exit 1; }; }
# expect_row 'cells regex': one table row of $OUT matches "│ cell │ cell │ ..." (cells padded).
expect_row() {
    local re="│ *${1// │ / *│ *} *│"
    grep -Eq -- "$re" "$OUT" || { echo "no table row like: $1"; cat "$OUT"; exit 1; }
}
expect_json() { python3 -m json.tool "$OUT" >/dev/null || { echo "not JSON:"; cat "$OUT"; exit 1; }; }
json_field() { python3 -c "import json,sys; d=json.load(open('$OUT')); print(eval('d' + sys.argv[1]))" "$1"; }
both_emails() { echo "$(cloud -c "SELECT email FROM remote_erp.customers WHERE customer_id = $1")/$(onprem -c "SELECT email FROM public.customers WHERE customer_id = $1")"; }

run 0 sync register --name erp --type postgresql --host 127.0.0.1 --port "$onprem_PORT" --database postgres \
    --username postgres --password postgres --schema public
run 0 sync register --name oneway --type postgresql --host 127.0.0.1 --port "$onprem_PORT" --database postgres \
    --username postgres --password postgres --schema public
cloud -c "SELECT berqenas.prepare_table('erp', 'customers')" >/dev/null

echo "configure --mode bidirectional --strategy; a strategy the CLI does not know is bad usage (exit 2)"
run 0 sync configure erp --mode bidirectional --tables customers --strategy latest_wins
expect_out 'sync of "erp" configured'
expect_out 'sync mode: *bidirectional'
expect_out 'conflict strategy: *latest_wins'
run 2 sync configure erp --mode bidirectional --tables customers --strategy newest
expect_err 'newest not in {latest_wins,cloud_wins,local_wins,manual}'
run 2 sync configure erp --mode incremental --strategy cloud_wins
expect_err '^berqenas: --strategy is for --mode bidirectional, not --mode incremental$'
run 2 sync bidirectional erp --strategy newest
expect_err 'newest not in'
[ "$(cloud -c "SELECT conflict_strategy FROM berqenas.sync_configs")" = latest_wins ] || { echo "configuration changed"; exit 1; }

echo "sync bidirectional: the first run copies the table"
run 0 sync bidirectional erp
expect_out 'copied first'
expect_out 'succeeded: .* strategy latest_wins'
[ "$(cloud -c "SELECT count(*) FROM remote_erp.customers")" = 3 ]

echo "changes both ways and one conflict (customer 123: cloud first, then on premise)"
cloud -c "INSERT INTO remote_erp.customers (customer_id, email, name) VALUES (600, 'c600@x', 'Cloudy');
          UPDATE remote_erp.customers SET email = 'old@email.com' WHERE customer_id = 123" >/dev/null
sleep 0.3
onprem -c "INSERT INTO public.customers (customer_id, email, name) VALUES (500, 'l500@x', 'Locke'), (501, 'l501@x', 'Lu');
           UPDATE public.customers SET email = 'new@email.com' WHERE customer_id = 123" >/dev/null

echo "--dry-run: the real run's numbers, nothing written"
run 0 sync bidirectional erp --dry-run
expect_row 'customers │ 1 │ 3 │ 1 │ 1'
expect_out 'total: 1 cloud→local, 3 local→cloud, conflicts: 1 (all resolved)'
expect_out '^4 row(s) would be synced (looked in .* s), strategy latest_wins$'
expect_out 'dry run: nothing was written'
[ "$(both_emails 123)" = "old@email.com/new@email.com" ] || { echo "the dry run wrote: $(both_emails 123)"; exit 1; }
run 0 sync bidirectional erp --dry-run --json
expect_json
[ "$(json_field "['dry_run']")" = True ]

echo "the real run, --verbose"
run 0 sync bidirectional erp --verbose
expect_row 'Table │ Cloud→L │ Local→C │ Conflicts │ Resolved │ Open │ Rows read'
expect_row 'customers │ 1 │ 3 │ 1 │ 1 │ 0 │ [0-9]+'
expect_out 'total: 1 cloud→local, 3 local→cloud, conflicts: 1 (all resolved)'
expect_out 'succeeded: 4 row(s) synced in'
expect_out 'clock offset: .* ms'
! grep -q 'dry run' "$OUT" || { echo "a real run called a dry run"; exit 1; }
[ "$(both_emails 123)" = "new@email.com/new@email.com" ] || { echo "latest_wins: $(both_emails 123)"; exit 1; }
[ "$(both_emails 600)" = "c600@x/c600@x" ] || { echo "cloud to local: $(both_emails 600)"; exit 1; }
run 0 sync bidirectional erp --json
expect_json
[ "$(json_field "['total_synced']")" = 0 ] || { echo "our own writes came back:"; cat "$OUT"; exit 1; }

echo "sync run on a two-way database runs both ways and prints the same table"
cloud -c "UPDATE remote_erp.customers SET name = 'Ann C' WHERE customer_id = 1" >/dev/null
run 0 sync run erp
expect_row 'customers │ 1 │ 0 │ 0 │ 0'
expect_out 'succeeded: 1 row(s) synced in .* strategy latest_wins'
[ "$(onprem -c "SELECT name FROM public.customers WHERE customer_id = 1")" = 'Ann C' ]

echo "sync conflicts / --analyze"
run 0 sync conflicts erp
expect_out '^Conflicts Today: 1 (all resolved)$'
expect_row 'ID │ Time │ Table │ Primary Key │ Strategy │ Winner'
expect_row '[0-9]+ │ [0-9]{2}:[0-9]{2}:[0-9]{2} │ customers │ customer_id=123 │ latest │ Local'
run 0 sync conflicts erp --date "$(date -u +%Y-%m-%d)"
expect_out 'Conflicts since .*: 1 (all resolved)'
run 0 sync conflicts erp --date 2999-01-01
expect_out '^Conflicts since 2999-01-01: 0$'
run 2 sync conflicts erp --date tomorrow
expect_err "must be today or a date as YYYY-MM-DD, not 'tomorrow'"
run 0 sync conflicts erp --json
expect_json
[ "$(json_field "[0]['cloud_row']['email']")" = old@email.com ]
run 0 sync conflicts erp --analyze
expect_out '^Conflicts of erp: 1 (all resolved)$'
expect_row 'customers │ 1'
expect_row 'email │ 1'
expect_row 'customers │ customer_id=123 │ 1'
expect_out 'suggested strategy: local_wins'
run 0 sync conflicts erp --analyze --json
expect_json
[ "$(json_field "['by_table']['customers']")" = 1 ]

echo "--strategy manual: the conflict waits; sync resolve ID --winner local"
run 0 sync configure erp --strategy manual --tables customers
expect_out 'sync mode: *bidirectional'
expect_out 'conflict strategy: *manual'
cloud -c "UPDATE remote_erp.customers SET email = 'mc@x' WHERE customer_id = 500" >/dev/null
onprem -c "UPDATE public.customers SET email = 'ml@x' WHERE customer_id = 500" >/dev/null
run 0 sync bidirectional erp --verbose
expect_row 'customers │ 0 │ 0 │ 1 │ 0 │ 1 │ [0-9]+'
expect_out 'conflicts: 1 (1 open)'
expect_out 'strategy manual'
[ "$(both_emails 500)" = "mc@x/ml@x" ] || { echo "manual overwrote: $(both_emails 500)"; exit 1; }
run 0 sync conflicts erp
expect_out '^Conflicts Today: 2 (1 open)$'
expect_row '[0-9]+ │ [0-9:]+ │ customers │ customer_id=500 │ manual │ open'
run 0 sync status erp
expect_out 'conflict strategy: *manual'
expect_out 'open conflicts: *1'
expect_out 'Cloud → Local: 0 record(s)'
expect_out 'Conflicts: *1 (1 open)'
cid=$(cloud -c "SELECT id FROM berqenas.conflicts('erp') WHERE status = 'open'")
run 0 sync resolve "$cid" --winner local
expect_out "conflict $cid resolved: local version kept (applied by sync_"
[ "$(both_emails 500)" = "ml@x/ml@x" ] || { echo "resolve: $(both_emails 500)"; exit 1; }
run 1 sync resolve "$cid" --winner cloud
expect_err "^berqenas: ERROR 55000: conflict $cid is already resolved$"
run 1 sync resolve 999999 --winner local
expect_err '^berqenas: ERROR 42704: conflict 999999 does not exist$'
expect_err '^HINT:  see berqenas.conflicts(name)$'
[ ! -s "$OUT" ]
run 2 sync resolve "$cid" --winner both
run 2 sync resolve --winner local
run 2 sync resolve "$cid" --all erp --winner local

echo "sync resolve --all NAME: every open conflict for one side"
cloud -c "UPDATE remote_erp.customers SET name = 'X1' WHERE customer_id IN (1, 2)" >/dev/null
onprem -c "UPDATE public.customers SET name = 'Y1' WHERE customer_id IN (1, 2)" >/dev/null
run 0 sync bidirectional erp
expect_out 'conflicts: 2 (2 open)'
run 0 sync resolve --all erp --table customers --winner cloud --json
expect_json
[ "$(json_field "['resolved']")" = 2 ]
[ "$(onprem -c "SELECT string_agg(name, ',' ORDER BY customer_id) FROM public.customers WHERE customer_id IN (1, 2)")" = X1,X1 ]
run 0 sync resolve --all erp --winner cloud
expect_out '^erp: 0 open conflict(s) resolved, cloud version kept$'

echo "sync status / history show both directions"
run 0 sync status erp --json
expect_json
[ "$(json_field "['conflict_strategy']")" = manual ]
[ "$(json_field "['last_sync']['mode']")" = bidirectional ]
run 0 sync history erp
expect_row 'Sync ID │ Timestamp │ Mode │ Cloud→L │ Local→C │ Conflicts │ Status'
expect_row 'sync_[0-9_]+ │ [0-9: +-]+ │ bidirectional │ 1 │ 3 │ 1 │ succeeded'
expect_row 'sync_[0-9_]+ │ [0-9: +-]+ │ bidirectional │ 0 │ 0 │ 2 │ succeeded'
run 0 sync history erp --json
expect_json
python3 -c "import json; d=json.load(open('$OUT')); assert any(r['cloud_to_local'] == 1 and r['local_to_cloud'] == 3 for r in d), d"

echo "errors from the server: a one-way database, an unknown one"
run 0 sync configure oneway --mode incremental --tables items
run 1 sync bidirectional oneway
expect_err '^berqenas: ERROR 55000: remote database "oneway" is not configured for bidirectional sync$'
expect_err '^DETAIL:  its sync mode is incremental$'
[ ! -s "$OUT" ]
run 0 sync status oneway
! grep -q 'conflict' "$OUT" || { echo "a one-way status shows conflicts:"; cat "$OUT"; exit 1; }
for cmd in "sync bidirectional nope" "sync conflicts nope" "sync conflicts nope --analyze" "sync resolve --all nope --winner cloud"; do
    # shellcheck disable=SC2086
    run 1 $cmd
    expect_err 'ERROR 42704: remote database "nope" is not registered'
done
echo "cli_bidirectional: all checks passed"
