// The sync tables from C++ (see sync_catalog.hpp). Statements run again and again (every sync, every
// realtime round) go through kept plans with typed parameters.
#include "catalog/sync_catalog.hpp"

extern "C" {
#include "catalog/pg_type.h"
}

namespace berqenas::catalog {

const char* sync_mode_name(SyncMode mode) {
    switch (mode) {
        case SyncMode::full: return "full";
        case SyncMode::incremental: return "incremental";
        case SyncMode::realtime: return "realtime";
        case SyncMode::bidirectional: return "bidirectional";
    }
    return "full";
}

SyncMode parse_sync_mode(const std::string& name) {
    for (SyncMode m : {SyncMode::full, SyncMode::incremental, SyncMode::realtime, SyncMode::bidirectional})
        if (name == sync_mode_name(m)) return m;
    throw Error(sqlstate::internal_error, "unknown sync mode \"" + name + "\" in berqenas.sync_configs");
}

namespace {

// The configuration's columns after the registry's (remote_database_columns), defaults applied.
const char* const config_columns =
    "t.id, t.name, c.remote_database_id IS NOT NULL, coalesce(c.sync_mode, 'full'), c.tables::text, "
    "coalesce(c.timestamp_column, 'updated_at'), coalesce(c.target_schema, 'remote_' || r.name), "
    "coalesce(c.conflict_strategy, 'latest_wins')";
constexpr size_t registry_column_count = 10;

SyncConfig config_from_row(const pg::SqlRow& row, size_t first) {
    SyncConfig cfg;
    cfg.remote_database_id = std::stoll(*row.at(0));
    cfg.name = *row.at(1);
    cfg.remote_schema = *row.at(7);
    if (row.at(first)) cfg.tenant_id = std::stoll(*row[first]);
    cfg.tenant_name = row.at(first + 1).value_or("");
    cfg.configured = *row.at(first + 2) == "t";
    cfg.mode = parse_sync_mode(*row.at(first + 3));
    if (row.at(first + 4)) cfg.tables = pg::parse_text_array(*row[first + 4]);
    cfg.timestamp_column = *row.at(first + 5);
    cfg.target_schema = *row.at(first + 6);
    cfg.conflict_strategy = *row.at(first + 7);
    return cfg;
}

pg::SqlRow read_source_row(pg::SpiSession& spi, long long id) {
    static const std::string sql = std::string("SELECT ") + remote_database_columns + ", " + config_columns +
                                   " FROM berqenas.remote_database_registry r"
                                   " LEFT JOIN berqenas.remote_database_secrets s ON s.remote_database_id = r.id"
                                   " LEFT JOIN berqenas.tenants t ON t.id = r.tenant_id"
                                   " LEFT JOIN berqenas.sync_configs c ON c.remote_database_id = r.id"
                                   " WHERE r.id = $1";
    auto r = spi.execute_cached(sql, {pg::int8_param(id)});
    if (r.rows.empty())
        throw Error(sqlstate::undefined_object, "remote database " + std::to_string(id) + " is not registered", {},
                    "see berqenas.remote_databases");
    return std::move(r.rows[0]);
}

}  // namespace

SyncConfig load_sync_config(pg::SpiSession& spi, long long id) {
    return config_from_row(read_source_row(spi, id), registry_column_count);
}

SyncSource load_sync_source(pg::SpiSession& spi, long long id) {
    const pg::SqlRow row = read_source_row(spi, id);
    return {config_from_row(row, registry_column_count), remote_database_from_row(row, 0)};
}

// --- Jobs ---------------------------------------------------------------------------------------

void fail_abandoned_jobs(pg::SpiSession& spi, long long db_id) {
    spi.execute_cached("UPDATE berqenas.sync_jobs SET status = 'failed', finished_at = clock_timestamp(), "
                       "error = 'the sync did not finish: its session ended or its transaction rolled back' "
                       "WHERE remote_database_id = $1 AND status = 'running' AND mode <> 'realtime'",
                       {pg::int8_param(db_id)});
}

long long insert_running_job(pg::SpiSession& spi, const std::string& sync_id, long long db_id, SyncMode mode,
                             double started_epoch) {
    auto r = spi.execute_cached("INSERT INTO berqenas.sync_jobs (sync_id, remote_database_id, mode, status, started_at) "
                                "VALUES ($1, $2, $3, 'running', to_timestamp($4)) RETURNING id",
                                {pg::text_param(sync_id), pg::int8_param(db_id), pg::text_param(sync_mode_name(mode)),
                                 pg::float8_param(started_epoch)});
    return std::stoll(*r.rows.at(0).at(0));
}

void finish_job_succeeded(pg::SpiSession& spi, long long job_id, const std::string& tables_json, long long records,
                          long long bytes, bool journal_kept) {
    spi.execute_cached("UPDATE berqenas.sync_jobs SET status = 'succeeded', finished_at = clock_timestamp(), "
                       "tables = $2 || CASE WHEN $5 THEN '{}'::jsonb ELSE '{\"_journal\": \"off\"}'::jsonb END, "
                       "records_synced = $3, bytes_synced = $4 WHERE id = $1",
                       {pg::int8_param(job_id), pg::jsonb_param(tables_json), pg::int8_param(records),
                        pg::int8_param(bytes), pg::bool_param(journal_kept)});
}

void append_job_log(pg::SpiSession& spi, long long job_id, const std::string& lines_json) {
    spi.execute_cached("INSERT INTO berqenas.sync_job_log (sync_job_id, level, table_name, message) "
                       "SELECT $1, l ->> 'level', l ->> 'table', l ->> 'message' FROM jsonb_array_elements($2) l",
                       {pg::int8_param(job_id), pg::jsonb_param(lines_json)});
}

std::string failed_job_sql() {
    return "SELECT berqenas._sync_job_failed($1::bigint, $2, $3, to_timestamp($4::float8), $5, $6, $7::jsonb)";
}

std::vector<pg::SqlValue> failed_job_params(const FailedJob& job) {
    // Text parameters: this statement also runs in an autonomous transaction (a background
    // worker's), which takes its parameters as text. The epoch keeps microseconds.
    char epoch[64];
    snprintf(epoch, sizeof epoch, "%.6f", job.started_epoch);
    return {std::to_string(job.remote_database_id), std::string(sync_mode_name(job.mode)), job.sync_id,
            std::string(epoch), job.error, job.sqlstate, job.log_json};
}

// --- Realtime runs ------------------------------------------------------------------------------

std::pair<long long, std::string> open_realtime_run(pg::SpiSession& spi, long long db_id, const std::string& base_sync_id) {
    auto r = spi.execute_cached(
        "WITH j AS (INSERT INTO berqenas.sync_jobs (sync_id, remote_database_id, mode, status, started_at) "
        "VALUES (berqenas._sync_job_claim($1), $2, 'realtime', 'running', clock_timestamp()) RETURNING id, sync_id), "
        "l AS (INSERT INTO berqenas.sync_job_log (sync_job_id, level, message) SELECT j.id, 'info', 'realtime run started' FROM j) "
        "SELECT id, sync_id FROM j",
        {pg::text_param(base_sync_id), pg::int8_param(db_id)});
    return {std::stoll(*r.rows.at(0).at(0)), *r.rows[0].at(1)};
}

void close_realtime_run(pg::SpiSession& spi, long long job_id, const std::string& message) {
    spi.execute_cached("WITH u AS (UPDATE berqenas.sync_jobs SET status = 'succeeded', finished_at = clock_timestamp() "
                       "WHERE id = $1 AND status = 'running' RETURNING id) "
                       "INSERT INTO berqenas.sync_job_log (sync_job_id, level, message) SELECT u.id, 'info', $2 FROM u",
                       {pg::int8_param(job_id), pg::text_param(message)});
}

std::optional<RunState> realtime_run_state(pg::SpiSession& spi, long long job_id, double window_s) {
    auto r = spi.execute_cached("SELECT status, clock_timestamp() - started_at >= make_interval(secs => $2) "
                                "FROM berqenas.sync_jobs WHERE id = $1",
                                {pg::int8_param(job_id), pg::float8_param(window_s)});
    if (r.rows.empty()) return std::nullopt;
    return RunState{r.rows[0].at(0).value_or(""), r.rows[0].at(1) == std::optional<std::string>("t")};
}

void update_realtime_run(pg::SpiSession& spi, long long job_id, long long records, const std::string& tables_json) {
    spi.execute_cached("UPDATE berqenas.sync_jobs SET records_synced = $2, tables = $3 WHERE id = $1",
                       {pg::int8_param(job_id), pg::int8_param(records), pg::jsonb_param(tables_json)});
}

void close_realtime_runs(pg::SpiSession& spi, long long db_id, const std::string& why) {
    spi.execute_cached("SELECT berqenas._sync_close_realtime_runs($1, $2)", {pg::int8_param(db_id), pg::text_param(why)});
}

long long insert_failed_round(pg::SpiSession& spi, long long db_id, const std::string& base_sync_id,
                              const std::string& error, const std::string& sqlstate, const std::string& log_json) {
    auto id = spi.execute_cached("SELECT berqenas._sync_job_failed($1, 'realtime', berqenas._sync_job_claim($2), "
                                 "clock_timestamp(), $3, $4, $5)",
                                 {pg::int8_param(db_id), pg::text_param(base_sync_id), pg::text_param(error),
                                  pg::text_param(sqlstate), pg::jsonb_param(log_json)});
    const pg::SqlValue& v = id.rows.at(0).at(0);
    return v && !v->empty() ? std::stoll(*v) : 0;
}

void update_failed_rounds(pg::SpiSession& spi, long long job_id, long long rounds) {
    spi.execute_cached("UPDATE berqenas.sync_jobs SET finished_at = clock_timestamp(), "
                       "tables = jsonb_build_object('_failed_rounds', $2) WHERE id = $1",
                       {pg::int8_param(job_id), pg::int8_param(rounds)});
}

// --- Synced tables ------------------------------------------------------------------------------

std::vector<CapturedTable> captured_tables(pg::SpiSession& spi, long long db_id) {
    std::vector<CapturedTable> out;
    for (auto& r : spi.execute_cached("SELECT id, remote_table, local_schema, local_table, last_synced_at IS NOT NULL "
                                      "FROM berqenas.sync_tables WHERE remote_database_id = $1 AND capture_table IS NOT NULL "
                                      "ORDER BY id",
                                      {pg::int8_param(db_id)}).rows)
        out.push_back({std::stoll(*r[0]), *r[1], *r[2], *r[3], *r[4] == "t"});
    return out;
}

void record_capture(pg::SpiSession& spi, long long db_id, const std::string& remote_schema, const std::string& remote_table,
                    const std::string& target_schema, const std::vector<std::string>& primary_key,
                    const std::string& change_table, const std::string& trigger) {
    spi.execute("INSERT INTO berqenas.sync_tables AS t (remote_database_id, remote_schema, remote_table, local_schema, "
                "local_table, primary_key, capture_table, capture_trigger) VALUES ($1, $2, $3, $4, $3, $5::text[], $6, $7) "
                "ON CONFLICT (remote_database_id, remote_schema, remote_table) DO UPDATE SET capture_table = EXCLUDED.capture_table, "
                "capture_trigger = EXCLUDED.capture_trigger",
                {pg::int8_param(db_id), pg::text_param(remote_schema), pg::text_param(remote_table),
                 pg::text_param(target_schema), pg::text_param(pg::text_array_literal(primary_key)),
                 pg::text_param(change_table), pg::text_param(trigger)});
}

std::vector<std::pair<std::string, std::string>> capture_objects_of(pg::SpiSession& spi, long long db_id) {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& r : spi.execute("SELECT remote_table, capture_table FROM berqenas.sync_tables "
                               "WHERE remote_database_id = $1 AND capture_table IS NOT NULL ORDER BY id",
                               {pg::int8_param(db_id)}).rows)
        out.emplace_back(*r[0], *r[1]);
    return out;
}

void forget_capture(pg::SpiSession& spi, long long db_id) {
    spi.execute("UPDATE berqenas.sync_tables SET capture_table = NULL, capture_trigger = NULL WHERE remote_database_id = $1",
                {pg::int8_param(db_id)});
}

void count_realtime_applied(pg::SpiSession& spi, long long table_id, long long applied) {
    spi.execute_cached("UPDATE berqenas.sync_tables SET realtime_applied = realtime_applied + $2, "
                       "realtime_applied_at = clock_timestamp() WHERE id = $1",
                       {pg::int8_param(table_id), pg::int8_param(applied)});
}

void record_table_synced(pg::SpiSession& spi, long long table_id, const std::optional<std::string>& watermark,
                         long long job_id) {
    spi.execute_cached("UPDATE berqenas.sync_tables SET watermark = $2, last_sync_job_id = $3, last_synced_at = now() "
                       "WHERE id = $1",
                       {pg::int8_param(table_id), watermark ? pg::text_param(*watermark) : pg::null_param(TEXTOID),
                        pg::int8_param(job_id)});
}

// --- The journal --------------------------------------------------------------------------------

void journal_whole_table(pg::SpiSession& spi, long long job_id, long long table_id, const std::string& target,
                         bool keep_rows) {
    spi.execute_cached("INSERT INTO berqenas.sync_journal (sync_job_id, sync_table_id, whole_table) VALUES ($1, $2, true)",
                       {pg::int8_param(job_id), pg::int8_param(table_id)});
    if (keep_rows)
        spi.execute("INSERT INTO berqenas.sync_journal (sync_job_id, sync_table_id, old_row) "
                    "SELECT $1, $2, to_jsonb(o) FROM " + target + " o",
                    {pg::int8_param(job_id), pg::int8_param(table_id)});
}

}  // namespace berqenas::catalog
