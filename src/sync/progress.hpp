// berqenas.sync_progress: each running sync's remote database, table, rows done and rows expected,
// kept in shared memory so every session sees them (needs shared_preload_libraries; without it
// syncs still run, and the view says 55000).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace berqenas::sync {

size_t progress_shmem_size();
void progress_shmem_init();

// A claimed progress slot for the duration of one sync; a no-op when shared memory is absent.
class ProgressReport {
public:
    ProgressReport(long long remote_database_id, const std::string& remote_name, const std::string& sync_id,
                   const std::string& mode, int tables_total);
    ~ProgressReport();
    ProgressReport(const ProgressReport&) = delete;
    ProgressReport& operator=(const ProgressReport&) = delete;

    void start_table(const std::string& table, long long rows_expected);
    void rows(long long rows_done);
    void phase(const char* phase);
    void table_done();

private:
    int slot_ = -1;
};

// True while some backend reports a sync of this remote database.
bool sync_running(long long remote_database_id);

}  // namespace berqenas::sync
