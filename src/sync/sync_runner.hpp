// One sync of one registered remote database, from limits and bookkeeping to rows in local
// tables. SQL-facing: used by berqenas.sync() and by the realtime worker's initial copy.
#pragma once

#include <optional>
#include <string>
#include <vector>


namespace berqenas::sync {

struct RunOptions {
    std::optional<std::vector<std::string>> tables;   // nullopt: every configured table
    bool full = false;                                 // reload completely (reconciles hard deletes)
    std::string origin = "manual";                     // manual, realtime worker, schedule...
    // Inside the realtime worker: the job rows are written in the worker's own transaction and a
    // failure is returned (status "failed") instead of raised.
    bool in_worker = false;
};

// Runs the sync and returns the result document (see docs/sync.md). A failure is recorded in
// berqenas.sync_jobs as failed (surviving this transaction's abort) and then raised.
std::string run_sync(long long remote_database_id, const RunOptions& options);

}  // namespace berqenas::sync
