# Peak anonymous memory of one cloud backend while it runs one statement, sampled every 10 ms from
# /proc. Source after test/lib/cluster.sh (uses cluster_psql and a cloud() shortcut).
#
#   peak_anon_kb APPLICATION_NAME SQL [PATTERN]   # kB; fails unless the output has PATTERN
#                                                 # (default "succeeded", a sync's result)
peak_anon_kb() {
    local out; out=$(mktemp)
    local pattern=${3:-succeeded}
    ( cluster_psql cloud -At -c "SET application_name = '$1'" -c "$2" >"$out" 2>&1 ) &
    local runner=$! pid="" peak=0 v
    for _ in $(seq 500); do
        pid=$(cluster_psql cloud -At -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$1'" 2>/dev/null || true)
        [ -n "$pid" ] && break; sleep 0.01
    done
    while kill -0 "$runner" 2>/dev/null; do
        v=$(awk '/RssAnon/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        [ -n "$v" ] && [ "$v" -gt "$peak" ] && peak=$v
        sleep 0.01
    done
    wait "$runner"
    grep -qF -- "$pattern" "$out" || { cat "$out" >&2; rm -f "$out"; return 1; }
    rm -f "$out"
    echo "$peak"
}
