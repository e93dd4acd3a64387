# The TDS test server (the MSSQL stand-in) in front of the on-prem cluster of test/lib/sync_pair.sh.
# Source after sync_pair.sh; call start_tds_server after start_sync_pair, and tds_cleanup from the
# script's EXIT trap (before cluster_cleanup).
#
#   start_tds_server [server flags ...]   # sets TDS_PORT and TDS_PID; mssql_types.sql on the on-prem side
#   tsql_batch < file                     # runs T-SQL batches (go-separated) through FreeTDS tsql

TDS_PID=""
TDS_BIN=${BERQENAS_BUILD_DIR:-build}/test/tds_server/berqenas-tds-server

start_tds_server() {
    [ -x "$TDS_BIN" ] || { echo "TDS test server not built ($TDS_BIN)"; return 1; }
    cluster_psql onprem -f test/tds_server/mssql_types.sql >/dev/null
    TDS_PORT=$(free_port)
    "$TDS_BIN" --listen-port "$TDS_PORT" --pg-host 127.0.0.1 --pg-port "$onprem_PORT" "$@" >/dev/null 2>&1 &
    TDS_PID=$!
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$TDS_PORT") 2>/dev/null && return 0; sleep 0.1; done
    echo "TDS test server did not listen on $TDS_PORT"; return 1
}
tds_cleanup() { [ -n "$TDS_PID" ] && kill "$TDS_PID" 2>/dev/null; TDS_PID=""; }
tsql_batch() { timeout 20 tsql -H 127.0.0.1 -p "$TDS_PORT" -U postgres -P postgres -D postgres -o q 2>&1; }
