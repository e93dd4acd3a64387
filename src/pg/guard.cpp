// Implementation of the two boundary guards (see guard.hpp for the rules they enforce).
// Both functions keep only trivially destructible locals where a longjmp may happen.
#include "pg/guard.hpp"

#include <cstdio>
#include <cstring>
#include <new>

extern "C" {
#include "utils/elog.h"
#include "utils/memutils.h"
}

namespace berqenas::pg {

namespace {

// Room for what the guard re-raises; longer texts are cut (remote messages can be large).
struct PendingError {
    char sqlstate[6];
    char message[4096];
    char detail[4096];
    char hint[1024];
};

void copy_text(char* dest, size_t size, const char* src) {
    std::snprintf(dest, size, "%s", src ? src : "");
}

void set_pending(PendingError& pending, const char* sqlstate, const char* message, const char* detail,
                 const char* hint) {
    bool valid = sqlstate && std::strlen(sqlstate) == 5;
    copy_text(pending.sqlstate, sizeof pending.sqlstate, valid ? sqlstate : "XX000");
    copy_text(pending.message, sizeof pending.message, message);
    copy_text(pending.detail, sizeof pending.detail, detail);
    copy_text(pending.hint, sizeof pending.hint, hint);
}

}  // namespace

Datum call_guarded(FunctionCallInfo fcinfo, Datum (*body)(FunctionCallInfo)) {
    PendingError pending;
    try {
        return body(fcinfo);
    } catch (const Error& e) {
        set_pending(pending, e.sqlstate().c_str(), e.what(), e.detail().c_str(), e.hint().c_str());
    } catch (const std::bad_alloc&) {
        set_pending(pending, sqlstate::out_of_memory, "out of memory in berqenas", nullptr, nullptr);
    } catch (const std::exception& e) {
        set_pending(pending, sqlstate::internal_error, e.what(), nullptr,
                    "this is a bug in berqenas; please report it with the statement that caused it");
    } catch (...) {
        set_pending(pending, sqlstate::internal_error, "unknown C++ exception in berqenas", nullptr, nullptr);
    }
    // Every C++ frame of the body is unwound here; only PODs are alive.
    const char* s = pending.sqlstate;
    ereport(ERROR, (errcode(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4])),
                    errmsg_internal("%s", pending.message),
                    pending.detail[0] ? errdetail_internal("%s", pending.detail) : 0,
                    pending.hint[0] ? errhint("%s", pending.hint) : 0));
    pg_unreachable();
}

void run_pg(void (*fn)(void*), void* arg) {
    MemoryContext caller_context = CurrentMemoryContext;
    ErrorData* volatile error = nullptr;
    PG_TRY();
    {
        fn(arg);
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller_context);
        error = CopyErrorData();
        FlushErrorState();
    }
    PG_END_TRY();
    if (error == nullptr) return;

    ErrorData* e = error;
    Error converted(unpack_sql_state(e->sqlerrcode), e->message ? e->message : "unknown PostgreSQL error",
                    e->detail ? e->detail : "", e->hint ? e->hint : "");
    FreeErrorData(e);
    throw converted;
}

}  // namespace berqenas::pg
