#!/usr/bin/env bash
# test_connection gives up after berqenas.connect_timeout when the remote accepts TCP but never
# answers (a black hole) or never completes the TCP handshake (its SYNs go unanswered), for both
# drivers, and reports it instead of hanging; a cancel or statement_timeout stops such a connect
# at once (57014) instead of waiting out connect_timeout.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
hole_pid=""
trap '[ -n "$hole_pid" ] && kill "$hole_pid" 2>/dev/null; cluster_cleanup' EXIT
cluster_start cloud "shared_preload_libraries = 'berqenas'"
cluster_psql cloud -c "CREATE EXTENSION berqenas" >/dev/null

port=$(free_port)
syn_port=$(free_port)
python3 - "$port" "$syn_port" <<'PY' &
import socket, sys, threading
# accept and say nothing
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
# never accept, with the accept queue full: the kernel drops further SYNs (a host that does not answer)
q = socket.socket(); q.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
q.bind(("127.0.0.1", int(sys.argv[2]))); q.listen(0)
filler = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
held = []
while True:
    c, _ = s.accept(); held.append(c)
PY
hole_pid=$!
sleep 0.5

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
fail() { echo "FAIL $*"; exit 1; }

for kind in postgresql mssql; do
    cluster_psql cloud -At -c "SELECT berqenas.register_remote_database('hole_$kind', '$kind', '127.0.0.1', $port, 'db', 'u', 'p')" >/dev/null
    cluster_psql cloud -At -c "SELECT berqenas.register_remote_database('syn_$kind', '$kind', '127.0.0.1', $syn_port, 'db', 'u', 'p')" >/dev/null
    for name in hole_$kind syn_$kind; do
        start=$(now_ms)
        result=$(cluster_psql cloud -At -c "SET berqenas.connect_timeout = 2; SELECT berqenas.test_connection('$name')")
        elapsed_ms=$(( $(now_ms) - start ))
        echo "$name: $result (${elapsed_ms} ms)"
        grep -q '"ok": false' <<<"$result" || fail "$name: not ok false"
        grep -q '"sqlstate": "08001"' <<<"$result" || fail "$name: not 08001"
        [ "$elapsed_ms" -ge 1500 ] && [ "$elapsed_ms" -lt 8000 ] || fail "$name: gave up after $elapsed_ms ms, connect_timeout is 2 s"
    done
done
echo "timeouts honoured"

# A connect waiting on a silent remote, with connect_timeout 10 s, must stop within a second or so
# of a cancel: 57014, and well under 3 s in all.
for kind in postgresql mssql; do
    for name in hole_$kind syn_$kind; do
        start=$(now_ms)
        out=$(cluster_psql cloud -At -v VERBOSITY=verbose \
                  -c "SET berqenas.connect_timeout = 10; SET statement_timeout = '1s'; SELECT berqenas.test_connection('$name')" 2>&1) \
            && fail "$name: statement_timeout did not stop test_connection: $out"
        elapsed_ms=$(( $(now_ms) - start ))
        echo "$name, statement_timeout 1 s: ${elapsed_ms} ms: $(head -1 <<<"$out")"
        grep -q "ERROR:  57014: canceling statement due to statement timeout" <<<"$out" || fail "$name: not 57014: $out"
        [ "$elapsed_ms" -lt 3000 ] || fail "$name: statement_timeout 1 s took $elapsed_ms ms (connect_timeout 10 s)"

        app="cancel_$name"
        errfile=$(mktemp)
        start=$(now_ms)
        PGAPPNAME=$app cluster_psql cloud -At -v VERBOSITY=verbose \
            -c "SET berqenas.connect_timeout = 10; SELECT berqenas.test_connection('$name')" >"$errfile" 2>&1 &
        psql_pid=$!
        for _ in $(seq 50); do
            [ "$(cluster_psql cloud -At -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$app' AND state = 'active'")" = 1 ] && break
            sleep 0.05
        done
        sleep 0.3
        cluster_psql cloud -At -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = '$app'" >/dev/null
        wait "$psql_pid" && fail "$name: pg_cancel_backend did not stop test_connection: $(cat "$errfile")"
        elapsed_ms=$(( $(now_ms) - start ))
        out=$(cat "$errfile"); rm -f "$errfile"
        echo "$name, pg_cancel_backend: ${elapsed_ms} ms: $(head -1 <<<"$out")"
        grep -q "ERROR:  57014: canceling statement due to user request" <<<"$out" || fail "$name: not 57014: $out"
        [ "$elapsed_ms" -lt 3000 ] || fail "$name: pg_cancel_backend took $elapsed_ms ms to stop the connect"
    done
done
echo "cancels honoured"
