// The common fields of every Berqenas background worker, and how a failed worker body is reported.
#include "pg/background_worker.hpp"

#include <cstring>

extern "C" {
#include "utils/elog.h"
}

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

void report_worker_failure(const CapturedError& error, WorkerFailure how) {
    if (how == WorkerFailure::error) raise_captured(error);
    const char* s = error.sqlstate;
    const char* worker = MyBgworkerEntry ? MyBgworkerEntry->bgw_name : "berqenas worker";
    ereport(LOG, (errcode(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4])),
                  errmsg_internal("%s: %s", worker, error.message),
                  error.detail[0] ? errdetail_internal("%s", error.detail) : 0,
                  error.hint[0] ? errhint("%s", error.hint) : 0));
}

}  // namespace berqenas::pg
