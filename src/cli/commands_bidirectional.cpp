// `berqenas sync bidirectional|conflicts|resolve`: the two-way sync API of sql/install/50_bidirectional.sql,
// one SQL call per command, drawn as the product docs draw them (or --json).
#include "context.hpp"
#include "exit_codes.hpp"
#include "formatting.hpp"
#include "json_output.hpp"
#include "number_option.hpp"
#include "table_printer.hpp"
#include "two_way_run_printer.hpp"

#include <fmt/core.h>

#include <cctype>
#include <limits>

namespace berqenas::cli {
namespace {

struct BidirectionalOptions {
    std::string name;
    std::string strategy, date, winner, table;
    std::vector<std::string> tables;
    long long conflict_id = 0;
    bool dry_run = false;
    bool verbose = false;
    bool analyze = false;
    CLI::Option* strategy_opt = nullptr;
    CLI::Option* tables_opt = nullptr;
    CLI::Option* date_opt = nullptr;
    CLI::Option* id_opt = nullptr;
    CLI::Option* all_opt = nullptr;
    CLI::Option* table_opt = nullptr;
};

using OptionsPtr = std::shared_ptr<BidirectionalOptions>;

const std::vector<std::string>& strategies() {
    static const std::vector<std::string> names = {"latest_wins", "cloud_wins", "local_wins", "manual"};
    return names;
}

long long number(const Json& value) { return value.is_number_integer() ? value.get<long long>() : 0; }

int bidirectional(Context& ctx, const BidirectionalOptions& o) {
    SqlCall call("berqenas.bidirectional_sync");
    call.arg("name", o.name);
    if (o.tables_opt->count() > 0) call.text_array("tables", o.tables);
    if (o.strategy_opt->count() > 0) call.arg("conflict_strategy", o.strategy);
    if (o.dry_run) call.arg("dry_run", "true", "boolean");
    Json result = scalar_json(ctx.scalar(call, "bidirectional_sync"));
    if (ctx.json) {
        print_json(result);
        return exit_ok;
    }
    print_two_way_run(result, o.verbose);
    return exit_ok;
}

// {"customer_id": 123, "region": "eu"} → "customer_id=123,region=eu".
std::string key_text(const Json& key) {
    if (!key.is_object()) return cell(key);
    std::string out;
    for (const auto& [column, value] : key.items()) out += (out.empty() ? "" : ",") + column + "=" + cell(value);
    return out;
}

// "latest_wins" → "latest", as the docs' conflict log shows it.
std::string strategy_text(const Json& strategy) {
    std::string s = cell(strategy);
    const std::string suffix = "_wins";
    if (s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0) {
        s.erase(s.size() - suffix.size());
    }
    return s;
}

std::string winner_text(const Json& conflict) {
    if (field(conflict, "status") == "open") return "open";
    std::string w = cell(field(conflict, "winner"));
    if (w == "cloud") return "Cloud";
    if (w == "local") return "Local";
    return w;
}

// "today" or YYYY-MM-DD, checked here so a typo is bad usage rather than a server error.
std::string check_date(const std::string& text) {
    if (text == "today") return {};
    bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-';
    for (size_t i = 0; shaped && i < text.size(); ++i) {
        if (i != 4 && i != 7 && !std::isdigit(static_cast<unsigned char>(text[i]))) shaped = false;
    }
    return shaped ? std::string() : fmt::format("must be today or a date as YYYY-MM-DD, not '{}'", text);
}

void print_counts(const char* what, const Json& counts) {
    TablePrinter table({what, "Conflicts"});
    if (counts.is_object()) {
        for (const auto& [name, n] : counts.items()) table.add_row({name, cell(n)});
    }
    if (!table.empty()) table.print();
}

int analyze(Context& ctx, const BidirectionalOptions& o) {
    SqlCall call("berqenas.analyze_conflicts");
    call.arg("name", o.name);
    Json result = scalar_json(ctx.scalar(call, "analyze_conflicts"));
    if (ctx.json) {
        print_json(result);
        return exit_ok;
    }
    fmt::print("Conflicts of {}: {}\n", o.name,
               conflicts_text(number(field(result, "total")), number(field(result, "open"))));
    fmt::print("won by the cloud: {}, by the local side: {}\n", cell(field(result, "cloud_won")),
               cell(field(result, "local_won")));
    print_counts("Table", field(result, "by_table"));
    print_counts("Column", field(result, "by_column"));
    TablePrinter hot({"Table", "Primary Key", "Conflicts"});
    for (const Json& k : field(result, "hot_keys")) {
        hot.add_row({cell(field(k, "table")), key_text(field(k, "key")), cell(field(k, "conflicts"))});
    }
    if (!hot.empty()) {
        fmt::print("most conflicting keys:\n");
        hot.print();
    }
    Json suggested = field(result, "suggested_strategy");
    if (suggested.is_null()) {
        fmt::print("suggested strategy: - ({})\n", cell(field(result, "why")));
    } else {
        fmt::print("suggested strategy: {} ({})\n", cell(suggested), cell(field(result, "why")));
    }
    return exit_ok;
}

int conflicts(Context& ctx, const BidirectionalOptions& o) {
    if (o.analyze) {
        if (o.date_opt->count() > 0) throw UsageError("--analyze looks at every conflict; it takes no --date");
        return analyze(ctx, o);
    }
    SqlCall call("berqenas.conflicts");
    call.arg("name", o.name);
    if (o.date_opt->count() > 0) call.arg("since", o.date, "timestamptz");
    Json rows = rows_to_json(ctx.rows(call));
    if (ctx.json) {
        print_json(rows);
        return exit_ok;
    }
    long long open = 0;
    for (const Json& r : rows) open += r["status"] == "open" ? 1 : 0;
    const bool today = o.date_opt->count() == 0 || o.date == "today";
    fmt::print("Conflicts {}: {}\n", today ? "Today" : "since " + o.date,
               conflicts_text(static_cast<long long>(rows.size()), open));
    if (rows.empty()) return exit_ok;
    fmt::print("\n");
    TablePrinter table({"ID", "Time", "Table", "Primary Key", "Strategy", "Winner"});
    for (const Json& r : rows) {
        // Today's conflicts by their time of day, as the docs show them; older ones with their date.
        std::string at = short_time(r["detected_at"]);
        if (today && at.size() >= 19) at = at.substr(11, 8);
        table.add_row({cell(r["id"]), at, cell(r["table_name"]), key_text(r["primary_key"]),
                       strategy_text(r["strategy"]), winner_text(r)});
    }
    table.print();
    return exit_ok;
}

int resolve(Context& ctx, const BidirectionalOptions& o) {
    const bool all = o.all_opt->count() > 0;
    if (all == (o.id_opt->count() > 0)) {
        throw UsageError("sync resolve: give a conflict ID, or --all NAME for every open conflict of a database");
    }
    if (!all && o.table_opt->count() > 0) throw UsageError("sync resolve: --table goes with --all NAME");
    if (all) {
        SqlCall call("berqenas.resolve_conflicts");
        call.arg("name", o.name).arg("winner", o.winner);
        if (o.table_opt->count() > 0) call.arg("table_name", o.table);
        Json result = scalar_json(ctx.scalar(call, "resolve_conflicts"));
        if (ctx.json) {
            print_json(result);
            return exit_ok;
        }
        fmt::print("{}: {} open conflict(s) resolved, {} version kept{}\n", o.name, cell(field(result, "resolved")),
                   cell(field(result, "winner")),
                   field(result, "sync_id").is_null() ? "" : " (applied by " + cell(field(result, "sync_id")) + ")");
        return exit_ok;
    }
    SqlCall call("berqenas.resolve_conflict");
    call.arg("conflict_id", std::to_string(o.conflict_id), "bigint").arg("winner", o.winner);
    Json result = scalar_json(ctx.scalar(call, "resolve_conflict"));
    if (ctx.json) {
        print_json(result);
        return exit_ok;
    }
    fmt::print("conflict {} {}: {} version kept (applied by {})\n", cell(field(result, "conflict_id")),
               cell(field(result, "status")), cell(field(result, "winner")), cell(field(result, "sync_id")));
    return exit_ok;
}

}  // namespace

void add_bidirectional_commands(CLI::App* sync, Context& ctx) {
    CLI::App* cmd = sync->add_subcommand("bidirectional", "two-way sync now (berqenas.bidirectional_sync)");
    auto bd = std::make_shared<BidirectionalOptions>();
    cmd->add_option("name", bd->name, "registered remote database name")->required();
    bd->strategy_opt = cmd->add_option("--strategy", bd->strategy,
                                       "conflict strategy of this run: latest_wins, cloud_wins, local_wins or manual "
                                       "(default: the configured one)")
                           ->check(CLI::IsMember(strategies()));
    bd->tables_opt = cmd->add_option("--tables", bd->tables, "only these tables, comma-separated")->delimiter(',');
    cmd->add_flag("--dry-run", bd->dry_run, "what a run would do, conflicts included; nothing is written");
    cmd->add_flag("--verbose", bd->verbose, "also rows read, open conflicts and the clock offset");
    on_chosen(cmd, ctx, [&ctx, bd] { return bidirectional(ctx, *bd); });

    cmd = sync->add_subcommand("conflicts", "two-way sync conflicts, newest first (berqenas.conflicts)");
    auto cf = std::make_shared<BidirectionalOptions>();
    cmd->add_option("name", cf->name, "registered remote database name")->required();
    cf->date_opt = cmd->add_option("--date", cf->date, "since this day: today (default) or YYYY-MM-DD")
                       ->check(CLI::Validator(check_date, "today|YYYY-MM-DD"));
    cmd->add_flag("--analyze", cf->analyze, "where all conflicts come from, and a strategy (berqenas.analyze_conflicts)");
    on_chosen(cmd, ctx, [&ctx, cf] { return conflicts(ctx, *cf); });

    cmd = sync->add_subcommand("resolve", "choose the version an open conflict keeps (berqenas.resolve_conflict)");
    auto rs = std::make_shared<BidirectionalOptions>();
    rs->id_opt = cmd->add_option("id", rs->conflict_id, "conflict ID, as in `berqenas sync conflicts`")
                     ->check(whole_number(1, std::numeric_limits<long long>::max()));
    rs->all_opt = cmd->add_option("--all", rs->name,
                                  "every open conflict of this remote database instead (berqenas.resolve_conflicts)");
    rs->table_opt = cmd->add_option("--table", rs->table, "with --all: only this table's conflicts");
    cmd->add_option("--winner", rs->winner, "cloud or local: that side's current version goes to the other")
        ->required()
        ->check(CLI::IsMember({"cloud", "local"}));
    on_chosen(cmd, ctx, [&ctx, rs] { return resolve(ctx, *rs); });
}

}  // namespace berqenas::cli
