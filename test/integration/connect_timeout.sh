#!/usr/bin/env bash
# test_connection gives up after berqenas.connect_timeout when the remote accepts TCP but never
# answers (a black hole), for both drivers, and reports it instead of hanging.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
hole_pid=""
trap '[ -n "$hole_pid" ] && kill "$hole_pid" 2>/dev/null; cluster_cleanup' EXIT
cluster_start cloud "shared_preload_libraries = 'berqenas'"
cluster_psql cloud -c "CREATE EXTENSION berqenas" >/dev/null

port=$(free_port)
python3 - "$port" <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
held = []
while True:
    c, _ = s.accept(); held.append(c)   # accept and say nothing
PY
hole_pid=$!
sleep 0.5

for kind in postgresql mssql; do
    cluster_psql cloud -At -c "SELECT berqenas.register_remote_database('hole_$kind', '$kind', '127.0.0.1', $port, 'db', 'u', 'p')" >/dev/null
    start=$(date +%s%N)
    result=$(cluster_psql cloud -At -c "SET berqenas.connect_timeout = 2; SELECT berqenas.test_connection('hole_$kind')")
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "$kind: $result (${elapsed_ms} ms)"
    grep -q '"ok": false' <<<"$result"
    grep -q '"sqlstate": "08001"' <<<"$result"
    [ "$elapsed_ms" -ge 1500 ] && [ "$elapsed_ms" -lt 8000 ]
done
echo "timeouts honoured"
