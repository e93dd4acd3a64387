// Sync's GUCs (limits, waits, batch sizes) and its load-time setup: shared memory for progress and
// the realtime launcher, both only when berqenas is in shared_preload_libraries.
#pragma once

namespace berqenas::sync {

struct SyncSettings {
    static int max_database_size_mb;          // berqenas.max_database_size (default 100GB)
    static int max_concurrent_syncs_per_tenant;   // berqenas.max_concurrent_syncs_per_tenant (5)
    static int sync_wait_timeout_s;           // berqenas.sync_wait_timeout: -1 wait, 0 refuse, N seconds
    static int overlap_s;                     // berqenas.sync_overlap
    static int batch_rows;                    // berqenas.sync_batch_rows
    static bool journal;                      // berqenas.sync_journal
    static bool keep_connections;             // berqenas.sync_keep_connections
    static int realtime_poll_ms;              // berqenas.realtime_poll_interval
    static int realtime_batch;                // berqenas.realtime_batch_size
    static int realtime_run_interval_s;       // berqenas.realtime_run_interval: a realtime run's window
    static int realtime_run_changes;          // berqenas.realtime_run_changes: most changes per realtime run
    static int journal_retention_s;           // berqenas.journal_retention: 0 keeps journals forever
    static int index_build_memory_kb;         // berqenas.sync_index_build_memory: -1 = maintenance_work_mem
    static char* launcher_database;           // berqenas.launcher_database
};

// Called from _PG_init (src/module.cpp): defines the GUCs above; when preloaded, requests the
// progress shared memory and registers the realtime launcher.
void on_load();

}  // namespace berqenas::sync
