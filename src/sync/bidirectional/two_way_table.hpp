// One table of a bidirectional run: both sides' changes since the last run, compared three ways
// against the content both sides last agreed on (berqenas.sync_row_state), decided row by row by
// the conflict policy, and applied to each side (docs/bidirectional.md).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pg/spi.hpp"
#include "remote/remote_connection.hpp"
#include "sync/engine/conflict_policy.hpp"

namespace berqenas::sync {

// What one run knows before any table: the strategy and both clocks, read once.
struct TwoWayRun {
    long long remote_database_id = 0;
    long long job_id = 0;
    ConflictStrategy strategy = ConflictStrategy::latest_wins;
    bool dry_run = false;
    bool full = false;          // read both sides whole (a reconciling run), not only their changes
    std::string cloud_now;      // the cloud's wall clock at the start (timestamp text)
    std::string remote_now;     // the remote's wall clock at the start, as its updated_at trigger reads it
    long long clock_offset_us = 0;   // remote clock minus cloud clock
};

// The table as berqenas.sync_tables knows it.
struct TwoWayTable {
    long long id = 0;
    std::string remote_schema, remote_table;
    std::string local_oid;                       // the cloud copy Berqenas created (text of its oid)
    std::optional<std::string> cloud_watermark;  // bd_cloud_watermark; nullopt: never synced two-way
    std::optional<std::string> local_watermark;  // bd_local_watermark
    long long agreed_rows = 0;                   // bd_agreed_rows: keys in berqenas.sync_row_state
};

struct TwoWayCounts {
    long long cloud_to_local = 0;
    long long local_to_cloud = 0;
    long long conflicts_detected = 0;
    long long conflicts_resolved = 0;
    long long conflicts_open = 0;    // held for berqenas.resolve_conflict (manual)
    long long rows_read = 0;         // remote rows read (changed since the last run, or all on a first run)
    bool key_scan = false;           // hard deletes on the remote were looked for by reading every key
    std::vector<std::pair<std::string, long long>> phases;   // what took how long (ms), in order
};

// Runs one table. The remote's writes go into conn's open transaction (the caller commits it once,
// after every table); the cloud's into the caller's transaction. dry_run: decides the same and
// writes nothing on either side (not even the watermarks). Errors: 55000 when the table is not
// prepared (prepare_table) or its cloud copy lacks a remote column; 40001 when remote rows changed
// while the run wrote them (nothing is kept; the next run takes them).
TwoWayCounts sync_two_way_table(pg::SpiSession& spi, remote::RemoteConnection& conn, const TwoWayTable& table,
                                const TwoWayRun& run);

// The clocks of both sides, read around one remote call (the remote's read is taken to be at the
// midpoint of the cloud's two reads).
void read_clocks(pg::SpiSession& spi, remote::RemoteConnection& conn, TwoWayRun& run);

}  // namespace berqenas::sync
