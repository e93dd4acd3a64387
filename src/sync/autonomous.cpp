// run_autonomous: a dynamic background worker gets the statement through a DSM segment, runs it
// with SPI in its own transaction, and leaves the result (or the error text) in the segment.
#include "sync/autonomous.hpp"

#include "pg/background_worker.hpp"

#include <cstring>

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
            throw Error("53400", "no background worker slot is free to record the sync",
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

// The worker: plain C style (no C++ objects), so PostgreSQL's longjmps cross nothing.
void berqenas_autonomous_main(Datum arg) {
    BackgroundWorkerUnblockSignals();
    dsm_segment* seg = dsm_attach(DatumGetUInt32(arg));
    if (seg == nullptr) proc_exit(1);
    auto* shared = static_cast<berqenas::sync::Shared*>(dsm_segment_address(seg));
    BackgroundWorkerInitializeConnectionByOid(shared->database, shared->role, 0);

    const char* sql = shared->data;
    const char* in = sql + strlen(sql) + 1;
    int n = shared->nparams;
    Oid* types = static_cast<Oid*>(palloc0(sizeof(Oid) * (n + 1)));
    Datum* values = static_cast<Datum*>(palloc0(sizeof(Datum) * (n + 1)));
    char* nulls = static_cast<char*>(palloc0(n + 1));

    StartTransactionCommand();
    PG_TRY();
    {
        SPI_connect();
        PushActiveSnapshot(GetTransactionSnapshot());
        pgstat_report_activity(STATE_RUNNING, sql);
        for (int i = 0; i < n; ++i) {
            char present = *in++;
            uint32_t len;
            memcpy(&len, in, 4);
            in += 4;
            types[i] = TEXTOID;
            nulls[i] = present ? ' ' : 'n';
            values[i] = present ? PointerGetDatum(cstring_to_text_with_len(in, int(len))) : (Datum)0;
            in += len;
        }
        int rc = SPI_execute_with_args(sql, n, types, values, nulls, false, 0);
        if (rc < 0) elog(ERROR, "SPI_execute_with_args failed: %d", rc);
        if (SPI_tuptable != nullptr && SPI_processed > 0) {
            char* text = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
            strlcpy(shared->result, text ? text : "", sizeof shared->result);
        }
        SPI_finish();
        PopActiveSnapshot();
        CommitTransactionCommand();
        shared->status = 1;
    }
    PG_CATCH();
    {
        ErrorData* e;
        MemoryContextSwitchTo(TopMemoryContext);
        e = CopyErrorData();
        strlcpy(shared->error, e->message ? e->message : "unknown error", sizeof shared->error);
        strlcpy(shared->sqlstate, unpack_sql_state(e->sqlerrcode), sizeof shared->sqlstate);
        shared->status = 2;
        PG_RE_THROW();
    }
    PG_END_TRY();
    pgstat_report_activity(STATE_IDLE, nullptr);
    dsm_detach(seg);
    proc_exit(0);
}
