// The guards for C entry points PostgreSQL calls that are not fmgr functions. Their C++ body runs
// inside try/catch, and what it throws is dealt with only after every C++ frame of it is unwound:
//  - guarded_callback(): callbacks that may fail (FDW routines, pre-commit work): the exception
//    becomes ereport(ERROR).
//  - guarded_c_callback(): callbacks that must never fail (transaction callbacks at commit or
//    abort, memory-context reset callbacks, exit callbacks): the exception becomes a WARNING, and
//    nothing leaves — neither an exception nor an ereport.
// Worker entry points have their own: pg::guarded_worker_main (background_worker.hpp).
#pragma once

#include <type_traits>

#include "pg/guard.hpp"

namespace berqenas::pg {

// Room for what the guard re-raises (plain data only: it outlives the C++ frames).
struct CapturedError {
    char sqlstate[6];
    char message[4096];
    char detail[4096];
    char hint[1024];
};

// Records the exception being handled (call only inside a catch block).
void capture_current_exception(CapturedError& out) noexcept;
// ereport(ERROR) from a captured error.
[[noreturn]] void raise_captured(const CapturedError& error);
// A WARNING "berqenas: <what>: <message>" (with its detail and hint) from a captured error; never raises,
// not even when writing the warning fails.
void warn_captured(const char* what, const CapturedError& error) noexcept;

// guarded_callback([&]{ ... }): returns the body's result, or raises its exception as ereport.
template <typename F>
auto guarded_callback(F&& body) -> decltype(body()) {
    CapturedError error;
    if constexpr (std::is_void_v<decltype(body())>) {
        try {
            body();
            return;
        } catch (...) {
            capture_current_exception(error);
        }
    } else {
        try {
            return body();
        } catch (...) {
            capture_current_exception(error);
        }
    }
    raise_captured(error);
}

// guarded_c_callback("what could not be done", [&]{ ... }) in a callback that must not fail: the
// body follows the boundary's rules (PostgreSQL calls inside pg_call), so what goes wrong in it
// arrives here as an exception, which is reported as a WARNING and goes no further.
template <typename F>
void guarded_c_callback(const char* what, F&& body) noexcept {
    static_assert(std::is_void_v<decltype(body())>, "a callback that must not fail returns nothing");
    CapturedError error;
    try {
        body();
        return;
    } catch (...) {
        capture_current_exception(error);
    }
    warn_captured(what, error);
}

}  // namespace berqenas::pg
