#!/usr/bin/env bash
# Fault modes and cancellation of the TDS test server, seen from FreeTDS db-lib: drop the connection
# after N rows, fail mid-result with an error, delay each row, refuse logins (each by command-line
# flag and by SET BERQENAS_FAULT), and attention (cancel) stopping the PostgreSQL backend.
set -euo pipefail
. "$(dirname "$0")/../tds_server/tests/integration_lib.sh"
tds_setup
cluster_psql onprem -q -c "CREATE TABLE hundred AS SELECT g AS id FROM generate_series(1, 100) g"
rows_in() { grep -c '^ROW ' <<<"$1" || true; }

echo "== drop the connection after N rows"
tds_start_server DROP_PORT --drop-after-rows 10
out=$(tds_check_port "$DROP_PORT" "SELECT id FROM hundred ORDER BY id")
expect_eq "--drop-after-rows 10: the client got 10 rows" "10" "$(rows_in "$out")"
expect_contains "--drop-after-rows 10: then the connection was lost" "CONNECTION LOST" "$out"
out=$(tds_check_port "$DROP_PORT" "SELECT id FROM hundred WHERE id <= 10 ORDER BY id")
expect_not_contains "a result of exactly 10 rows completes" "CONNECTION LOST" "$out"
out=$(tds_check "SET BERQENAS_FAULT drop_after_rows 3; SELECT id FROM hundred ORDER BY id")
expect_eq "SET BERQENAS_FAULT drop_after_rows 3: 3 rows" "3" "$(rows_in "$out")"
expect_contains "SET BERQENAS_FAULT drop_after_rows 3: connection lost" "CONNECTION LOST" "$out"
out=$(tds_check "SELECT count(*) AS n FROM hundred")
expect_contains "the control statement only affected its own session" "ROW 100" "$out"

echo "== fail mid-result with an error"
tds_start_server FAIL_PORT --fail-after-rows 7
out=$(tds_check_port "$FAIL_PORT" "SELECT id FROM hundred ORDER BY id" --then "SELECT 'still here' AS s")
expect_eq "--fail-after-rows 7: 7 rows" "7" "$(rows_in "$(sed '/^THEN/,$d' <<<"$out")")"
expect_contains "--fail-after-rows 7: error 50000" "MSG 50000 16 berqenas fault: failing the result after 7 rows" "$out"
expect_contains "--fail-after-rows 7: the connection stays usable" "ROW still here" "$out"
out=$(tds_check "SET BERQENAS_FAULT fail_after_rows 2; SELECT id FROM hundred ORDER BY id")
expect_contains "SET BERQENAS_FAULT fail_after_rows 2" $'ROW 1\nROW 2\nMSG 50000 16' "$out"
out=$(tds_check "SET BERQENAS_FAULT fail_after_rows 2; SET BERQENAS_FAULT off; SELECT count(*) AS n FROM hundred")
expect_contains "SET BERQENAS_FAULT off clears the session's faults" "ROW 100" "$out"
out=$(tds_check "SET BERQENAS_FAULT explode 1")
expect_contains "an unknown fault is an error" "unknown fault control" "$out"

echo "== delay each row"
tds_start_server SLOW_PORT --row-delay-ms 50
start=$(date +%s%N)
out=$(tds_check_port "$SLOW_PORT" "SELECT id FROM hundred WHERE id <= 10")
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "--row-delay-ms 50: all 10 rows arrive" "10" "$(rows_in "$out")"
if [ "$ms" -ge 500 ]; then echo "ok   --row-delay-ms 50: 10 rows took ${ms} ms (>= 500)"; else echo "FAIL 10 rows took only ${ms} ms"; exit 1; fi
start=$(date +%s%N)
out=$(tds_check "SET BERQENAS_FAULT row_delay_ms 30; SELECT id FROM hundred WHERE id <= 10")
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$ms" -ge 300 ]; then echo "ok   SET BERQENAS_FAULT row_delay_ms 30: ${ms} ms"; else echo "FAIL only ${ms} ms"; exit 1; fi

echo "== cancel (attention)"
out=$(tds_check --cancel-after-ms 300 "SELECT pg_sleep(20)")
expect_contains "cancel of a busy backend is acknowledged" "CANCEL ok" "$out"
ms=$(sed -nE 's/CANCEL ok after ([0-9]+) ms/\1/p' <<<"$out")
if [ "$ms" -lt 5000 ]; then echo "ok   cancel took ${ms} ms, not 20 s"; else echo "FAIL cancel took ${ms} ms"; exit 1; fi
expect_contains "the connection works after the cancel" "AFTER CANCEL 42" "$out"
sleep 0.2
expect_eq "the PostgreSQL backend stopped sleeping" "0" \
    "$(cluster_psql onprem -At -c "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(20)' AND state = 'active'")"
out=$(tds_check --cancel-after-ms 300 "WAITFOR DELAY '00:00:20'")
expect_contains "WAITFOR DELAY is cancellable too" "AFTER CANCEL 42" "$out"
out=$(tds_check_port "$SLOW_PORT" --cancel-after-ms 200 "SELECT id FROM hundred")
expect_contains "cancel while rows are being delayed" "AFTER CANCEL 42" "$out"

echo "== refuse logins"
tds_start_server REFUSE_PORT --refuse-logins
out=$(tds_check_port "$REFUSE_PORT" "SELECT 1")
expect_contains "--refuse-logins: login failed with 18456" "MSG 18456 14" "$out"
expect_contains "--refuse-logins: no session" "LOGIN FAILED" "$out"
# One session switches refusal on, holds on for a moment, and switches it off again.
tds_check "SET BERQENAS_FAULT refuse_logins on; WAITFOR DELAY '00:00:01.5'" --then "SET BERQENAS_FAULT refuse_logins off" >/dev/null &
holder=$!
sleep 0.5
out=$(tds_check "SELECT 1")
expect_contains "SET BERQENAS_FAULT refuse_logins on: new logins fail" "MSG 18456 14" "$out"
wait "$holder"
out=$(tds_check "SELECT 1 AS ok")
expect_contains "SET BERQENAS_FAULT refuse_logins off: logins work again" "ROW 1" "$out"
tds_done
