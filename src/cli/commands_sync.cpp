// `berqenas sync configure|run|status|history|logs|verify|rollback|progress|prune-journal`: the sync API of
// sql/install/30_sync.sql, one SQL call per command, results as tables (or --json).
#include "context.hpp"
#include "details_printer.hpp"
#include "exit_codes.hpp"
#include "formatting.hpp"
#include "json_output.hpp"
#include "number_option.hpp"
#include "table_printer.hpp"
#include "two_way_run_printer.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace berqenas::cli {
namespace {

struct SyncOptions {
    std::string name;
    std::string mode, timestamp_column, target_schema, method, strategy, level, cron;
    std::vector<std::string> tables;
    bool full = false;
    bool include_later = false;
    int limit = 10;
    int tail = 100;
    CLI::Option* mode_opt = nullptr;
    CLI::Option* tables_opt = nullptr;
    CLI::Option* timestamp_opt = nullptr;
    CLI::Option* target_schema_opt = nullptr;
    CLI::Option* method_opt = nullptr;
    CLI::Option* strategy_opt = nullptr;
};

using OptionsPtr = std::shared_ptr<SyncOptions>;

int configure(Context& ctx, const SyncOptions& o) {
    const bool strategy_given = o.strategy_opt->count() > 0;
    // A conflict strategy only means something to two-way sync: alone, --strategy implies it.
    if (strategy_given && o.mode_opt->count() > 0 && o.mode != "bidirectional") {
        throw UsageError("--strategy is for --mode bidirectional, not --mode " + o.mode);
    }
    SqlCall call("berqenas.configure_sync");
    call.arg("name", o.name);
    if (o.mode_opt->count() > 0) {
        call.arg("sync_mode", o.mode);
    } else if (strategy_given) {
        call.arg("sync_mode", "bidirectional");
    }
    if (o.tables_opt->count() > 0) call.text_array("tables", o.tables);
    if (o.timestamp_opt->count() > 0) call.arg("timestamp_column", o.timestamp_column);
    if (o.target_schema_opt->count() > 0) call.arg("target_schema", o.target_schema);
    if (o.method_opt->count() > 0) call.arg("method", o.method);
    if (strategy_given) call.arg("conflict_strategy", o.strategy);
    Json result = scalar_json(ctx.scalar(call, "configure_sync"));
    if (ctx.json) {
        print_json(result);
    } else {
        fmt::print("sync of \"{}\" configured\n", o.name);
        if (result.is_object() && result.contains("tables") && result["tables"].is_null()) {
            result["tables"] = "every table of the registered schema";
        }
        print_details(result, {"name"}, 2);
    }
    return exit_ok;
}

int run(Context& ctx, const SyncOptions& o) {
    SqlCall call("berqenas.sync");
    call.arg("name", o.name);
    if (o.tables_opt->count() > 0) call.text_array("tables", o.tables);
    if (o.full) call.arg("full", "true", "boolean");
    Json result = scalar_json(ctx.scalar(call, "sync"));
    if (ctx.json) {
        print_json(result);
        return exit_ok;
    }
    if (is_two_way_run(result)) {
        print_two_way_run(result, false);
        return exit_ok;
    }
    TablePrinter table({"table", "mode", "inserted", "updated", "deleted", "rows read", "bytes"});
    for_each_table(field(result, "tables"), [&](const std::string& name, const Json& t) {
        table.add_row({name, cell(field(t, "mode")), cell(field(t, "inserted")), cell(field(t, "updated")),
                       cell(field(t, "deleted")), cell(field(t, "rows_read")), cell(field(t, "bytes"))});
    });
    if (!table.empty()) table.print();
    fmt::print("{} {}: {} row(s) synced in {} s\n", cell(field(result, "sync_id")), cell(field(result, "status")),
               cell(field(result, "total_synced")), cell(field(result, "duration_seconds")));
    return exit_ok;
}

int status(Context& ctx, const SyncOptions& o) {
    SqlCall call("berqenas.sync_status");
    call.arg("name", o.name);
    Json result = scalar_json(ctx.scalar(call, "sync_status"));
    if (ctx.json) {
        print_json(result);
        return exit_ok;
    }
    fmt::print("Sync status: {}\n", o.name);
    const bool two_way = field(result, "mode") == "bidirectional";
    Json last = field(result, "last_sync");
    const bool last_two_way = field(last, "mode") == "bidirectional";
    std::vector<std::string> skip = {"name", "tables"};
    // One-way databases have no conflicts: leave the two-way keys out rather than print "-" and 0.
    if (!two_way) skip.insert(skip.end(), {"conflict_strategy", "open_conflicts"});
    if (last_two_way) {
        // Drawn below as the docs' "last sync results" instead.
        skip.push_back("last_sync");
        for (const char* key : {"cloud_to_local", "local_to_cloud", "conflicts", "conflicts_resolved"}) last.erase(key);
    }
    print_details(result, skip);
    if (last_two_way) {
        Json run = field(result, "last_sync");
        auto count = [&run](const char* key) {
            return field(run, key).is_number_integer() ? field(run, key).get<long long>() : 0;
        };
        const long long conflicts = count("conflicts"), resolved = count("conflicts_resolved");
        // A run also resolves conflicts held open by earlier runs (manual strategy, sync resolve).
        std::string held =
            resolved > conflicts ? fmt::format(", {} held from earlier runs resolved", resolved - conflicts) : "";
        fmt::print("last sync results:\n");
        fmt::print("  Cloud → Local: {} record(s)\n", cell(field(run, "cloud_to_local")));
        fmt::print("  Local → Cloud: {} record(s)\n", cell(field(run, "local_to_cloud")));
        fmt::print("  Conflicts:     {}{}\n", conflicts_text(conflicts, std::max(0LL, conflicts - resolved)), held);
        fmt::print("last sync:\n");
        print_details(last, {}, 2);
    }
    TablePrinter table({"table", "local table", "watermark", "last synced at", "realtime", "realtime applied"});
    for_each_table(field(result, "tables"), [&](const std::string& name, const Json& t) {
        table.add_row({name, cell(field(t, "local_table")), cell(field(t, "watermark")),
                       short_time(field(t, "last_synced_at")), cell(field(t, "realtime")),
                       cell(field(t, "realtime_applied"))});
    });
    if (!table.empty()) table.print();
    return exit_ok;
}

std::string error_text(const Json& r) {
    return r["error"].is_null() ? "" : cell(r["error_sqlstate"]) + " " + cell(r["error"]);
}

// A history with two-way runs, as the docs draw it: both directions and the conflicts per run
// ("-" for one-way runs, which have no directions).
void print_two_way_history(const Json& rows) {
    bool errors = false;
    for (const Json& r : rows) errors = errors || !r["error"].is_null();
    std::vector<std::string> headers = {"Sync ID", "Timestamp", "Mode", "Cloud→L", "Local→C", "Conflicts", "Status"};
    if (errors) headers.push_back("Error");
    TablePrinter table(headers);
    for (const Json& r : rows) {
        std::vector<std::string> row = {cell(r["sync_id"]), short_time(r["started_at"]), cell(r["mode"]),
                                        cell(field(r, "cloud_to_local")), cell(field(r, "local_to_cloud")),
                                        cell(field(r, "conflicts")), cell(r["status"])};
        if (errors) row.push_back(error_text(r));
        table.add_row(row);
    }
    table.print();
}

int history(Context& ctx, const SyncOptions& o) {
    SqlCall call("berqenas.sync_history");
    call.arg("name", o.name).arg("lim", std::to_string(o.limit), "integer");
    Json rows = rows_to_json(ctx.rows(call));
    if (ctx.json) {
        print_json(rows);
        return exit_ok;
    }
    if (rows.empty()) {
        fmt::print("no syncs of \"{}\" yet\n", o.name);
        return exit_ok;
    }
    bool two_way = false;
    for (const Json& r : rows) two_way = two_way || r["mode"] == "bidirectional";
    if (two_way) {
        print_two_way_history(rows);
        return exit_ok;
    }
    TablePrinter table({"sync id", "mode", "status", "started at", "seconds", "records", "bytes", "error"});
    for (const Json& r : rows) {
        table.add_row({cell(r["sync_id"]), cell(r["mode"]), cell(r["status"]), short_time(r["started_at"]),
                       cell(r["duration_seconds"]), cell(r["records_synced"]), cell(r["bytes"]), error_text(r)});
    }
    table.print();
    return exit_ok;
}

int logs(Context& ctx, const SyncOptions& o) {
    SqlCall call("berqenas.sync_logs");
    call.arg("name", o.name).arg("tail", std::to_string(o.tail), "integer").arg("level", o.level);
    Json rows = rows_to_json(ctx.rows(call));
    if (ctx.json) {
        print_json(rows);
        return exit_ok;
    }
    for (const Json& r : rows) {
        std::string table = r["table_name"].is_null() ? "" : cell(r["table_name"]) + ": ";
        fmt::print("{} {:<7} {} {}{}\n", short_time(r["at"]), cell(r["severity"]), cell(r["sync_id"]), table,
                   cell(r["message"]));
    }
    return exit_ok;
}

// Exit 3 when the remote and local tables differ.
int verify(Context& ctx, const SyncOptions& o) {
    SqlCall call("berqenas.verify");
    call.arg("name", o.name);
    if (o.tables_opt->count() > 0) call.text_array("tables", o.tables);
    Json result = scalar_json(ctx.scalar(call, "verify"));
    bool match = field(result, "match") == true;
    if (ctx.json) {
        print_json(result);
        return match ? exit_ok : exit_check_failed;
    }
    TablePrinter table({"table", "match", "remote rows", "local rows", "remote checksum", "local checksum"});
    for_each_table(field(result, "tables"), [&](const std::string& name, const Json& t) {
        table.add_row({name, cell(field(t, "match")), cell(field(t, "remote_rows")), cell(field(t, "local_rows")),
                       cell(field(t, "remote_checksum")), cell(field(t, "local_checksum"))});
    });
    if (!table.empty()) table.print();
    for_each_table(field(result, "tables"), [&](const std::string& name, const Json& t) {
        Json keys = field(t, "differing_keys");
        if (!keys.is_array() || keys.empty()) return;
        fmt::print("{}: rows that differ{}\n", name, field(t, "differing_keys_truncated") == true ? " (first ones)" : "");
        for (const Json& k : keys) fmt::print("  {} {}\n", field(k, "key").dump(), cell(field(k, "issue")));
    });
    fmt::print("{}: {}\n", o.name, match ? "remote and local tables match" : "remote and local tables differ");
    return match ? exit_ok : exit_check_failed;
}

int rollback(Context& ctx, const SyncOptions& o) {
    SqlCall call("berqenas.rollback");
    call.arg("sync_id", o.name);
    if (o.include_later) call.arg("include_later", "true", "boolean");
    Json result = scalar_json(ctx.scalar(call, "rollback"));
    if (ctx.json) {
        print_json(result);
        return exit_ok;
    }
    TablePrinter table({"table", "restored", "removed"});
    for_each_table(field(result, "tables"), [&](const std::string& name, const Json& t) {
        table.add_row({name, cell(field(t, "restored")), cell(field(t, "removed"))});
    });
    if (!table.empty()) table.print();
    std::string rolled;
    for (const Json& id : field(result, "rolled_back")) rolled += (rolled.empty() ? "" : ", ") + cell(id);
    fmt::print("rolled back: {} ({} row(s))\n", rolled.empty() ? "-" : rolled, cell(field(result, "total_rows")));
    return exit_ok;
}

int schedule(Context& ctx, const SyncOptions& o) {
    SqlCall call("berqenas.schedule_sync");
    call.arg("name", o.name).arg("cron", o.cron);
    Json result = scalar_json(ctx.scalar(call, "job_id"));
    if (ctx.json) {
        print_json(Json{{"name", o.name}, {"cron", o.cron}, {"job_id", result}});
        return exit_ok;
    }
    fmt::print("{}: scheduled \"{}\" as pg_cron job {}\n", o.name, o.cron, cell(result));
    return exit_ok;
}

int unschedule(Context& ctx, const SyncOptions& o) {
    SqlCall call("berqenas.unschedule_sync");
    call.arg("name", o.name);
    Json removed = scalar_json(ctx.scalar(call, "removed"));
    if (ctx.json) {
        print_json(Json{{"name", o.name}, {"removed", removed}});
        return exit_ok;
    }
    fmt::print("{}: {}\n", o.name, removed == true ? "schedule removed" : "had no schedule");
    return exit_ok;
}

int progress(Context& ctx) {
    Json rows = rows_to_json(ctx.run("SELECT * FROM berqenas.sync_progress ORDER BY started_at"));
    if (ctx.json) {
        print_json(rows);
        return exit_ok;
    }
    if (rows.empty()) {
        fmt::print("no sync is running\n");
        return exit_ok;
    }
    TablePrinter table({"remote database", "sync id", "mode", "phase", "table", "tables", "rows", "expected", "pid"});
    for (const Json& r : rows) {
        table.add_row({cell(r["remote_database"]), cell(r["sync_id"]), cell(r["mode"]), cell(r["phase"]),
                       cell(r["table_name"]), cell(r["tables_done"]) + "/" + cell(r["tables_total"]),
                       cell(r["rows_done"]), cell(r["rows_expected"]), cell(r["pid"])});
    }
    table.print();
    return exit_ok;
}

int prune_journal(Context& ctx) {
    Json result = scalar_json(ctx.scalar(SqlCall("berqenas.prune_journal"), "prune_journal"));
    if (ctx.json) {
        print_json(result);
        return exit_ok;
    }
    fmt::print("pruned {} journal row(s) of {} run(s) (berqenas.journal_retention: {})\n", cell(field(result, "journal_rows")),
               cell(field(result, "pruned_runs")), cell(field(result, "retention")));
    return exit_ok;
}

OptionsPtr named(CLI::App* cmd, const char* what = "registered remote database name") {
    auto o = std::make_shared<SyncOptions>();
    cmd->add_option("name", o->name, what)->required();
    return o;
}

void tables_option(CLI::App* cmd, SyncOptions& o, const char* what) {
    o.tables_opt = cmd->add_option("--tables", o.tables, what)->delimiter(',');
}

}  // namespace

void add_sync_commands(CLI::App* sync, Context& ctx) {
    add_register_command(sync, ctx);
    add_update_command(sync, ctx);
    add_test_command(sync, ctx, "test-connection");

    CLI::App* cmd = sync->add_subcommand("configure", "how a remote database is synced (berqenas.configure_sync)");
    auto cfg = named(cmd);
    cfg->mode_opt = cmd->add_option("--mode", cfg->mode,
                                    "full, incremental, realtime or bidirectional (SQL default: full; "
                                    "bidirectional when only --strategy is given)")
                        ->check(CLI::IsMember({"full", "incremental", "realtime", "bidirectional"}));
    tables_option(cmd, *cfg, "tables to sync, comma-separated (default: every table of the schema)");
    cfg->timestamp_opt = cmd->add_option("--timestamp-column", cfg->timestamp_column,
                                         "column incremental syncs follow (SQL default: updated_at)");
    cfg->target_schema_opt = cmd->add_option("--target-schema", cfg->target_schema, "local schema (default: remote_NAME)");
    cfg->method_opt = cmd->add_option("--method", cfg->method, "realtime capture method (SQL default: trigger)");
    cfg->strategy_opt = cmd->add_option("--strategy", cfg->strategy,
                                        "two-way conflict strategy: latest_wins, cloud_wins, local_wins or manual "
                                        "(default: the configured one, first latest_wins)")
                            ->check(CLI::IsMember({"latest_wins", "cloud_wins", "local_wins", "manual"}));
    cmd->footer("Options left out take the SQL defaults, not the previous configuration.");
    on_chosen(cmd, ctx, [&ctx, cfg] { return configure(ctx, *cfg); });

    cmd = sync->add_subcommand("run", "sync now (berqenas.sync)");
    auto now = named(cmd);
    tables_option(cmd, *now, "only these tables, comma-separated");
    cmd->add_flag("--full", now->full, "reload every table in full (also removes rows deleted on the remote)");
    on_chosen(cmd, ctx, [&ctx, now] { return run(ctx, *now); });

    cmd = sync->add_subcommand("status", "mode, last sync, schedule and tables (berqenas.sync_status)");
    auto st = named(cmd);
    on_chosen(cmd, ctx, [&ctx, st] { return status(ctx, *st); });

    cmd = sync->add_subcommand("history", "past syncs, newest first (berqenas.sync_history)");
    auto hist = named(cmd);
    cmd->add_option("--limit", hist->limit, "how many (default 10)")->check(whole_number(0));
    on_chosen(cmd, ctx, [&ctx, hist] { return history(ctx, *hist); });

    cmd = sync->add_subcommand("logs", "sync log lines (berqenas.sync_logs)");
    auto lg = named(cmd);
    lg->level = "info";
    cmd->add_option("--tail", lg->tail, "the last N lines (default 100)")->check(whole_number(0));
    cmd->add_option("--level", lg->level, "debug, info, warning or error and above (default info)")
        ->check(CLI::IsMember({"debug", "info", "warning", "error"}));
    on_chosen(cmd, ctx, [&ctx, lg] { return logs(ctx, *lg); });

    cmd = sync->add_subcommand("verify", "compare remote and local tables (berqenas.verify); exit 3 if they differ");
    auto ver = named(cmd);
    tables_option(cmd, *ver, "only these tables, comma-separated");
    on_chosen(cmd, ctx, [&ctx, ver] { return verify(ctx, *ver); });

    cmd = sync->add_subcommand("rollback", "undo one sync (berqenas.rollback)");
    auto rb = named(cmd, "sync id, as in `berqenas sync history`");
    cmd->add_flag("--include-later", rb->include_later, "also roll back later syncs that changed the same rows");
    on_chosen(cmd, ctx, [&ctx, rb] { return rollback(ctx, *rb); });

    cmd = sync->add_subcommand("schedule", "sync on a pg_cron schedule (berqenas.schedule_sync)");
    auto sch = named(cmd);
    cmd->add_option("--cron", sch->cron, "cron expression, e.g. \"0 * * * *\" (at most every 5 minutes)")->required();
    on_chosen(cmd, ctx, [&ctx, sch] { return schedule(ctx, *sch); });

    cmd = sync->add_subcommand("unschedule", "remove the schedule (berqenas.unschedule_sync)");
    auto uns = named(cmd);
    on_chosen(cmd, ctx, [&ctx, uns] { return unschedule(ctx, *uns); });

    cmd = sync->add_subcommand("progress", "syncs running now, from any session (berqenas.sync_progress)");
    on_chosen(cmd, ctx, [&ctx] { return progress(ctx); });

    add_bidirectional_commands(sync, ctx);

    cmd = sync->add_subcommand("prune-journal", "drop rollback journals past berqenas.journal_retention now (berqenas.prune_journal)");
    on_chosen(cmd, ctx, [&ctx] { return prune_journal(ctx); });
}

}  // namespace berqenas::cli
