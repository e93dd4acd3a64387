# Throwaway PostgreSQL 15 clusters for tests: initdb/pg_ctl as an unprivileged OS user on 127.0.0.1.
# Source this file; every cluster started here is stopped and removed by cluster_cleanup (run from a trap).
#
#   cluster_start NAME [postgresql.conf line ...]   # sets NAME_PORT, NAME_DIR
#   cluster_psql NAME [psql args]                    # psql as superuser "postgres" to db postgres
#   cluster_stop NAME
#   cluster_cleanup                                  # stop and remove every cluster this shell made
#
# Superuser: postgres / password "postgres" (scram-sha-256 over TCP, so logins are really checked).

BERQENAS_TEST_USER=${BERQENAS_TEST_USER:-berqenas_test}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
export PGPASSWORD=${PGPASSWORD:-postgres}
_BERQENAS_CLUSTERS=()
_BERQENAS_CLUSTER_ROOT=""

_cluster_as_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$BERQENAS_TEST_USER" -- "$@"
    else
        "$@"
    fi
}

_cluster_ensure_user() {
    [ "$(id -u)" = 0 ] || return 0
    id "$BERQENAS_TEST_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$BERQENAS_TEST_USER"
}

# A free TCP port on 127.0.0.1 (asks the kernel, then releases it).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

cluster_start() {
    local name=$1; shift
    _cluster_ensure_user
    if [ -z "$_BERQENAS_CLUSTER_ROOT" ]; then
        _BERQENAS_CLUSTER_ROOT=$(mktemp -d /tmp/berqenas-clusters.XXXXXX)
        chmod 755 "$_BERQENAS_CLUSTER_ROOT"
        [ "$(id -u)" = 0 ] && chown "$BERQENAS_TEST_USER" "$_BERQENAS_CLUSTER_ROOT"
    fi
    local dir=$_BERQENAS_CLUSTER_ROOT/$name
    local port; port=$(free_port)
    local pwfile=$_BERQENAS_CLUSTER_ROOT/.pw
    echo postgres > "$pwfile"; chmod 644 "$pwfile"
    _cluster_as_user "$PG_BIN/initdb" -D "$dir/data" -U postgres --pwfile="$pwfile" \
        --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$_BERQENAS_CLUSTER_ROOT/$name-initdb.log" 2>&1 \
        || { cat "$_BERQENAS_CLUSTER_ROOT/$name-initdb.log" >&2; return 1; }
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$dir'"
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
        echo "max_connections = 100"
        echo "shared_buffers = 128MB"
        local line
        for line in "$@"; do echo "$line"; done
    } | _cluster_as_user tee -a "$dir/data/postgresql.conf" >/dev/null
    _cluster_as_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
        || { cat "$dir/server.log" >&2; return 1; }
    _BERQENAS_CLUSTERS+=("$name")
    printf -v "${name}_PORT" '%s' "$port"
    printf -v "${name}_DIR" '%s' "$dir"
    export "${name}_PORT" "${name}_DIR"
}

cluster_psql() {
    local name=$1; shift
    local port_var=${name}_PORT
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${!port_var}" -U postgres -d postgres "$@"
}

cluster_stop() {
    local name=$1
    local dir_var=${name}_DIR
    [ -n "${!dir_var:-}" ] && [ -d "${!dir_var}/data" ] || return 0
    _cluster_as_user "$PG_BIN/pg_ctl" -D "${!dir_var}/data" -m immediate -w stop >/dev/null 2>&1 || true
}

cluster_log() {
    local dir_var=${1}_DIR
    cat "${!dir_var}/server.log"
}

cluster_cleanup() {
    local name
    for name in "${_BERQENAS_CLUSTERS[@]}"; do cluster_stop "$name"; done
    _BERQENAS_CLUSTERS=()
    [ -n "$_BERQENAS_CLUSTER_ROOT" ] && rm -rf "$_BERQENAS_CLUSTER_ROOT"
    _BERQENAS_CLUSTER_ROOT=""
}
