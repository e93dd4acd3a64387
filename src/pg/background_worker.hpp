// Describing one of Berqenas' background workers: a database-connected worker whose entry point is
// a function in berqenas.so. Filling the struct is plain C (no ereport), so it is safe anywhere,
// including inside transaction callbacks.
#pragma once

extern "C" {
#include "postgres.h"
#include "postmaster/bgworker.h"
}

namespace berqenas::pg {

// function: the exported entry point in berqenas.so; type: what pg_stat_activity shows as
// backend_type; name: that worker's own name (defaults to type); restart_seconds: BGW_NEVER_RESTART
// or a delay.
BackgroundWorker berqenas_worker(const char* function, const char* type, const char* name = nullptr,
                                 int restart_seconds = BGW_NEVER_RESTART);

}  // namespace berqenas::pg
