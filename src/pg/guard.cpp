// Implementation of the two boundary guards (see guard.hpp for the rules they enforce).
// Both functions keep only trivially destructible locals where a longjmp may happen.
#include "pg/guard.hpp"

#include "pg/callback_guard.hpp"

#include <exception>

extern "C" {
#include "utils/elog.h"
#include "utils/memutils.h"
}

namespace berqenas::pg {

Datum call_guarded(FunctionCallInfo fcinfo, Datum (*body)(FunctionCallInfo)) {
    // Same capture-then-raise path as every other C entry point (callback_guard.hpp).
    return guarded_callback([&] { return body(fcinfo); });
}

void run_pg(void (*fn)(void*), void* arg) {
    MemoryContext caller_context = CurrentMemoryContext;
    ErrorData* volatile error = nullptr;
    // A C++ exception thrown by fn must not leave through PG_TRY: PG_exception_stack would keep
    // pointing into this dead frame. Catch it here and rethrow once PG_END_TRY has restored it.
    std::exception_ptr cpp_exception;
    PG_TRY();
    {
        try {
            fn(arg);
        } catch (...) {
            // Like an ereport below: the caller continues in its own memory context.
            MemoryContextSwitchTo(caller_context);
            cpp_exception = std::current_exception();
        }
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller_context);
        error = CopyErrorData();
        FlushErrorState();
    }
    PG_END_TRY();
    if (cpp_exception) std::rethrow_exception(cpp_exception);
    if (error == nullptr) return;

    ErrorData* e = error;
    Error converted(unpack_sql_state(e->sqlerrcode), e->message ? e->message : "unknown PostgreSQL error",
                    e->detail ? e->detail : "", e->hint ? e->hint : "");
    FreeErrorData(e);
    throw converted;
}

}  // namespace berqenas::pg
