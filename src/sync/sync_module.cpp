// Sync's part of library load: GUC definitions, the shared memory request (progress slots) and the
// realtime launcher registration when preloaded.
#include <climits>

#include "pg/guard.hpp"
#include "sync/progress.hpp"
#include "sync/realtime/launcher.hpp"
#include "sync/engine/advisory_locks.hpp"
#include "sync/sync_settings.hpp"

extern "C" {
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "utils/guc.h"
}

namespace berqenas::sync {

int SyncSettings::max_database_size_mb = 100 * 1024;
int SyncSettings::max_concurrent_syncs_per_tenant = 5;
int SyncSettings::sync_wait_timeout_s = 0;
int SyncSettings::overlap_s = 300;
int SyncSettings::batch_rows = 1000;
bool SyncSettings::journal = true;
bool SyncSettings::keep_connections = true;
int SyncSettings::realtime_poll_ms = 200;
int SyncSettings::realtime_batch = 5000;
int SyncSettings::realtime_run_interval_s = 300;
int SyncSettings::realtime_run_changes = 100000;
int SyncSettings::index_build_memory_kb = 2048;
int SyncSettings::journal_retention_s = 7 * 24 * 3600;   // berqenas._journal_retention_setting() repeats it
char* SyncSettings::launcher_database = nullptr;

namespace {
shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;

void request_shmem() {
    if (previous_request_hook) previous_request_hook();
    RequestAddinShmemSpace(progress_shmem_size());
}

void startup_shmem() {
    if (previous_startup_hook) previous_startup_hook();
    progress_shmem_init();
}
// The sort runs with maintenance_work_mem set to this, whose own minimum is 1MB.
bool check_index_build_memory(int* value, void** /*extra*/, GucSource /*source*/) {
    if (*value == -1 || *value >= 1024) return true;
    GUC_check_errdetail("Use -1 (maintenance_work_mem) or at least 1MB.");
    return false;
}
}  // namespace

void on_load() {
    DefineCustomIntVariable("berqenas.max_database_size",
                            "Largest remote database a full sync copies (checked before each full sync).", nullptr,
                            &SyncSettings::max_database_size_mb, 100 * 1024, 1, INT_MAX, PGC_SUSET, GUC_UNIT_MB,
                            nullptr, nullptr, nullptr);
    DefineCustomIntVariable("berqenas.max_concurrent_syncs_per_tenant",
                            "How many syncs of one tenant's remote databases may run at the same time.", nullptr,
                            &SyncSettings::max_concurrent_syncs_per_tenant, 5, 1, lock_class::max_tenant_slots, PGC_SUSET, 0, nullptr,
                            nullptr, nullptr);
    DefineCustomIntVariable("berqenas.sync_wait_timeout",
                            "Seconds a sync waits for another sync of the same remote database to finish.",
                            "0 refuses at once (55P03); -1 waits without limit.", &SyncSettings::sync_wait_timeout_s,
                            0, -1, INT_MAX / 1000, PGC_USERSET, GUC_UNIT_S, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("berqenas.sync_overlap",
                            "How far back an incremental sync re-reads before its watermark (late commits).",
                            nullptr, &SyncSettings::overlap_s, 300, 0, INT_MAX / 1000, PGC_USERSET, GUC_UNIT_S,
                            nullptr, nullptr, nullptr);
    DefineCustomIntVariable("berqenas.sync_batch_rows", "Rows fetched and inserted per batch during a sync.",
                            nullptr, &SyncSettings::batch_rows, 1000, 10, 100000, PGC_USERSET, 0, nullptr, nullptr,
                            nullptr);
    DefineCustomBoolVariable("berqenas.sync_journal",
                             "Keep the rows each sync changes, so berqenas.rollback() can undo it.", nullptr,
                             &SyncSettings::journal, true, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("berqenas.sync_keep_connections",
                             "Keep a sync's remote connection open for the session's next sync of the same database.",
                             "Off: every sync connects anew and closes its connection when it ends.",
                             &SyncSettings::keep_connections, true, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("berqenas.realtime_poll_interval",
                            "How often the realtime worker looks for changes when not woken by NOTIFY.", nullptr,
                            &SyncSettings::realtime_poll_ms, 200, 10, 60000, PGC_SIGHUP, GUC_UNIT_MS, nullptr,
                            nullptr, nullptr);
    DefineCustomIntVariable("berqenas.realtime_batch_size", "Most changes the realtime worker applies per table per round.",
                            nullptr, &SyncSettings::realtime_batch, 5000, 1, 1000000, PGC_SIGHUP, 0, nullptr,
                            nullptr, nullptr);
    DefineCustomIntVariable("berqenas.realtime_run_interval",
                            "How long one realtime run (a sync_jobs row and its journal) stays open.",
                            "A run opens with the first change applied after the previous one closed.",
                            &SyncSettings::realtime_run_interval_s, 300, 1, INT_MAX / 1000, PGC_SIGHUP, GUC_UNIT_S,
                            nullptr, nullptr, nullptr);
    DefineCustomIntVariable("berqenas.realtime_run_changes", "Most changes one realtime run records before the next opens.",
                            nullptr, &SyncSettings::realtime_run_changes, 100000, 1, INT_MAX, PGC_SIGHUP, 0, nullptr,
                            nullptr, nullptr);
    DefineCustomIntVariable("berqenas.journal_retention",
                            "How long the rollback journal of a finished sync is kept.",
                            "0 keeps journals forever. Older journals are pruned by sync() and the realtime workers.",
                            &SyncSettings::journal_retention_s, 7 * 24 * 3600, 0, INT_MAX, PGC_SUSET, GUC_UNIT_S,
                            nullptr, nullptr, nullptr);
    DefineCustomIntVariable("berqenas.sync_index_build_memory",
                            "Memory for rebuilding a fully synced table's indexes (their sort).",
                            "-1 uses maintenance_work_mem. Small keeps a full sync's memory flat whatever the table's "
                            "size; the sort then spills to temporary files.",
                            &SyncSettings::index_build_memory_kb, 2048, -1, MAX_KILOBYTES, PGC_USERSET, GUC_UNIT_KB,
                            check_index_build_memory, nullptr, nullptr);
    DefineCustomStringVariable("berqenas.launcher_database",
                               "Database whose realtime syncs start with the server.", nullptr,
                               &SyncSettings::launcher_database, "postgres", PGC_SIGHUP, 0, nullptr, nullptr,
                               nullptr);
    if (process_shared_preload_libraries_in_progress) {
        previous_request_hook = shmem_request_hook;
        shmem_request_hook = request_shmem;
        previous_startup_hook = shmem_startup_hook;
        shmem_startup_hook = startup_shmem;
        register_realtime_launcher();
    }
}

}  // namespace berqenas::sync
