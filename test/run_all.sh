#!/usr/bin/env bash
# The one test command: builds everything, then runs the lint checks, unit tests (plain and
# ASan/UBSan), pg_regress, pgTAP and the integration scripts against real throwaway servers. Ends
# with "N passed, N failed".
#
#   test/run_all.sh                 # everything
#   test/run_all.sh --only regress  # one stage: lint, unit, asan, regress, pgtap, integration
#   BERQENAS_INTEGRATION_FILTER=tds test/run_all.sh --only integration
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export BERQENAS_BUILD_DIR=${BERQENAS_BUILD_DIR:-$ROOT/build}
ONLY=""
[ "${1:-}" = "--only" ] && ONLY=${2:-}

STARTED=$(date +%s)
PASSED=0
FAILED=0
FAILURES=()
LOGDIR=$(mktemp -d /tmp/berqenas-test-logs.XXXXXX)
chmod 755 "$LOGDIR"

stage() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }
pass() { PASSED=$((PASSED + 1)); echo "  ok     $1"; }
fail() { FAILED=$((FAILED + 1)); FAILURES+=("$1"); echo "  FAILED $1"; }

. test/lib/cluster.sh
trap 'cluster_cleanup' EXIT

echo "== build"
make -s -j2 >"$LOGDIR/make.log" 2>&1 && make -s install >>"$LOGDIR/make.log" 2>&1 \
    || { cat "$LOGDIR/make.log"; echo "0 passed, 1 failed"; exit 1; }
cmake -S . -B "$BERQENAS_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$LOGDIR/cmake.log" 2>&1 \
    && cmake --build "$BERQENAS_BUILD_DIR" -j2 >>"$LOGDIR/cmake.log" 2>&1 \
    || { tail -50 "$LOGDIR/cmake.log"; echo "0 passed, 1 failed"; exit 1; }

run_ctest() {   # $1 = build dir, $2 = label for the report
    local out=$LOGDIR/ctest-$2.log rc=0
    ctest --test-dir "$1" --output-on-failure -j2 >"$out" 2>&1 || rc=$?
    # One result line per test: "  5/101 Test   #5: Suite.Name ....   Passed  0.00 sec" (ctest pads
    # the number to the widest one, so the spaces before '#' vary).
    local line name failed_before=$FAILED
    while read -r line; do
        name=$(sed -E 's/.*Test +#[0-9]+: +([^ ]+).*/\1/' <<<"$line")
        if [[ "$line" =~ \ Passed\  ]]; then pass "$2: $name"; else fail "$2: $name"; fi
    done < <(grep -E 'Test +#[0-9]+: ' "$out")
    grep -q "No tests were found" "$out" && return 0
    # ctest failed without a failed test line (a crash before the tests, a build problem): a failure.
    if [ "$rc" -ne 0 ] && [ "$FAILED" -eq "$failed_before" ]; then fail "$2: ctest exited with $rc"; fi
    [ "$rc" -eq 0 ] || tail -40 "$out"
}

if stage lint; then
    echo "== lint (test/lint)"
    for f in test/lint/*.sh; do
        [ -e "$f" ] || continue
        if bash "$f" >"$LOGDIR/lint-$(basename "$f").log" 2>&1; then
            pass "lint: $(basename "$f")"
        else
            cat "$LOGDIR/lint-$(basename "$f").log"; fail "lint: $(basename "$f")"
        fi
    done
fi

if stage unit; then
    echo "== unit tests (GoogleTest)"
    run_ctest "$BERQENAS_BUILD_DIR" unit
fi

if stage asan; then
    echo "== unit tests under AddressSanitizer + UBSan"
    asan_dir=$BERQENAS_BUILD_DIR-asan
    if cmake -S . -B "$asan_dir" -DBERQENAS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >"$LOGDIR/asan.log" 2>&1 \
        && cmake --build "$asan_dir" -j2 >>"$LOGDIR/asan.log" 2>&1; then
        ASAN_OPTIONS=detect_leaks=1 run_ctest "$asan_dir" asan
    else
        tail -30 "$LOGDIR/asan.log"; fail "asan: build"
    fi
fi

start_servers() {
    cluster_start cloud "shared_preload_libraries = 'berqenas,pg_cron'" "cron.database_name = 'postgres'" \
        "max_worker_processes = 32" || return 1
    cluster_start onprem || return 1
    export BERQENAS_CLOUD_PORT=$cloud_PORT BERQENAS_ONPREM_PORT=$onprem_PORT
    # The MSSQL stand-in, backed by the on-prem cluster (database "postgres").
    local tds=$BERQENAS_BUILD_DIR/test/tds_server/berqenas-tds-server
    if [ -x "$tds" ]; then
        [ -f test/tds_server/mssql_types.sql ] && cluster_psql onprem -f test/tds_server/mssql_types.sql >/dev/null
        BERQENAS_TDS_PORT=$(free_port)
        "$tds" --listen-port "$BERQENAS_TDS_PORT" --pg-host 127.0.0.1 --pg-port "$onprem_PORT" >"$LOGDIR/tds-server.log" 2>&1 &
        TDS_PID=$!
        export BERQENAS_TDS_PORT
        for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$BERQENAS_TDS_PORT") 2>/dev/null && break; sleep 0.1; done
    fi
}
TDS_PID=""
trap '[ -n "$TDS_PID" ] && kill "$TDS_PID" 2>/dev/null; cluster_cleanup' EXIT

if stage regress || stage pgtap; then
    start_servers || { echo "0 passed, 1 failed"; exit 1; }
fi

if stage regress; then
    echo "== pg_regress (sql/ -> expected/)"
    rm -rf results regression.diffs regression.out
    regress_rc=0
    regress_failed_before=$FAILED
    PGHOST=127.0.0.1 PGPORT=$cloud_PORT PGUSER=postgres make -s installcheck >"$LOGDIR/regress.log" 2>&1 || regress_rc=$?
    while read -r line; do
        name=$(awk '{print $2}' <<<"$line")
        case "$line" in
            *"... ok"*) pass "regress: $name" ;;
            *) fail "regress: $name" ;;
        esac
    done < <(grep -E '^test .* \.\.\. ' "$LOGDIR/regress.log")
    # pg_regress failed without a failed test line (it could not start, or stopped): a failure.
    if [ "$regress_rc" -ne 0 ] && [ "$FAILED" -eq "$regress_failed_before" ]; then
        tail -20 "$LOGDIR/regress.log"; fail "regress: make installcheck exited with $regress_rc"
    fi
    [ -f regression.diffs ] && head -100 regression.diffs
fi

if stage pgtap; then
    echo "== pgTAP (pg_prove)"
    cluster_psql cloud -c "CREATE EXTENSION IF NOT EXISTS pgtap" >/dev/null
    for f in test/pgtap/*.sql; do
        [ -e "$f" ] || continue
        if PGPASSWORD=postgres pg_prove -h 127.0.0.1 -p "$cloud_PORT" -U postgres -d postgres "$f" >"$LOGDIR/pgtap.log" 2>&1; then
            pass "pgtap: $(basename "$f")"
        else
            cat "$LOGDIR/pgtap.log"; fail "pgtap: $(basename "$f")"
        fi
    done
fi

if stage integration; then
    echo "== integration scripts (test/integration)"
    for f in test/integration/*.sh; do
        [ -e "$f" ] || continue
        case "$f" in *"${BERQENAS_INTEGRATION_FILTER:-}"*) ;; *) continue ;; esac
        log=$LOGDIR/$(basename "$f").log
        if timeout 900 bash "$f" >"$log" 2>&1; then
            pass "integration: $(basename "$f")"
        else
            tail -40 "$log"; fail "integration: $(basename "$f")"
        fi
    done
fi

echo
[ ${#FAILURES[@]} -gt 0 ] && printf 'failed: %s\n' "${FAILURES[@]}"
echo "logs: $LOGDIR ($(( $(date +%s) - STARTED )) s)"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
