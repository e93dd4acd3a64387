#!/usr/bin/env bash
# The README's main command (test/demo.sh) runs to the end on embedded defaults: both demo
# databases registered and reachable, synced, changed on the remote, synced again incrementally;
# it says what it is building and shows the log's tail when a step fails, and stops everything
# it started. With --keep, the connect commands it prints work (pg_cron is there for
# schedule_sync), the TDS server lets no empty password in, and its stop commands stop it all.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
stops=""   # the stop commands demo.sh --keep printed, run by the trap should a check fail midway
cleanup() {
    local c
    if [ -n "$stops" ]; then
        while IFS= read -r c; do bash -c "$c" >/dev/null 2>&1 || true; done <<<"$stops"
    fi
    rm -rf "$work"
}
trap cleanup EXIT
out=$work/out
fail() { echo "FAIL $*"; tail -40 "$out"; exit 1; }
check() { grep -qE -- "$1" "$out" || fail "demo output lacks: $1"; }
check_not() { ! grep -qE -- "$1" "$out" || fail "demo output has: $1"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

echo "== a failing build step is named and its log's tail shown"
mkdir "$work/bin"
printf '#!/bin/sh\necho "src/fake.cpp:1:1: error: this build step fails on purpose" >&2\nexit 2\n' >"$work/bin/make"
chmod +x "$work/bin/make"
rc=0
PATH=$work/bin:$PATH bash test/demo.sh >"$out" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "demo.sh succeeded with a failing build"
check '^  berqenas\.so \(make\) \.\.\. FAILED'
check 'last [0-9]+ lines of /tmp/berqenas-demo\.[^/ ]+/build\.log'
check 'error: this build step fails on purpose'
check_not 'starting the cloud'
kept=$(sed -n 's/^demo failed; its logs are in \(\/tmp\/berqenas-demo\.[^ ]*\)$/\1/p' "$out")
[ -n "$kept" ] && [ -f "$kept/build.log" ] || fail "a failed demo does not say where its logs are"
rm -rf "$kept"
echo "ok   the failing step and the compiler's error are shown"

echo "== bash test/demo.sh"
bash test/demo.sh >"$out" 2>&1 || fail "demo.sh failed"
for step in 'berqenas\.so \(make\)' 'installing it \(make install\)' 'configuring \(cmake\)' \
            'the TDS test server' 'the TDS check client'; do
    check "^  $step \.\.\. (done|skipped)"
done
check '^ acme_erp +\| true'
check '^ acme_shop +\| true'
check 'customers +full +\+500 ~0 -0'
check 'customers +incremental +\+0 ~3 -0'
check 'products +full +\+300 ~0 -0'
check 'products +incremental +\+0 ~3 -0'
check '^== demo finished'
[ "$(grep -c ': succeeded, ' "$out")" = 4 ] || fail "not 4 succeeded syncs"
for server in cloud on-prem mssql; do
    port=$(sed -n "s/^  $server: *127\.0\.0\.1:\([0-9]*\)$/\1/p" "$out")
    [ -n "$port" ] || fail "no $server port printed"
    ! port_open "$port" || fail "$server still listens on $port after the demo"
done
echo "ok   the README demo works and leaves nothing running"

echo "== bash test/demo.sh --keep"
bash test/demo.sh --keep >"$out" 2>&1 || fail "demo.sh --keep failed"
stops=$(sed -n '/^To stop them/,/^$/p' "$out" | sed -n 's/^  //p')
[ "$(wc -l <<<"$stops")" -ge 4 ] || fail "fewer stop commands than servers: $stops"
connect() { sed -n "s/^  $1: *//p" "$out" | grep -v '^127\.0\.0\.1:' | head -1; }
cloud=$(connect cloud); onprem=$(connect on-prem); mssql=$(connect mssql)
[ -n "$cloud" ] && [ -n "$onprem" ] && [ -n "$mssql" ] || fail "connect commands missing"
job=$(bash -c "$cloud -X -At -v ON_ERROR_STOP=1 -c \"SELECT berqenas.schedule_sync('acme_erp', '*/15 * * * *')\"") \
    || fail "schedule_sync failed in the demo's cloud database"
[[ "$job" =~ ^[0-9]+$ ]] || fail "schedule_sync gave no job id: $job"
echo "ok   the printed cloud command connects and schedule_sync works (pg_cron job $job)"
[ "$(bash -c "$onprem -X -At -c 'SELECT count(*) FROM customers'")" = 500 ] || fail "on-prem command"
echo "ok   the printed on-prem command connects"
res=$(printf 'SELECT count(*) AS n FROM products\ngo\nexit\n' | timeout 20 bash -c "$mssql -o q" 2>&1) || true
[[ "$res" == *300* ]] || fail "the printed mssql command: $res"
echo "ok   the printed mssql command connects"
mssql_port=$(sed -n 's/^  mssql: *127\.0\.0\.1:\([0-9]*\)$/\1/p' "$out")
res=$(printf "SELECT 'let in' AS x\ngo\nexit\n" |
      TDSVER=7.4 timeout 20 tsql -H 127.0.0.1 -p "$mssql_port" -U postgres -P '' -o q 2>&1) || true
[[ "$res" == *"Msg 18456"* && "$res" != *"let in"* ]] || fail "empty password into the kept TDS server: $res"
tds_pid=$(sed -n 's/^  kill \([0-9]*\)$/\1/p' "$out")
[ -n "$tds_pid" ] && [ -r "/proc/$tds_pid/environ" ] || fail "no kill command for the TDS server"
! tr '\0' '\n' <"/proc/$tds_pid/environ" | grep -q '^PGPASSWORD=' || fail "the kept TDS server holds PGPASSWORD"
echo "ok   the kept TDS server refuses an empty password and holds no PGPASSWORD"
tds_log=$(sed -n 's/^  TDS server log: *//p' "$out")
[ -n "$tds_log" ] && [ "$tds_log" != /tmp/berqenas-demo-tds.log ] && grep -q listening "$tds_log" \
    || fail "no per-run TDS server log: '$tds_log'"
echo "ok   the TDS server log is this run's: $tds_log"
ports=$(sed -n 's/^  \(cloud\|on-prem\|mssql\): *127\.0\.0\.1:\([0-9]*\)$/\2/p' "$out")
while IFS= read -r c; do
    echo "  running: $c"
    bash -c "$c" >/dev/null 2>&1 || fail "stop command failed: $c"
done <<<"$stops"
stops=""
for port in $ports; do ! port_open "$port" || fail "port $port still open after the stop commands"; done
[ ! -e "$tds_log" ] || fail "the stop commands left $tds_log"
echo "ok   the printed stop commands stop every server and remove what the demo made"
echo "the README demo works"
