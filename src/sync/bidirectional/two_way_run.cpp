// berqenas._bd_sync_run: one bidirectional run of a remote database. Tables never copied yet are
// copied whole first (a full sync) and taken as the agreed starting point; the others run both
// ways in one subtransaction and one remote transaction, so a failure keeps nothing of the run.
#include <chrono>
#include <ctime>
#include <map>

#include "catalog/sync_catalog.hpp"
#include "common/json_writer.hpp"
#include "pg/guard.hpp"
#include "pg/values.hpp"
#include "remote/identifier.hpp"
#include "sync/autonomous.hpp"
#include "sync/bidirectional/two_way_table.hpp"
#include "sync/engine/configured_tables.hpp"
#include "sync/engine/sync_id.hpp"
#include "sync/limits.hpp"
#include "sync/session_connections.hpp"
#include "sync/subtransaction.hpp"
#include "sync/sync_runner.hpp"
#include "sync/sync_settings.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

namespace berqenas::sync {

namespace {

using Clock = std::chrono::steady_clock;

std::optional<std::vector<std::string>> text_array(FunctionCallInfo fcinfo, int n) {
    if (pg::arg_is_null(fcinfo, n)) return std::nullopt;
    Datum* elems = nullptr;
    bool* nulls = nullptr;
    int count = 0;
    pg::pg_call([&] {
        deconstruct_array(PG_GETARG_ARRAYTYPE_P(n), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
    });
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i) {
        if (nulls[i]) throw Error(sqlstate::invalid_parameter, "table names must not be NULL");
        char* s = pg::pg_call([&] { return TextDatumGetCString(elems[i]); });
        out.emplace_back(s);
    }
    return out;
}

struct TableRef {
    std::string remote_table;
    std::optional<TwoWayTable> two_way;   // nullopt: no cloud copy yet
};

std::string table_json(const TwoWayCounts& c) {
    JsonObject o;
    o.add("cloud_to_local", c.cloud_to_local).add("local_to_cloud", c.local_to_cloud)
        .add("conflicts_detected", c.conflicts_detected).add("conflicts_resolved", c.conflicts_resolved)
        .add("conflicts_open", c.conflicts_open).add("rows_read", c.rows_read);
    return o.str();
}

std::string run(long long db_id, const std::optional<std::vector<std::string>>& requested,
                const std::optional<std::string>& strategy_arg, bool dry_run, bool full_read, const std::string& origin) {
    const auto started = Clock::now();
    catalog::SyncSource source;
    std::string strategy_name, sync_id;
    double started_epoch = 0;
    {
        pg::SpiSession spi;
        source = catalog::load_sync_source(spi, db_id);
        if (source.config.mode != catalog::SyncMode::bidirectional)
            throw Error(sqlstate::object_not_in_prerequisite_state,
                        "remote database \"" + source.config.name + "\" is not configured for bidirectional sync", {},
                        "SELECT berqenas.configure_sync('" + source.config.name + "', sync_mode => 'bidirectional')");
        strategy_name = strategy_arg.value_or(source.config.conflict_strategy);
        // The limits every sync passes: one sync of a database at a time, tenant slots.
        acquire_database_lock(spi, source.config);
        acquire_tenant_slot(spi, source.config);
        started_epoch = std::stod(*spi.scalar("SELECT extract(epoch FROM clock_timestamp())::text"));
    }
    const catalog::SyncConfig& cfg = source.config;
    const auto strategy = parse_conflict_strategy(strategy_name);
    if (!strategy)
        throw Error(sqlstate::invalid_parameter, "unknown conflict_strategy \"" + strategy_name + "\"", {},
                    "conflict_strategy must be \"latest_wins\", \"cloud_wins\", \"local_wins\" or \"manual\"");

    SessionConnection conn = acquire_session_connection(db_id, source.database.connection);
    // Which tables: the configured ones (or all of the remote schema), narrowed by the call.
    std::vector<std::string> available = configured_tables(cfg.tables, cfg.remote_schema, *conn.get());
    if (cfg.tables) resolve_declared_names(available, cfg.remote_schema, *conn.get());
    std::vector<std::string> names;
    if (requested) {
        for (const auto& t : *requested) {
            auto i = remote::find_identifier(conn->kind(), available, t);
            if (!i)
                throw Error(sqlstate::undefined_table, "table \"" + t + "\" is not synced for remote database \"" + cfg.name + "\"",
                            {}, "call berqenas.configure_sync() with the table in its list");
            names.push_back(available[*i]);
        }
    } else {
        names = available;
    }
    std::vector<TableRef> tables;
    std::vector<std::string> to_copy;
    {
        pg::SpiSession spi;
        for (const auto& name : names) {
            TableRef ref{name, std::nullopt};
            auto r = spi.execute("SELECT id, local_table_oid::text, bd_cloud_watermark::text, bd_local_watermark::text, "
                                 "coalesce(bd_agreed_rows, 0) "
                                 "FROM berqenas.sync_tables WHERE remote_database_id = $1::bigint AND remote_schema = $2 "
                                 "AND remote_table = $3 AND local_table_oid IS NOT NULL",
                                 {std::to_string(db_id), cfg.remote_schema, name});
            if (!r.rows.empty()) {
                TwoWayTable t;
                t.id = std::stoll(*r.rows[0][0]);
                t.remote_schema = cfg.remote_schema;
                t.remote_table = name;
                t.local_oid = *r.rows[0][1];
                t.cloud_watermark = r.rows[0][2];
                t.local_watermark = r.rows[0][3];
                t.agreed_rows = std::stoll(*r.rows[0][4]);
                ref.two_way = t;
            } else {
                to_copy.push_back(name);
            }
            tables.push_back(ref);
        }
    }

    TwoWayRun two_way;
    two_way.remote_database_id = db_id;
    two_way.strategy = *strategy;
    two_way.dry_run = dry_run;
    two_way.full = full_read;
    std::map<std::string, TwoWayCounts> results;
    std::string copied_json = "[";
    try {
        // First copies: a full sync of those tables (its own job), then every row is agreed
        // content, and both sides' changes count from the clocks read before the copy.
        if (!to_copy.empty() && !dry_run) {
            {
                pg::SpiSession spi;
                read_clocks(spi, *conn.get(), two_way);
            }
            RunOptions copy;
            copy.tables = to_copy;
            copy.full = true;
            copy.origin = "bidirectional first copy";
            run_sync(db_id, copy);
            pg::SpiSession spi;
            for (auto& ref : tables) {
                if (ref.two_way) continue;
                auto id = spi.scalar("SELECT id FROM berqenas.sync_tables WHERE remote_database_id = $1::bigint AND "
                                     "remote_schema = $2 AND remote_table = $3",
                                     {std::to_string(db_id), cfg.remote_schema, ref.remote_table});
                auto n = spi.execute("SELECT berqenas._bd_prepare_cloud($1::bigint), "
                                     "berqenas._bd_baseline($1::bigint, $2::timestamp, $3::timestamp)",
                                     {*id, two_way.cloud_now, two_way.remote_now});
                // The copy brought every remote row to the cloud.
                TwoWayCounts copied;
                copied.local_to_cloud = copied.rows_read = std::stoll(*n.rows[0][1]);
                results[ref.remote_table] = copied;
                copied_json += std::string(copied_json.size() > 1 ? "," : "") + json_quote(ref.remote_table);
            }
        }
        copied_json += "]";
        // The run's id, claimed after a first copy's own (a sync id is held by this transaction
        // until it ends, so the copy in the same second would otherwise get the same one).
        {
            pg::SpiSession spi;
            sync_id = *spi.scalar("SELECT berqenas._sync_job_claim($1)", {make_sync_id(std::time(nullptr))});
        }
        in_subtransaction([&] {
            pg::SpiSession spi;
            if (!dry_run) {
                catalog::fail_abandoned_jobs(spi, db_id);
                two_way.job_id = catalog::insert_running_job(spi, sync_id, db_id, catalog::SyncMode::bidirectional, started_epoch);
            }
            // The plans of a run are small and run once: compiling them (JIT) costs more than running
            // them. Local to this subtransaction: an error reverts it, success sets it back below.
            const std::string jit = *spi.scalar("SELECT pg_catalog.current_setting('jit')");
            spi.execute("SELECT pg_catalog.set_config('jit', 'off', true)");
            conn->begin();
            read_clocks(spi, *conn.get(), two_way);
            for (const auto& ref : tables) {
                if (!ref.two_way) continue;
                if (!dry_run) spi.execute("SELECT berqenas._bd_prepare_cloud($1::bigint)", {std::to_string(ref.two_way->id)});
                try {
                    results[ref.remote_table] = sync_two_way_table(spi, *conn.get(), *ref.two_way, two_way);
                } catch (const Error& e) {
                    throw Error(e.sqlstate(), "table \"" + ref.remote_table + "\": " + e.what(), e.detail(), e.hint());
                }
            }
            if (dry_run) conn->rollback();
            else conn->commit();
            spi.execute("SELECT pg_catalog.set_config('jit', $1, true)", {jit});
        });
    } catch (const Error& e) {
        // The subtransaction rolled back the cloud's side, the remote's transaction is gone with
        // the connection (not kept): record the failure where it survives this transaction's abort.
        if (!dry_run && !sync_id.empty()) {
            catalog::FailedJob failed;
            failed.remote_database_id = db_id;
            failed.mode = catalog::SyncMode::bidirectional;
            failed.sync_id = sync_id;
            failed.started_epoch = started_epoch;
            failed.error = e.what();
            failed.sqlstate = e.sqlstate();
            failed.log_json = "[]";
            try {
                run_autonomous(catalog::failed_job_sql(), catalog::failed_job_params(failed));
            } catch (const Error& record_error) {
                if (record_error.sqlstate() == sqlstate::query_canceled) throw;
            }
        }
        throw;
    }
    conn.keep();

    std::string tables_json = "{";
    long long total = 0;
    for (const auto& [name, c] : results) {
        tables_json += std::string(tables_json.size() > 1 ? "," : "") + json_quote(name) + ":" + table_json(c);
        total += c.cloud_to_local + c.local_to_cloud;
    }
    tables_json += "}";
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    char duration[32];
    snprintf(duration, sizeof duration, "%.3f", seconds);
    if (!dry_run) {
        pg::SpiSession spi;
        catalog::finish_job_succeeded(spi, two_way.job_id, tables_json, total, 0, SyncSettings::journal);
        std::string lines = "[";
        for (const auto& [name, c] : results)
            for (const auto& [what, ms] : c.phases)
                lines += std::string(lines.size() > 1 ? "," : "") +
                         JsonObject().add("level", "debug").add("table", name).add("message", what + (": " + std::to_string(ms) + " ms")).str();
        catalog::append_job_log(spi, two_way.job_id, lines + "]");
        spi.execute("SELECT berqenas._audit('bidirectional_sync', $1::bigint, $2, $3::jsonb)",
                    {std::to_string(db_id), cfg.name,
                     JsonObject().add("sync_id", sync_id).add("strategy", strategy_name).add("origin", origin)
                         .add("total_synced", total).str()});
    }
    JsonObject out;
    out.add("success", true).add("sync_id", dry_run ? std::string() : sync_id).add("strategy", strategy_name)
        .add("dry_run", dry_run).add_raw("results", tables_json).add("total_synced", total)
        .add_raw("duration_seconds", duration).add("clock_offset_ms", double(two_way.clock_offset_us) / 1000.0);
    if (copied_json.size() > 2) out.add_raw("copied_first", copied_json);
    if (dry_run && !to_copy.empty()) {
        std::string pending = "[";
        for (const auto& t : to_copy) pending += std::string(pending.size() > 1 ? "," : "") + json_quote(t);
        out.add_raw("not_copied_yet", pending + "]");
    }
    return out.str();
}

// berqenas._bd_sync_run(remote_database_id bigint, tables text[], conflict_strategy text,
//                       dry_run boolean, full_read boolean, origin text) returns jsonb
Datum bd_sync_run(FunctionCallInfo fcinfo) {
    if (pg::arg_is_null(fcinfo, 0)) throw Error(sqlstate::invalid_parameter, "remote_database_id must not be NULL");
    return pg::jsonb_datum(run(pg::int64_arg(fcinfo, 0), text_array(fcinfo, 1), pg::optional_text_arg(fcinfo, 2),
                               !pg::arg_is_null(fcinfo, 3) && pg::bool_arg(fcinfo, 3),
                               !pg::arg_is_null(fcinfo, 4) && pg::bool_arg(fcinfo, 4),
                               pg::arg_is_null(fcinfo, 5) ? "manual" : pg::text_arg(fcinfo, 5)));
}

}  // namespace

}  // namespace berqenas::sync

BERQENAS_SQL_FUNCTION(berqenas_bd_sync_run, berqenas::sync::bd_sync_run)
