// The boundary's GUCs (berqenas.*; each part defines its own too), and whether we were preloaded.
#pragma once

#include <string>

namespace berqenas::pg {

// Called from _PG_init (src/module.cpp): notes whether we are being preloaded, defines the GUCs.
void on_load();

struct Settings {
    static char* secret_key_file;          // berqenas.secret_key_file ('' = $PGDATA/berqenas_keys/<db oid>.key)
    static int connect_timeout_seconds;    // berqenas.connect_timeout
    static int remote_query_timeout_seconds;   // berqenas.remote_query_timeout (0 = none)
    static int min_sync_interval_minutes;      // berqenas.min_sync_interval_minutes (schedule_sync)
};

// True when the library was loaded through shared_preload_libraries.
bool loaded_at_startup();
// Throws 55000 with a hint naming shared_preload_libraries when a feature needs preloading.
void require_preloaded(const std::string& feature);

}  // namespace berqenas::pg
