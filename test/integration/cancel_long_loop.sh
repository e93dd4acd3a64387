#!/usr/bin/env bash
# pg_cancel_backend from another session stops a long C++ loop with SQLSTATE 57014, and the C++
# objects alive in that loop are destroyed (the live-object count is back to zero).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
trap cluster_cleanup EXIT
cluster_start cloud "shared_preload_libraries = 'berqenas'"

cluster_psql cloud <<'SQL' >/dev/null
CREATE FUNCTION public.spin(seconds float8) RETURNS bigint LANGUAGE c STRICT AS 'berqenas', 'berqenas_selftest_spin';
CREATE FUNCTION public.live_objects() RETURNS int LANGUAGE c STRICT AS 'berqenas', 'berqenas_selftest_live_objects';
SQL

out=$(mktemp)
# One session spins for up to 60 s and reports the live objects after the cancel.
( cluster_psql cloud -v ON_ERROR_STOP=0 -At <<'SQL' >"$out" 2>&1
SET application_name = 'spinner';
\set VERBOSITY verbose
SELECT public.spin(60);
SELECT 'live=' || public.live_objects();
SQL
) &
spinner=$!
for _ in $(seq 100); do
    pid=$(cluster_psql cloud -At -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'spinner' AND query LIKE '%spin(60)%'")
    [ -n "$pid" ] && break
    sleep 0.1
done
[ -n "$pid" ] || { echo "spinner never started"; cat "$out"; exit 1; }
sleep 0.5
start=$(date +%s%N)
cluster_psql cloud -At -c "SELECT pg_cancel_backend($pid)" >/dev/null
wait "$spinner" || true
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
cat "$out"
grep -q 'ERROR:  57014: canceling statement due to user request' "$out"
grep -q '^live=0$' "$out"
echo "cancelled after ${elapsed_ms} ms"
[ "$elapsed_ms" -lt 5000 ]
