# The two clusters most sync tests start — the cloud (berqenas preloaded) and the on-prem
# PostgreSQL — with psql shortcuts for both and the checks the scripts share. Source after
# test/lib/cluster.sh (whose cluster_cleanup stops them).
#
#   start_sync_pair [extra cloud postgresql.conf line ...]
#   cloud -c "..."; onprem -c "..."      # psql -At as postgres
#   expect_eq "$actual" "$expected" "what"; fail "message"
#   sync_erp MODE TABLE...               # the extension, on-prem registered as "erp", configure_sync

start_sync_pair() {
    cluster_start cloud "shared_preload_libraries = 'berqenas'" "max_worker_processes = 32" "$@" || return 1
    cluster_start onprem
}
cloud() { cluster_psql cloud -At "$@"; }
onprem() { cluster_psql onprem -At "$@"; }
fail() { echo "FAILED: $*"; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }

# The cloud's extension, the on-prem cluster registered as remote database "erp" (schema public)
# and configure_sync('erp', MODE, the tables).
sync_erp() {
    local mode=$1; shift
    local tables; tables=$(printf "'%s'," "$@")
    cloud -c "CREATE EXTENSION berqenas" >/dev/null
    cloud -c "SELECT berqenas.register_remote_database('erp', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'public')" >/dev/null
    cloud -c "SELECT berqenas.configure_sync('erp', '$mode', ARRAY[${tables%,}])" >/dev/null
}
