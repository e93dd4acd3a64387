// The C++/PostgreSQL boundary. Two guards, used everywhere:
//  - call_guarded(): every SQL-callable function runs its C++ body inside it; any C++ exception
//    leaves the body (so destructors run) and only then becomes ereport(ERROR) with its SQLSTATE.
//  - pg_call(): every PostgreSQL call that may ereport, made from C++, runs inside it; the longjmp
//    is caught right there and rethrown as berqenas::Error, so no longjmp crosses a C++ frame.
#pragma once

extern "C" {
#include "postgres.h"
#include "fmgr.h"
#include "miscadmin.h"
}

#include <optional>
#include <type_traits>
#include <utility>

#include "common/error.hpp"

namespace berqenas::pg {

// Runs body(fcinfo); a berqenas::Error (or any C++ exception) becomes ereport(ERROR) after the
// body's frames are gone.
Datum call_guarded(FunctionCallInfo fcinfo, Datum (*body)(FunctionCallInfo));

// Runs fn(arg) under PG_TRY. An ereport(ERROR) inside becomes a berqenas::Error carrying the
// original SQLSTATE, message, detail and hint; the error state is flushed.
void run_pg(void (*fn)(void*), void* arg);

// pg_call([&]{ return some_pg_function(...); }): the lambda must not create objects with
// destructors (a longjmp out of it would skip them); it may only call PostgreSQL functions.
// A C++ exception thrown inside it is still safe: it is carried past PG_END_TRY and rethrown.
// Either way, a failed call leaves the caller in the memory context it called from, so a
// MemoryContextSwitchTo pair inside the lambda needs no cleanup (outside one: MemoryContextScope).
template <typename F>
auto pg_call(F&& fn) -> decltype(fn()) {
    using Result = decltype(fn());
    if constexpr (std::is_void_v<Result>) {
        run_pg([](void* p) { (*static_cast<std::remove_reference_t<F>*>(p))(); }, &fn);
    } else {
        static_assert(std::is_trivially_destructible_v<Result>,
                      "pg_call returns PostgreSQL values (pointers, Datums, scalars) only");
        struct Call {
            std::remove_reference_t<F>* fn;
            Result result;
        } call{&fn, Result{}};
        run_pg([](void* p) {
            auto* c = static_cast<Call*>(p);
            c->result = (*c->fn)();
        }, &call);
        return call.result;
    }
}

// Whether a cancel or termination is pending: safe anywhere, it never raises.
inline bool interrupt_is_pending() { return InterruptPending; }

// CHECK_FOR_INTERRUPTS() through the guard: a cancel becomes berqenas::Error with SQLSTATE 57014.
inline void check_for_interrupts() {
    if (unlikely(InterruptPending))
        run_pg([](void*) { CHECK_FOR_INTERRUPTS(); }, nullptr);
}

}  // namespace berqenas::pg

// Declares a SQL-callable C function whose body is the C++ function `impl`, run inside the guard.
#define BERQENAS_SQL_FUNCTION(sql_name, impl)                                      \
    extern "C" {                                                                   \
    PG_FUNCTION_INFO_V1(sql_name);                                                 \
    Datum sql_name(PG_FUNCTION_ARGS) { return berqenas::pg::call_guarded(fcinfo, impl); } \
    }
