#!/usr/bin/env bash
# The `berqenas` CLI against a real cloud and on-prem PostgreSQL: tenant, register (password from
# stdin and from a no-echo terminal prompt, never printed), list, test, status, configure, run
# (first, incremental, full), status, history, logs, verify, rollback, secrets rotate, unregister.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
trap cluster_cleanup EXIT

BERQENAS=${BERQENAS_BUILD_DIR:-build}/src/cli/berqenas
[ -x "$BERQENAS" ] || { echo "no CLI at $BERQENAS (cmake --build build --target berqenas)"; exit 1; }
SECRET='Cli-Secret-Passw0rd-4-Tests'

cluster_start cloud "shared_preload_libraries = 'berqenas'"
cluster_start onprem
cluster_psql cloud -c "CREATE EXTENSION berqenas" >/dev/null
cluster_psql onprem >/dev/null <<SQL
CREATE ROLE erp_reader LOGIN PASSWORD '$SECRET';
CREATE TABLE public.customers (id int PRIMARY KEY, name text NOT NULL,
                               updated_at timestamptz NOT NULL DEFAULT clock_timestamp());
INSERT INTO public.customers (id, name) SELECT g, 'customer ' || g FROM generate_series(1, 5) g;
GRANT SELECT ON public.customers TO erp_reader;
SQL
export PGHOST=127.0.0.1 PGPORT=$cloud_PORT PGUSER=postgres PGDATABASE=postgres PGPASSWORD=postgres

OUT=$(mktemp); ERR=$(mktemp)
trap 'rm -f "$OUT" "$ERR"; cluster_cleanup' EXIT
# run EXPECTED_EXIT berqenas-args...: keeps stdout in $OUT, stderr in $ERR, checks the exit code.
run() {
    local expected=$1; shift
    local rc=0
    "$BERQENAS" "$@" >"$OUT" 2>"$ERR" || rc=$?
    if [ "$rc" != "$expected" ]; then
        echo "berqenas $*: exit $rc, expected $expected"; echo "stdout:"; cat "$OUT"; echo "stderr:"; cat "$ERR"; exit 1
    fi
}
expect_out() { grep -q -- "$1" "$OUT" || { echo "stdout lacks: $1"; cat "$OUT"; exit 1; }; }
json_field() { python3 -c "import json,sys; d=json.load(open('$OUT')); print(eval('d' + sys.argv[1]))" "$1"; }
local_count() { cluster_psql cloud -At -c "SELECT count(*) FROM remote_erp.customers"; }
no_secret() { ! grep -q -- "$SECRET" "$OUT" "$ERR" || { echo "the password was printed"; exit 1; }; }

echo "tenant create / list"
run 0 tenant create --name acme --vpn
expect_out 'tenant "acme" created'
run 0 tenant list
expect_out 'acme'

echo "register with --password-stdin: the password is stored, never printed"
rc=0
printf '%s\n' "$SECRET" | "$BERQENAS" sync register --name erp --type postgresql --host 127.0.0.1 --port "$onprem_PORT" \
    --database postgres --username erp_reader --password-stdin --schema public --tenant acme >"$OUT" 2>"$ERR" || rc=$?
[ "$rc" = 0 ] || { cat "$OUT" "$ERR"; exit 1; }
expect_out 'registered remote database "erp"'
no_secret
[ "$(cluster_psql cloud -At -c "SELECT count(*) FROM berqenas.remote_database_secrets")" = 1 ]

echo "register with a prompt on the terminal: no echo, not printed"
python3 - "$BERQENAS" "$SECRET" "$onprem_PORT" <<'PY'
import os, pty, sys, time
binary, secret, port = sys.argv[1], sys.argv[2], sys.argv[3]
pid, fd = pty.fork()
if pid == 0:
    os.execv(binary, [binary, "db", "register", "--name", "erp_prompted", "--type", "postgresql", "--host",
                      "127.0.0.1", "--port", port, "--database", "postgres", "--username", "erp_reader"])
seen = b""
deadline = time.time() + 20
while b"Password for erp_reader on erp_prompted: " not in seen:
    if time.time() > deadline:
        sys.exit("no password prompt; got %r" % seen)
    seen += os.read(fd, 1024)
time.sleep(0.2)   # the prompt is printed before echo is switched off
os.write(fd, secret.encode() + b"\n")
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
_, status = os.waitpid(pid, 0)
text = seen.decode(errors="replace")
if secret in text:
    sys.exit("the typed password was echoed or printed: %r" % text)
if os.waitstatus_to_exitcode(status) != 0 or 'registered remote database "erp_prompted"' not in text:
    sys.exit("prompted registration failed: %r" % text)
PY
run 0 db test erp_prompted
expect_out 'erp_prompted: ok'

echo "db list / test / status"
run 0 db list
expect_out 'erp_prompted'
grep -E '│ erp +│ postgresql │ 127\.0\.0\.1 │ +'"$onprem_PORT"' │ postgres +│ public +│ acme' "$OUT" >/dev/null \
    || { echo "db list row for erp:"; cat "$OUT"; exit 1; }
run 0 db test erp
expect_out 'erp: ok'
expect_out 'PostgreSQL 15'
run 0 db status erp
expect_out 'tenant: *acme'
expect_out 'reachability:'
expect_out 'ok: *yes'

echo "db test of an unreachable remote exits 3 with the remote's reason"
printf 'wrong\n' | "$BERQENAS" sync register --name erp_badpw --type postgresql --host 127.0.0.1 --port "$onprem_PORT" \
    --database postgres --username erp_reader --password-stdin >/dev/null
run 3 db test erp_badpw
expect_out 'erp_badpw: cannot connect (28000)'
run 0 db list
grep -E '│ erp_badpw .*│ failed ' "$OUT" >/dev/null || { cat "$OUT"; exit 1; }

echo "sync configure / first run"
run 0 sync configure erp --mode incremental --tables customers --timestamp-column updated_at
expect_out 'sync mode: *incremental'
expect_out 'tables: *customers'
run 0 sync run erp
grep -E '│ customers │ full +│ +5 │ +0 │ +0 │' "$OUT" >/dev/null || { echo "first run:"; cat "$OUT"; exit 1; }
expect_out 'succeeded: 5 row(s) synced in'
[ "$(local_count)" = 5 ]

echo "incremental run after remote changes"
cluster_psql onprem -c "UPDATE public.customers SET name = name || ' (changed)', updated_at = clock_timestamp() WHERE id IN (2, 3);
                        INSERT INTO public.customers (id, name) VALUES (6, 'customer 6')" >/dev/null
run 0 sync run erp --json
[ "$(json_field "['status']")" = succeeded ]
[ "$(json_field "['tables']['customers']['inserted']")" = 1 ]
[ "$(json_field "['tables']['customers']['updated']")" = 2 ]
[ "$(json_field "['tables']['customers']['mode']")" = incremental ]
[ "$(local_count)" = 6 ]
[ "$(cluster_psql cloud -At -c "SELECT name FROM remote_erp.customers WHERE id = 2")" = 'customer 2 (changed)' ]

echo "sync status / history / logs"
run 0 sync status erp
expect_out 'Sync status: erp'
expect_out 'mode: *incremental'
expect_out 'sync count: *2'
expect_out 'remote_erp.customers'
run 0 sync history erp
[ "$(grep -c 'sync_.*succeeded' "$OUT")" = 2 ] || { cat "$OUT"; exit 1; }
run 0 sync history erp --limit 1
[ "$(grep -c 'sync_.*succeeded' "$OUT")" = 1 ] || { cat "$OUT"; exit 1; }
run 0 sync logs erp --tail 2
[ "$(wc -l <"$OUT")" = 2 ] || { cat "$OUT"; exit 1; }
expect_out 'sync finished'
run 0 sync logs erp --level error
[ ! -s "$OUT" ]

echo "verify: match exits 0, a hard delete on the remote exits 3, a full sync repairs it"
run 0 sync verify erp
expect_out 'remote and local tables match'
cluster_psql onprem -c "DELETE FROM public.customers WHERE id = 4" >/dev/null
run 3 sync verify erp --tables customers
expect_out 'remote and local tables differ'
expect_out '"id":"4"'
run 0 sync run erp --full
grep -E '│ customers │ full +│ +0 │ +0 │ +1 │' "$OUT" >/dev/null || { echo "full run:"; cat "$OUT"; exit 1; }
run 0 sync verify erp
[ "$(local_count)" = 5 ]

echo "rollback of the full sync puts the deleted row back"
last=$(cluster_psql cloud -At -c "SELECT sync_id FROM berqenas.sync_history('erp', 1)")
run 0 sync rollback "$last"
expect_out "rolled back: $last"
[ "$(local_count)" = 6 ]
run 0 sync history erp --limit 1
expect_out 'rolled_back'

echo "prune-journal drops journals past berqenas.journal_retention; a pruned sync cannot be rolled back"
run 0 sync prune-journal
expect_out 'pruned 0 journal row(s) of 0 run(s) (berqenas.journal_retention: 7d)'
cluster_psql cloud -c "ALTER DATABASE postgres SET berqenas.journal_retention = '1s'" >/dev/null
sleep 1.2
run 0 sync prune-journal --json
[ "$(json_field "['journal_rows']")" -gt 0 ] || { echo "nothing pruned:"; cat "$OUT"; exit 1; }
[ "$(json_field "['retention']")" = 1s ] || { echo "retention:"; cat "$OUT"; exit 1; }
first=$(cluster_psql cloud -At -c "SELECT sync_id FROM berqenas.sync_jobs ORDER BY id LIMIT 1")
run 1 sync rollback "$first"
grep -q "its journal was pruned" "$ERR" || { echo "rollback of a pruned sync:"; cat "$ERR"; exit 1; }
cluster_psql cloud -c "ALTER DATABASE postgres RESET berqenas.journal_retention" >/dev/null

echo "Ctrl-C during sync run cancels the sync on the server (57014), recorded as not succeeded"
# The remote table is locked, so the sync waits on it until the CLI's cancel arrives.
cluster_psql onprem -c "BEGIN; LOCK TABLE public.customers IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60)" \
    >/dev/null 2>&1 &
locker=$!
for _ in $(seq 100); do
    [ "$(cluster_psql onprem -At -c "SELECT count(*) FROM pg_locks WHERE relation = 'public.customers'::regclass AND granted AND mode = 'AccessExclusiveLock'")" = 1 ] && break
    sleep 0.1
done
"$BERQENAS" sync run erp --full >"$OUT" 2>"$ERR" &
cli=$!
for _ in $(seq 100); do
    [ "$(cluster_psql onprem -At -c "SELECT count(*) FROM pg_locks WHERE relation = 'public.customers'::regclass AND NOT granted")" -ge 1 ] && break
    sleep 0.1
done
kill -INT "$cli"
rc=0; wait "$cli" || rc=$?
cluster_psql onprem -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()" >/dev/null
wait "$locker" || true
[ "$rc" = 1 ] || { echo "cancelled sync run: exit $rc"; cat "$OUT" "$ERR"; exit 1; }
grep -q '^berqenas: ERROR 57014: ' "$ERR" || { echo "no 57014:"; cat "$ERR"; exit 1; }
# The failure is recorded by a helper worker after the sync's transaction rolled back: wait for it.
for _ in $(seq 100); do
    run 0 sync history erp --limit 1
    grep -qE 'cancelled|failed' "$OUT" && break
    sleep 0.1
done
grep -E 'cancelled|failed' "$OUT" >/dev/null || { echo "the cancelled sync:"; cat "$OUT"; exit 1; }
expect_out '57014'
[ "$(local_count)" = 6 ]

echo "secrets rotate keeps the registrations usable"
run 0 secrets rotate
expect_out 'secret key rotated'
expect_out 'secrets reencrypted: *3'
run 0 db test erp

echo "unregister"
run 0 db unregister erp_badpw
expect_out 'remote database "erp_badpw" unregistered'
run 0 db list
! grep -q erp_badpw "$OUT"

echo "nowhere a password: server log"
if grep -q -- "$SECRET" "$cloud_DIR/server.log"; then echo "server log shows the password"; exit 1; fi
echo "ok"
