// The guard for C entry points PostgreSQL calls that are not fmgr functions (FDW routines, xact
// callbacks): the C++ body runs inside try/catch, and an exception becomes ereport(ERROR) only
// after every C++ frame of the body has been unwound.
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

}  // namespace berqenas::pg
