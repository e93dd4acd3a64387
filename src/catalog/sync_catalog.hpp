// The sync tables (sync_configs, sync_tables, sync_jobs, sync_job_log, sync_journal) seen from C++:
// typed reads of a configuration and its registration, and the job and journal bookkeeping of syncs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/remote_database.hpp"
#include "pg/spi.hpp"

namespace berqenas::catalog {

// How a remote database is synced (sync_configs.sync_mode), and which kind of run a job row records
// (sync_jobs.mode: a sync() in realtime mode runs as incremental; 'realtime' names the worker's runs).
// The SQL side checks the same names (30_sync.sql); the next mode (bidirectional) is added to both.
enum class SyncMode { full, incremental, realtime, bidirectional };
const char* sync_mode_name(SyncMode mode);
// XX000 for a name the catalog cannot hold (its CHECK constraint allows only these).
SyncMode parse_sync_mode(const std::string& name);

// Sync's configuration of one remote database (defaults when configure_sync was never called).
struct SyncConfig {
    long long remote_database_id = 0;
    std::string name;
    std::optional<long long> tenant_id;
    std::string tenant_name;
    std::string remote_schema;
    bool configured = false;
    SyncMode mode = SyncMode::full;
    std::optional<std::vector<std::string>> tables;   // nullopt: every table of the remote schema
    std::string timestamp_column = "updated_at";
    std::string target_schema;
    std::string conflict_strategy = "latest_wins";   // bidirectional: who wins a conflict
};

// A configuration and the registration it belongs to, from one read of the registry row.
struct SyncSource {
    SyncConfig config;
    RemoteDatabase database;   // with the password opened: only to connect
};

// 42704 when the remote database is not registered.
SyncConfig load_sync_config(pg::SpiSession& spi, long long remote_database_id);
SyncSource load_sync_source(pg::SpiSession& spi, long long remote_database_id);

// --- Jobs (sync_jobs, sync_job_log) ----------------------------------------------------------

// Marks failed the non-realtime jobs of a database left "running" by a session that ended or rolled
// back; only the holder of the database's sync lock may call it (none of them can still run).
void fail_abandoned_jobs(pg::SpiSession& spi, long long remote_database_id);
// A running job row, started at started_epoch (seconds since 1970); returns its id.
long long insert_running_job(pg::SpiSession& spi, const std::string& sync_id, long long remote_database_id,
                             SyncMode mode, double started_epoch);
// A sync's job row finished: its per-table results (a JSON object), totals, and whether the journal
// was kept ("_journal": "off" otherwise, so rollback refuses it).
void finish_job_succeeded(pg::SpiSession& spi, long long job_id, const std::string& tables_json, long long records,
                          long long bytes, bool journal_kept);
// Appends log lines (a JSON array of {level, table, message}) to a job.
void append_job_log(pg::SpiSession& spi, long long job_id, const std::string& lines_json);

// The statement that records a failed sync after its own row went away with its rolled-back
// subtransaction (_sync_job_failed), with its parameters: run in the caller's transaction or in
// an autonomous one.
struct FailedJob {
    long long remote_database_id = 0;
    SyncMode mode = SyncMode::full;
    std::string sync_id;
    double started_epoch = 0;
    std::string error, sqlstate, log_json;
};
std::string failed_job_sql();
std::vector<pg::SqlValue> failed_job_params(const FailedJob& job);

// --- Realtime runs (sync_jobs rows of mode 'realtime') ----------------------------------------

// Opens a realtime run (a running job row and its first log line); returns its id and sync id.
std::pair<long long, std::string> open_realtime_run(pg::SpiSession& spi, long long remote_database_id,
                                                    const std::string& base_sync_id);
// Closes a run still open with a log line saying why; a run no longer running is left as it is.
void close_realtime_run(pg::SpiSession& spi, long long job_id, const std::string& message);
// An open run's status and whether its window of window_s seconds is over (nullopt: no such run).
struct RunState {
    std::string status;
    bool window_over = false;
};
std::optional<RunState> realtime_run_state(pg::SpiSession& spi, long long job_id, double window_s);
// The counts an open run shows while it runs.
void update_realtime_run(pg::SpiSession& spi, long long job_id, long long records, const std::string& tables_json);
// Every run of a database still marked running ends, succeeded (_sync_close_realtime_runs).
void close_realtime_runs(pg::SpiSession& spi, long long remote_database_id, const std::string& why);
// A failed realtime round as a failed run (its id; 0 when it could not be inserted), and how many
// rounds in a row it stands for.
long long insert_failed_round(pg::SpiSession& spi, long long remote_database_id, const std::string& base_sync_id,
                              const std::string& error, const std::string& sqlstate, const std::string& log_json);
void update_failed_rounds(pg::SpiSession& spi, long long job_id, long long rounds);

// --- Synced tables (sync_tables) ---------------------------------------------------------------

// The capture-enabled tables of one remote database, oldest first.
struct CapturedTable {
    long long id = 0;
    std::string remote_table;
    std::string local_schema;
    std::string local_table;
    bool copied = false;   // a sync has copied it (last_synced_at set)
};
std::vector<CapturedTable> captured_tables(pg::SpiSession& spi, long long remote_database_id);
// A table's capture objects as installed on the remote (the row is created when the table was never
// synced: it lands in target_schema under its remote name, keyed by primary_key).
void record_capture(pg::SpiSession& spi, long long remote_database_id, const std::string& remote_schema,
                    const std::string& remote_table, const std::string& target_schema,
                    const std::vector<std::string>& primary_key, const std::string& change_table,
                    const std::string& trigger);
// The tables of a remote database with capture objects, oldest first: (remote table, change table).
std::vector<std::pair<std::string, std::string>> capture_objects_of(pg::SpiSession& spi, long long remote_database_id);
// Every table of a remote database without capture objects (they were removed from the remote).
void forget_capture(pg::SpiSession& spi, long long remote_database_id);
// Changes a realtime round applied to a table (realtime_applied, realtime_applied_at).
void count_realtime_applied(pg::SpiSession& spi, long long table_id, long long applied);
// After a table's sync: its watermark (nullopt: none), job and time.
void record_table_synced(pg::SpiSession& spi, long long table_id, const std::optional<std::string>& watermark,
                         long long job_id);

// --- The journal (sync_journal) ----------------------------------------------------------------

// The table was empty before this job (rollback empties it again) or, keep_rows, had no primary
// key: then its rows before the job are journaled whole, read from target (a qualified name).
void journal_whole_table(pg::SpiSession& spi, long long job_id, long long table_id, const std::string& target,
                         bool keep_rows);

}  // namespace berqenas::catalog
