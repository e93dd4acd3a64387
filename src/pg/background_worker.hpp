// Berqenas' background workers: describing one (a database-connected worker whose entry point is a
// function in berqenas.so), and the one guard every worker's entry point runs its C++ body in.
#pragma once

extern "C" {
#include "postgres.h"
#include "postmaster/bgworker.h"
}

#include <utility>

#include "pg/callback_guard.hpp"

namespace berqenas::pg {

// function: the exported entry point in berqenas.so; type: what pg_stat_activity shows as
// backend_type; name: that worker's own name (defaults to type); restart_seconds: BGW_NEVER_RESTART
// or a delay. Filling the struct is plain C (no ereport), so it is safe anywhere, including inside
// transaction callbacks.
BackgroundWorker berqenas_worker(const char* function, const char* type, const char* name = nullptr,
                                 int restart_seconds = BGW_NEVER_RESTART);

// How a worker whose body failed ends, once every C++ frame of the body is gone.
enum class WorkerFailure {
    error,   // ereport(ERROR): logged, the worker exits with code 1 (and is restarted if it restarts)
    log,     // ereport(LOG), prefixed with the worker's bgw_name; guarded_worker_main returns
};

// Reports a failed worker body with its SQLSTATE, message, detail and hint (returns only for log).
void report_worker_failure(const CapturedError& error, WorkerFailure how);

// A worker's entry point is plain C: it sets up signals and its database connection, then runs
// its C++ body here, and exits with proc_exit(0) when this returns:
//     pg::guarded_worker_main([&] { realtime_main(id); });
// A berqenas::Error leaving the body is reported with its SQLSTATE, message, detail and hint; any
// other exception as XX000. on_failure(const CapturedError&) runs first (it must not throw or
// ereport), e.g. to leave the error where the process that started the worker reads it.
template <typename Body, typename OnFailure>
void guarded_worker_main(Body&& body, WorkerFailure how, OnFailure&& on_failure) noexcept {
    CapturedError error;
    try {
        body();
        return;
    } catch (...) {
        capture_current_exception(error);
    }
    static_assert(noexcept(on_failure(static_cast<const CapturedError&>(error))),
                  "a worker's on_failure runs outside the guard: declare it noexcept");
    on_failure(static_cast<const CapturedError&>(error));
    report_worker_failure(error, how);
}

template <typename Body>
void guarded_worker_main(Body&& body, WorkerFailure how = WorkerFailure::error) noexcept {
    guarded_worker_main(std::forward<Body>(body), how, [](const CapturedError&) noexcept {});
}

}  // namespace berqenas::pg
