// The boundary's part of library load: whether we were preloaded, and the berqenas.* GUCs that
// are not any one part's (the key file, remote timeouts, the schedule interval).
#include "pg/settings.hpp"

#include <climits>

#include "pg/guard.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/guc.h"
}

namespace berqenas::pg {

char* Settings::secret_key_file = nullptr;
int Settings::connect_timeout_seconds = 10;
int Settings::remote_query_timeout_seconds = 0;
int Settings::min_sync_interval_minutes = 5;

namespace {
bool preloaded = false;

void define_settings() {
    DefineCustomStringVariable("berqenas.secret_key_file",
                               "File holding the keys that encrypt stored secrets.",
                               "Empty means $PGDATA/berqenas_keys/<database oid>.key, created with mode 0600 on first use.",
                               &Settings::secret_key_file, "", PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("berqenas.connect_timeout", "Seconds to wait for a remote database to accept a connection.",
                            nullptr, &Settings::connect_timeout_seconds, 10, 1, 3600, PGC_USERSET, GUC_UNIT_S, nullptr,
                            nullptr, nullptr);
    DefineCustomIntVariable("berqenas.remote_query_timeout",
                            "Seconds a remote query may run before it is cancelled (0: no limit).", nullptr,
                            &Settings::remote_query_timeout_seconds, 0, 0, INT_MAX / 1000, PGC_USERSET, GUC_UNIT_S,
                            nullptr, nullptr, nullptr);
    DefineCustomIntVariable("berqenas.min_sync_interval_minutes",
                            "Shortest interval between two scheduled syncs of one database (schedule_sync).", nullptr,
                            &Settings::min_sync_interval_minutes, 5, 1, 7 * 24 * 60, PGC_SUSET, 0, nullptr, nullptr,
                            nullptr);
}

}  // namespace

bool loaded_at_startup() { return preloaded; }

void require_preloaded(const std::string& feature) {
    if (!preloaded)
        throw Error(sqlstate::object_not_in_prerequisite_state,
                    feature + " needs berqenas to be loaded at server start",
                    {}, "add berqenas to shared_preload_libraries in postgresql.conf and restart the server");
}

void on_load() {
    preloaded = process_shared_preload_libraries_in_progress;
    define_settings();
}

}  // namespace berqenas::pg
