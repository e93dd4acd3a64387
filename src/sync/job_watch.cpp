// record_job_on_abort: an XactCallback that, on abort, registers a fire-and-forget background worker
// whose bgw_extra carries the job (no shared memory needed: the worker may start after we exit).
#include "sync/job_watch.hpp"

#include <cstring>
#include <string>

#include "pg/background_worker.hpp"
#include "pg/callback_guard.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"

PGDLLEXPORT void berqenas_abandoned_job_main(Datum arg);
}

namespace berqenas::sync {

namespace {

// Fits in bgw_extra (128 bytes).
struct AbandonedJob {
    int64 remote_database_id;
    double started_epoch;
    Oid database;
    Oid role;
    char mode[16];
    char sync_id[88];
};
static_assert(sizeof(AbandonedJob) <= BGW_EXTRALEN, "the job must fit in bgw_extra");

bool pending = false;
AbandonedJob pending_job;
bool callback_registered = false;

// An XactCallback, called during commit and abort, where nothing may fail.
void on_xact_end(XactEvent event, void*) noexcept {
    if (!pending) return;
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PREPARE) {
        pending = false;
        return;
    }
    if (event != XACT_EVENT_ABORT && event != XACT_EVENT_PARALLEL_ABORT) return;
    pending = false;
    pg::guarded_c_callback("the failed sync could not be recorded", [] {
        BackgroundWorker worker = pg::berqenas_worker("berqenas_abandoned_job_main", "berqenas job recorder");
        std::memcpy(worker.bgw_extra, &pending_job, sizeof pending_job);
        worker.bgw_notify_pid = 0;
        // No free slot: the sync leaves no row (its data changes were rolled back all the same).
        (void)pg::pg_call([&] { return RegisterDynamicBackgroundWorker(&worker, nullptr); });
    });
}

}  // namespace

void record_job_on_abort(long long remote_database_id, const std::string& mode, const std::string& sync_id,
                         double started_epoch) {
    if (!callback_registered) {
        pg::pg_call([] { RegisterXactCallback(on_xact_end, nullptr); });
        callback_registered = true;
    }
    AbandonedJob job;
    std::memset(&job, 0, sizeof job);
    job.remote_database_id = remote_database_id;
    job.started_epoch = started_epoch;
    job.database = MyDatabaseId;
    job.role = GetUserId();
    strlcpy(job.mode, mode.c_str(), sizeof job.mode);
    strlcpy(job.sync_id, sync_id.c_str(), sizeof job.sync_id);
    pending_job = job;
    pending = true;
}

void forget_job_on_abort() { pending = false; }

}  // namespace berqenas::sync

namespace berqenas::sync {

namespace {

// The worker's body: waits, on the unique sync id, for the aborting transaction to be gone
// (_sync_job_failed does), then inserts the failed row, in a transaction of its own.
void record_abandoned_job(const AbandonedJob& job) {
    const char* sql =
        "SELECT berqenas._sync_job_failed($1::bigint, $2, $3, to_timestamp($4::float8), "
        "'the sync did not finish: its session ended or its transaction rolled back', NULL, "
        "jsonb_build_array(jsonb_build_object('level', 'error', 'table', NULL, 'message', "
        "'the sync did not finish: its session ended or its transaction rolled back')))";
    char epoch_text[64];
    snprintf(epoch_text, sizeof epoch_text, "%.6f", job.started_epoch);
    pg::pg_call([&] {
        StartTransactionCommand();
        PushActiveSnapshot(GetTransactionSnapshot());
        pgstat_report_activity(STATE_RUNNING, sql);
    });
    {
        pg::SpiSession spi;
        spi.execute(sql, {std::to_string(job.remote_database_id), std::string(job.mode), std::string(job.sync_id),
                          std::string(epoch_text)});
    }
    pg::pg_call([] {
        PopActiveSnapshot();
        CommitTransactionCommand();
        pgstat_report_activity(STATE_IDLE, nullptr);
    });
}

}  // namespace

}  // namespace berqenas::sync

void berqenas_abandoned_job_main(Datum) {
    berqenas::sync::AbandonedJob job;
    memcpy(&job, MyBgworkerEntry->bgw_extra, sizeof job);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnectionByOid(job.database, job.role, 0);
    berqenas::pg::guarded_worker_main([&] { berqenas::sync::record_abandoned_job(job); });
    proc_exit(0);
}
