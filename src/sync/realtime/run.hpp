// The realtime run: what a worker's rounds changed, recorded as one sync_jobs row (mode 'realtime')
// per remote database and window, with each round's old rows journaled so rollback() can undo it.
#pragma once

#include <map>
#include <string>

#include "pg/spi.hpp"
#include "sync/realtime/applier.hpp"

namespace berqenas::sync::realtime {

// The open realtime run, as this worker last committed it. A run opens with the first change that
// really changes a local row, and closes after berqenas.realtime_run_interval or once it holds
// berqenas.realtime_run_changes changes, when realtime is turned off, or when the worker restarts.
struct RealtimeRun {
    long long job_id = 0;   // 0: none open
    std::string sync_id;
    long long changes = 0;
    std::map<std::string, TableCounts> tables;
    bool journal_off = false;   // some round ran with berqenas.sync_journal off: not rollback-able
};

// The run's per-table counts as sync_jobs.tables shows them.
std::string run_tables_json(const RealtimeRun& run);
// Closes the open run (its counts in the log line); run is then none.
void close_run(pg::SpiSession& spi, RealtimeRun& run, const std::string& why);
// At the start of a round: forget a run that is no longer open (rolled back, or its database's
// history removed) and close one whose window is over.
void refresh_run(pg::SpiSession& spi, RealtimeRun& run);
void open_run_if_needed(pg::SpiSession& spi, long long remote_database_id, RealtimeRun& run);
// One journal row for one table's changes of one round: entries = [[key, old_row], ...] in the
// order applied, as incremental syncs write them. round: where the arrays are built.
void journal_table_round(MemoryContext round, long long job_id, long long table_id, const TableRound& tr);

}  // namespace berqenas::sync::realtime
