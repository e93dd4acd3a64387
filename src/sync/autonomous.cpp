// run_autonomous: a dynamic background worker gets the statement through a DSM segment, runs it
// with SPI in its own transaction, and leaves the result (or the error text) in the segment.
#include "sync/autonomous.hpp"

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "pg/background_worker.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

PGDLLEXPORT void berqenas_autonomous_main(Datum arg);
}

namespace berqenas::sync {

namespace {

struct Shared {
    Oid database;
    Oid role;
    int status;   // 0: not run, 1: done, 2: failed
    int nparams;
    char sqlstate[6];
    char result[1024];
    char error[2048];
    // then: sql '\0', and per parameter: 1 byte (0 null, 1 value), 4 bytes length, bytes
    char data[FLEXIBLE_ARRAY_MEMBER];
};

struct Segment {
    dsm_segment* seg = nullptr;
    ~Segment() {
        if (!seg) return;
        dsm_segment* s = seg;
        try {
            pg::pg_call([&] { dsm_detach(s); });
        } catch (...) {
        }
    }
};

}  // namespace

std::string run_autonomous(const std::string& sql, const std::vector<pg::SqlValue>& params) {
    size_t size = offsetof(Shared, data) + sql.size() + 1;
    for (const auto& p : params) size += 5 + (p ? p->size() : 0);
    Segment segment;
    segment.seg = pg::pg_call([&] { return dsm_create(size, 0); });
    auto* shared = static_cast<Shared*>(dsm_segment_address(segment.seg));
    std::memset(shared, 0, offsetof(Shared, data));
    shared->database = MyDatabaseId;
    shared->role = GetUserId();
    shared->nparams = int(params.size());
    char* out = shared->data;
    std::memcpy(out, sql.c_str(), sql.size() + 1);
    out += sql.size() + 1;
    for (const auto& p : params) {
        *out++ = p ? 1 : 0;
        uint32_t len = p ? uint32_t(p->size()) : 0;
        std::memcpy(out, &len, 4);
        out += 4;
        if (p) std::memcpy(out, p->data(), len);
        out += len;
    }

    BackgroundWorker worker = pg::berqenas_worker("berqenas_autonomous_main", "berqenas job recorder");
    worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(segment.seg));
    worker.bgw_notify_pid = MyProcPid;
    BackgroundWorkerHandle* handle = nullptr;
    // The recording must finish even if another cancel arrives meanwhile (it would otherwise drop
    // the shared segment before the worker attached, and the failure would go unrecorded): hold
    // interrupts while waiting; a pending cancel is served right after. An ereport resets the
    // holdoff count, so it is restored, not decremented.
    const uint32 saved_holdoff = InterruptHoldoffCount;
    BgwHandleStatus status;
    try {
        HOLD_INTERRUPTS();
        bool registered = pg::pg_call([&] { return RegisterDynamicBackgroundWorker(&worker, &handle); });
        if (!registered)
            throw Error(sqlstate::configuration_limit_exceeded, "no background worker slot is free to record the sync",
                        {}, "raise max_worker_processes");
        status = pg::pg_call([&] { return WaitForBackgroundWorkerShutdown(handle); });
    } catch (...) {
        InterruptHoldoffCount = saved_holdoff;
        throw;
    }
    InterruptHoldoffCount = saved_holdoff;
    if (status == BGWH_POSTMASTER_DIED)
        throw Error(sqlstate::connection_failure, "the postmaster died while a sync was being recorded");
    if (shared->status == 1) return shared->result;
    if (shared->status == 2)
        throw Error(shared->sqlstate[0] ? shared->sqlstate : sqlstate::internal_error,
                    std::string("recording the sync failed: ") + shared->error);
    throw Error(sqlstate::internal_error, "the job recorder exited without recording the sync");
}

}  // namespace berqenas::sync

namespace berqenas::sync {

namespace {

// The worker's body: the statement and its text parameters out of the segment, run with SPI in a
// transaction of its own, and the first column of the first row left in the segment.
void run_statement(Shared& shared) {
    const char* sql = shared.data;
    const char* in = sql + std::strlen(sql) + 1;
    std::vector<pg::SqlValue> params;
    for (int i = 0; i < shared.nparams; ++i) {
        char present = *in++;
        uint32_t len;
        std::memcpy(&len, in, 4);
        in += 4;
        params.push_back(present ? pg::SqlValue(std::string(in, len)) : std::nullopt);
        in += len;
    }
    pg::pg_call([&] {
        StartTransactionCommand();
        PushActiveSnapshot(GetTransactionSnapshot());
        pgstat_report_activity(STATE_RUNNING, sql);
    });
    std::string result;
    {
        pg::SpiSession spi;
        result = spi.scalar(sql, params).value_or("");
    }
    pg::pg_call([] {
        PopActiveSnapshot();
        CommitTransactionCommand();
    });
    strlcpy(shared.result, result.c_str(), sizeof shared.result);
    shared.status = 1;
}

}  // namespace

}  // namespace berqenas::sync

// The worker's entry point. A failure is left in the segment for run_autonomous, then raised.
void berqenas_autonomous_main(Datum arg) {
    BackgroundWorkerUnblockSignals();
    dsm_segment* seg = dsm_attach(DatumGetUInt32(arg));
    if (seg == nullptr) proc_exit(1);
    auto* shared = static_cast<berqenas::sync::Shared*>(dsm_segment_address(seg));
    BackgroundWorkerInitializeConnectionByOid(shared->database, shared->role, 0);
    berqenas::pg::guarded_worker_main([&] { berqenas::sync::run_statement(*shared); },
                                      berqenas::pg::WorkerFailure::error,
                                      [&](const berqenas::pg::CapturedError& e) noexcept {
                                          strlcpy(shared->error, e.message, sizeof shared->error);
                                          strlcpy(shared->sqlstate, e.sqlstate, sizeof shared->sqlstate);
                                          shared->status = 2;
                                      });
    pgstat_report_activity(STATE_IDLE, nullptr);
    dsm_detach(seg);
    proc_exit(0);
}
