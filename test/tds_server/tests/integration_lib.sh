# Shared setup for test/integration/tds_*.sh: a throwaway PostgreSQL cluster with
# mssql_types.sql loaded, berqenas-tds-server instances in front of it, and small assertions.
# Source from a script running under `set -euo pipefail`; everything started is stopped by the trap.
#
#   tds_setup                       # cluster "onprem" + one server: sets TDS_PORT
#   tds_start_server VAR [flags..]  # another server (e.g. with fault flags): sets VAR to its port
#   tds_check [-b N] [--count-only] "T-SQL"   # berqenas-tds-check as postgres/postgres on $TDS_PORT
#                                   # (TDS_USER, TDS_PASSWORD override; TDS_PASSWORD= means an empty one)
#   expect_eq "what" "expected" "actual" / expect_contains "what" "needle" "haystack"

_TDS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
. "$_TDS_ROOT/test/lib/cluster.sh"
BERQENAS_BUILD_DIR=${BERQENAS_BUILD_DIR:-build}
case "$BERQENAS_BUILD_DIR" in /*) ;; *) BERQENAS_BUILD_DIR=$_TDS_ROOT/$BERQENAS_BUILD_DIR ;; esac
TDS_SERVER_BIN=$BERQENAS_BUILD_DIR/test/tds_server/berqenas-tds-server
TDS_CHECK_BIN=$BERQENAS_BUILD_DIR/test/tds_server/berqenas-tds-check
_TDS_PIDS=()
_TDS_LOGS=$(mktemp -d /tmp/berqenas-tds-logs.XXXXXX)
export TDSVER=7.4

_tds_cleanup() {
    local pid
    for pid in "${_TDS_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${_TDS_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    cluster_cleanup
    rm -rf "$_TDS_LOGS"
}

_tds_fail_report() {
    echo "---- tds server logs" >&2
    tail -n 30 "$_TDS_LOGS"/*.log >&2 2>/dev/null || true
}

tds_wait_port() {
    local port=$1 _
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.05
    done
    echo "server on port $port did not start" >&2
    return 1
}

tds_start_server() {
    local var=$1; shift
    local port; port=$(free_port)
    "$TDS_SERVER_BIN" --listen-port "$port" --pg-host 127.0.0.1 --pg-port "$onprem_PORT" "$@" \
        >"$_TDS_LOGS/server-$port.log" 2>&1 &
    _TDS_PIDS+=($!)
    tds_wait_port "$port"
    printf -v "$var" '%s' "$port"
}

tds_setup() {
    [ -x "$TDS_SERVER_BIN" ] || { echo "missing $TDS_SERVER_BIN (build target berqenas-tds-server)" >&2; exit 1; }
    [ -x "$TDS_CHECK_BIN" ] || { echo "missing $TDS_CHECK_BIN (build target berqenas-tds-check)" >&2; exit 1; }
    trap _tds_cleanup EXIT
    trap _tds_fail_report ERR
    cluster_start onprem
    cluster_psql onprem -q -f "$_TDS_ROOT/test/tds_server/mssql_types.sql"
    tds_start_server TDS_PORT
}

# Runs the db-lib check client; never fails the script by itself (callers assert on output).
tds_check_port() {
    local port=$1; shift
    "$TDS_CHECK_BIN" -S "127.0.0.1:$port" -U "${TDS_USER:-postgres}" -P "${TDS_PASSWORD-postgres}" "$@" 2>&1 || true
}
tds_check() { tds_check_port "$TDS_PORT" "$@"; }

# FreeTDS's own tsql client, TDS 7.4 pinned, quiet output.
tds_tsql() {
    local port=$1 user=$2 password=$3 sql=$4
    printf '%s\ngo\nexit\n' "$sql" | timeout 20 tsql -H 127.0.0.1 -p "$port" -U "$user" -P "$password" -o q 2>&1 || true
}

_TDS_CHECKS=0
expect_eq() {
    local what=$1 expected=$2 actual=$3
    _TDS_CHECKS=$((_TDS_CHECKS + 1))
    if [ "$expected" == "$actual" ]; then
        echo "ok   $what"
    else
        echo "FAIL $what"
        echo "  expected: $expected"
        echo "  actual:   $actual"
        exit 1
    fi
}

expect_contains() {
    local what=$1 needle=$2 haystack=$3
    _TDS_CHECKS=$((_TDS_CHECKS + 1))
    if [[ "$haystack" == *"$needle"* ]]; then
        echo "ok   $what"
    else
        echo "FAIL $what"
        echo "  expected to contain: $needle"
        echo "  actual: $haystack"
        exit 1
    fi
}

expect_not_contains() {
    local what=$1 needle=$2 haystack=$3
    _TDS_CHECKS=$((_TDS_CHECKS + 1))
    if [[ "$haystack" != *"$needle"* ]]; then
        echo "ok   $what"
    else
        echo "FAIL $what"
        echo "  expected not to contain: $needle"
        echo "  actual: $haystack"
        exit 1
    fi
}

tds_done() { echo "all $_TDS_CHECKS checks passed"; }
