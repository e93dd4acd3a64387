// The common fields of every Berqenas background worker.
#include "pg/background_worker.hpp"

#include <cstring>

namespace berqenas::pg {

BackgroundWorker berqenas_worker(const char* function, const char* type, const char* name, int restart_seconds) {
    BackgroundWorker worker;
    std::memset(&worker, 0, sizeof worker);
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = restart_seconds;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "berqenas");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "%s", function);
    snprintf(worker.bgw_name, BGW_MAXLEN, "%s", name ? name : type);
    snprintf(worker.bgw_type, BGW_MAXLEN, "%s", type);
    return worker;
}

}  // namespace berqenas::pg
