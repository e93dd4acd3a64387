// run_sync: limits, the job row (a failure recorded autonomously so it stays), then, inside a
// subtransaction, every table (table_sync); full tables are swapped in last, together.
#include "sync/sync_runner.hpp"

#include <chrono>
#include <ctime>
#include <map>

#include "catalog/sync_catalog.hpp"
#include "common/json_writer.hpp"
#include "pg/guard.hpp"
#include "remote/identifier.hpp"
#include "remote/remote_connection.hpp"
#include "sync/autonomous.hpp"
#include "sync/engine/configured_tables.hpp"
#include "sync/engine/remote_queries.hpp"
#include "sync/engine/sync_id.hpp"
#include "sync/job_watch.hpp"
#include "sync/limits.hpp"
#include "sync/progress.hpp"
#include "sync/session_connections.hpp"
#include "sync/subtransaction.hpp"
#include "sync/sync_context.hpp"
#include "sync/sync_settings.hpp"
#include "sync/table_sync.hpp"

extern "C" {
#include "access/multixact.h"
#include "access/xact.h"
#include "commands/cluster.h"
#include "storage/lmgr.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
}

namespace berqenas::sync {

using catalog::SyncConfig;
using catalog::SyncMode;

namespace {

std::string log_json(const std::vector<LogLine>& lines) {
    std::string out = "[";
    for (size_t i = 0; i < lines.size(); ++i) {
        JsonObject o;
        o.add("level", lines[i].level).add("message", lines[i].message);
        if (lines[i].table.empty()) o.add_null("table");
        else o.add("table", lines[i].table);
        out += (i ? "," : "") + o.str();
    }
    return out + "]";
}

}  // namespace

std::string run_sync(long long remote_database_id, const RunOptions& options) {
    const auto started = Clock::now();
    std::optional<SyncConfig> cfg_holder;
    catalog::RemoteDatabase db;
    std::string sync_id;
    double started_epoch = 0;
    bool needs_size_check = options.full;
    {
        pg::SpiSession spi;
        catalog::SyncSource source = catalog::load_sync_source(spi, remote_database_id);
        cfg_holder = std::move(source.config);
        db = std::move(source.database);
        // Limits first: nothing is recorded for a sync that was not allowed to start.
        acquire_database_lock(spi, *cfg_holder);
        acquire_tenant_slot(spi, *cfg_holder);
        // Rows left "running" by a session that ended (or rolled back) cannot still run: we hold the lock.
        // (An open realtime run is the realtime worker's, not a sync's.)
        catalog::fail_abandoned_jobs(spi, remote_database_id);
        // The sync id, held (advisory lock) until this transaction ends; the start time for the
        // job row, wherever it ends up being written.
        auto r = spi.execute_cached("SELECT berqenas._sync_job_claim($1), extract(epoch FROM clock_timestamp())::text, "
                                    "$2 OR NOT EXISTS (SELECT 1 FROM berqenas.sync_tables WHERE remote_database_id = $3 "
                                    "AND watermark IS NOT NULL)",
                                    {pg::text_param(make_sync_id(std::time(nullptr))),
                                     pg::bool_param(options.full || cfg_holder->mode == SyncMode::full),
                                     pg::int8_param(remote_database_id)});
        sync_id = *r.rows[0][0];
        started_epoch = std::stod(*r.rows[0][1]);
        needs_size_check = *r.rows[0][2] == "t";
    }
    const SyncConfig& cfg = *cfg_holder;
    // In realtime mode a sync() call is an incremental sync; mode 'realtime' names the worker's runs.
    const SyncMode mode = options.full ? SyncMode::full : cfg.mode == SyncMode::realtime ? SyncMode::incremental : cfg.mode;
    const std::string mode_name = catalog::sync_mode_name(mode);
    Context ctx{cfg, options};
    ctx.sync_id = sync_id;

    std::vector<LogLine> log;
    ctx.log = &log;
    log.push_back({"info", "", mode_name + " sync started (" + options.origin + ")"});
    std::map<std::string, TableStats> results;
    std::vector<std::string> tables;
    try {
        in_subtransaction([&] {
            pg::SpiSession spi;
            // The job row, in the sync's own subtransaction: a failure removes it, and the failure
            // is then recorded on its own (below); an abort that skips that path is caught by
            // job_watch.
            ctx.job_id = catalog::insert_running_job(spi, ctx.sync_id, remote_database_id, mode, started_epoch);
            if (!options.in_worker) record_job_on_abort(remote_database_id, mode_name, ctx.sync_id, started_epoch);
            const std::string job_recorded = "job recorded " + ms_since(started) + " after the call";
            const auto connect_started = Clock::now();
            SessionConnection conn = acquire_session_connection(remote_database_id, db.connection);
            ctx.log->push_back({"debug", "", job_recorded + (conn.reused() ? "; reused the session's remote connection ("
                                                                           : "; connected to the remote in ") +
                                                 ms_since(connect_started) + (conn.reused() ? ")" : "")});
            ctx.conn = conn.get();
            // berqenas.max_database_size, before any full copy (a first sync of a table is one).
            if (needs_size_check) {
                const long long limit = (long long)SyncSettings::max_database_size_mb * 1024 * 1024;
                std::optional<long long> size;
                try {
                    auto r = conn->query_text(database_size_sql(conn->kind()));
                    if (!r.rows.empty() && r.rows[0][0]) size = std::stoll(*r.rows[0][0]);
                } catch (const Error& e) {
                    if (e.sqlstate() == sqlstate::query_canceled) throw;
                    ctx.log->push_back({"warning", "", std::string("could not read the remote database size: ") + e.what()});
                }
                if (size && *size > limit)
                    throw Error(sqlstate::program_limit_exceeded,
                                "remote database \"" + cfg.name + "\" holds " + std::to_string(*size / (1024 * 1024)) +
                                    " MB, more than berqenas.max_database_size (" +
                                    std::to_string(SyncSettings::max_database_size_mb) + " MB)",
                                "a full sync copies the whole database; nothing was copied",
                                "raise berqenas.max_database_size or sync fewer tables");
            }
            // Every table from one remote snapshot, where the remote has one, so they agree with
            // each other; that read transaction ends once the tables are swapped in.
            const bool consistent_read = conn->begin_consistent_read();
            // Which tables: the configured ones (or all of the remote schema), narrowed by the call.
            std::vector<std::string> available = configured_tables(cfg.tables, cfg.remote_schema, *conn.get());
            if (cfg.tables) resolve_declared_names(available, cfg.remote_schema, *conn.get());
            if (options.tables) {
                for (const auto& t : *options.tables) {
                    const std::optional<size_t> i = remote::find_identifier(conn->kind(), available, t);
                    if (!i)
                        throw Error(sqlstate::undefined_table, "table \"" + t + "\" is not synced for remote database \"" + cfg.name + "\"",
                                    cfg.tables ? "configured tables: see berqenas.sync_configs" : "the remote schema has no such table",
                                    "call berqenas.configure_sync() with the table in its list");
                    tables.push_back(available[*i]);
                }
            } else {
                tables = available;
            }
            if (tables.empty()) ctx.log->push_back({"warning", "", "no tables to sync"});

            ProgressReport progress(remote_database_id, cfg.name, ctx.sync_id, mode_name, int(tables.size()));
            ctx.progress = &progress;

            for (const auto& t : tables) {
                try {
                    results[t] = sync_table(spi, ctx, t);
                } catch (const Error& e) {
                    if (e.sqlstate() == sqlstate::undefined_table && std::string(e.what()).find("does not exist") != std::string::npos)
                        throw Error(sqlstate::undefined_table, "remote table \"" + t + "\" does not exist in remote database \"" + cfg.name + "\"",
                                    e.detail(), "check berqenas.configure_sync()'s tables");
                    throw;
                }
            }
            progress.phase("swapping");
            // Full tables change files now, all together, in one short exclusive lock each. The swap
            // rebuilds their indexes; their sort gets berqenas.sync_index_build_memory, not
            // maintenance_work_mem, so a full sync's memory does not grow with the table.
            // The setting's text is made here: no C++ object may live inside pg_call's body.
            const std::string index_memory_kb =
                SyncSettings::index_build_memory_kb >= 0 ? std::to_string(SyncSettings::index_build_memory_kb) : "";
            for (const auto& swap : ctx.swaps) {
                Oid target = swap.target, transient = swap.transient;
                const char* kb = index_memory_kb.empty() ? nullptr : index_memory_kb.c_str();
                pg::pg_call([&] {
                    LockRelationOid(target, AccessExclusiveLock);
                    const int guc_level = NewGUCNestLevel();
                    if (kb != nullptr)
                        (void)set_config_option("maintenance_work_mem", kb, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
                                                true, 0, false);
                    finish_heap_swap(target, transient, false, false, false, true, RecentXmin, ReadNextMultiXactId(),
                                     RELPERSISTENCE_PERMANENT);
                    AtEOXact_GUC(true, guc_level);
                });
            }
            if (consistent_read) conn->commit();
            ctx.conn = nullptr;
            // The realtime worker keeps its own connection; a second one would sit idle for its lifetime.
            if (!options.in_worker) conn.keep();
        });
    } catch (const Error& e) {
        ctx.conn = nullptr;
        // Local data is back as it was (the subtransaction rolled back); record the failure.
        log.push_back({"error", "", e.what() + (e.detail().empty() ? std::string() : " (" + e.detail() + ")")});
        forget_job_on_abort();
        const std::vector<pg::SqlValue> params = catalog::failed_job_params(
            {remote_database_id, mode, ctx.sync_id, started_epoch, e.what(), e.sqlstate(), log_json(log)});
        const std::string sql = catalog::failed_job_sql();
        if (options.in_worker) {
            pg::SpiSession spi;
            spi.execute(sql, params);
            JsonObject out;
            out.add("sync_id", ctx.sync_id).add("status", "failed").add("error", e.what()).add("sqlstate", e.sqlstate());
            return out.str();
        }
        try {
            run_autonomous(sql, params);
        } catch (const Error& record_error) {
            if (record_error.sqlstate() == sqlstate::query_canceled) throw;
            throw Error(e.sqlstate(), e.what(), e.detail() + (e.detail().empty() ? "" : "; ") +
                                                    "the failure could not be recorded: " + record_error.what(),
                        e.hint());
        }
        throw;
    }

    // Success: the job row is finished in this transaction, together with the data.
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::string tables_json = "{";
    long long total = 0, bytes = 0;
    bool first = true;
    for (const auto& t : tables) {
        const TableStats& st = results[t];
        JsonObject o;
        o.add("inserted", st.inserted).add("updated", st.updated).add("deleted", st.deleted).add("bytes", st.bytes)
            .add("rows_read", st.rows_read).add("mode", st.mode);
        tables_json += (first ? "" : ",") + json_quote(t) + ":" + o.str();
        first = false;
        total += st.inserted + st.updated + st.deleted;
        bytes += st.bytes;
    }
    tables_json += "}";
    {
        pg::SpiSession spi;
        catalog::finish_job_succeeded(spi, ctx.job_id, tables_json, total, bytes, SyncSettings::journal);
        log.push_back({"info", "", "sync finished: " + std::to_string(total) + " rows changed in " +
                                       std::to_string(tables.size()) + " table(s)"});
        catalog::append_job_log(spi, ctx.job_id, log_json(log));
    }
    // Warnings reach the caller too (as WARNING and in the result), not only sync_logs.
    std::string warnings = "[";
    for (const auto& line : log) {
        if (line.level != "warning") continue;
        warnings += (warnings.size() > 1 ? "," : "") + json_quote(line.message);
        const char* text = line.message.c_str();
        pg::pg_call([&] { ereport(WARNING, (errmsg("%s", text))); });
    }
    warnings += "]";
    JsonObject out;
    char duration[32];
    snprintf(duration, sizeof duration, "%.3f", seconds);
    out.add("sync_id", ctx.sync_id).add("status", "succeeded").add_raw("tables", tables_json)
        .add("total_synced", total).add_raw("duration_seconds", duration);
    if (warnings.size() > 2) out.add_raw("warnings", warnings);
    return out.str();
}

}  // namespace berqenas::sync
