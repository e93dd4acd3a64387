// What one sync call carries from table to table: its configuration and options, job, connection,
// progress, log lines and the full tables waiting to be swapped in; and one table's results.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "catalog/sync_catalog.hpp"
#include "pg/guard.hpp"
#include "remote/remote_connection.hpp"
#include "sync/engine/conflict_policy.hpp"
#include "sync/progress.hpp"
#include "sync/sync_runner.hpp"

namespace berqenas::sync {

using Clock = std::chrono::steady_clock;

inline std::string ms_since(Clock::time_point t) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count()) + " ms";
}

struct LogLine {
    std::string level;
    std::string table;
    std::string message;
};

struct TableStats {
    long long inserted = 0, updated = 0, deleted = 0, bytes = 0, rows_read = 0;
    std::string mode;
};

struct PendingSwap {
    Oid target = InvalidOid;
    Oid transient = InvalidOid;
    std::string name;
};

struct Context {
    const catalog::SyncConfig& cfg;
    const RunOptions& options;
    long long job_id = 0;
    std::string sync_id;
    remote::RemoteConnection* conn = nullptr;
    ProgressReport* progress = nullptr;
    std::vector<LogLine>* log = nullptr;
    std::vector<PendingSwap> swaps;
    // Which side wins (conflict_policy): the one-way modes apply the remote's rows as they are.
    ConflictStrategy strategy = one_way_strategy;
};

}  // namespace berqenas::sync
