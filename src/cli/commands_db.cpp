// `berqenas db list|test|status|unregister`: the registry of remote databases
// (berqenas.remote_databases, test_connection, remote_db_status, unregister_remote_database).
#include "context.hpp"
#include "details_printer.hpp"
#include "exit_codes.hpp"
#include "formatting.hpp"
#include "json_output.hpp"
#include "table_printer.hpp"

#include <fmt/core.h>

namespace berqenas::cli {
namespace {

struct NameOptions {
    std::string name;
    bool cascade = false;
    bool drop_data = false;
};

int list_databases(Context& ctx) {
    QueryResult result = ctx.run(
        "SELECT name, database_type, host, port, database_name, username, schema, wireguard_ip, tenant, "
        "created_at, last_test_at, last_test_ok, last_test_latency_ms, last_test_error "
        "FROM berqenas.remote_databases ORDER BY name");
    Json rows = rows_to_json(result);
    if (ctx.json) {
        print_json(rows);
        return exit_ok;
    }
    if (rows.empty()) {
        fmt::print("no remote databases registered (register one with: berqenas sync register --help)\n");
        return exit_ok;
    }
    TablePrinter table({"name", "type", "host", "port", "database", "schema", "tenant", "last test", "latency ms"});
    for (const Json& r : rows) {
        std::string test = r["last_test_at"].is_null() ? "never"
                           : r["last_test_ok"] == true ? "ok " + short_time(r["last_test_at"])
                                                       : "failed " + short_time(r["last_test_at"]);
        std::string latency = r["last_test_latency_ms"].is_number()
                                  ? fmt::format("{:.1f}", r["last_test_latency_ms"].get<double>())
                                  : "-";
        table.add_row({cell(r["name"]), cell(r["database_type"]), cell(r["host"]), cell(r["port"]),
                       cell(r["database_name"]), cell(r["schema"]), cell(r["tenant"]), test, latency});
    }
    table.print();
    return exit_ok;
}

// Exit 3 when the remote could not be reached: the server answered, the check said no.
int test_connection(Context& ctx, const NameOptions& o) {
    SqlCall call("berqenas.test_connection");
    call.arg("name", o.name);
    Json probe = scalar_json(ctx.scalar(call, "test_connection"));
    bool ok = probe.is_object() && probe.value("ok", false);
    if (ctx.json) {
        print_json(probe);
    } else if (ok) {
        std::string latency = probe["latency_ms"].is_number() ? fmt::format("{:.1f} ms", probe["latency_ms"].get<double>())
                                                              : "?";
        fmt::print("{}: ok ({}) {}\n", o.name, latency, probe.is_object() ? cell(probe.value("server_version", Json())) : "");
    } else {
        fmt::print("{}: cannot connect ({}): {}\n", o.name, cell(probe.value("sqlstate", Json())),
                   cell(probe.value("error", Json())));
        if (probe.contains("detail") && !probe["detail"].is_null()) fmt::print("  detail: {}\n", cell(probe["detail"]));
    }
    return ok ? exit_ok : exit_check_failed;
}

int database_status(Context& ctx, const NameOptions& o) {
    SqlCall call("berqenas.remote_db_status");
    call.arg("name", o.name);
    Json status = scalar_json(ctx.scalar(call, "remote_db_status"));
    if (ctx.json) {
        print_json(status);
    } else {
        print_details(status);
    }
    return exit_ok;
}

int unregister(Context& ctx, const NameOptions& o) {
    SqlCall call("berqenas.unregister_remote_database");
    call.arg("name", o.name);
    if (o.cascade) call.arg("cascade", "true", "boolean");
    if (o.drop_data) call.arg("drop_data", "true", "boolean");
    ctx.scalar(call, "unregistered");
    if (ctx.json) {
        print_json(Json{{"name", o.name}, {"unregistered", true}, {"cascade", o.cascade}, {"drop_data", o.drop_data}});
    } else {
        fmt::print("remote database \"{}\" unregistered\n", o.name);
    }
    return exit_ok;
}

std::shared_ptr<NameOptions> named_command(CLI::App* cmd) {
    auto options = std::make_shared<NameOptions>();
    cmd->add_option("name", options->name, "registered remote database name")->required();
    return options;
}

}  // namespace

void add_test_command(CLI::App* group, Context& ctx, const std::string& name) {
    CLI::App* cmd = group->add_subcommand(name, "connect to a remote database now (berqenas.test_connection); exit 3 if it fails");
    auto o = named_command(cmd);
    on_chosen(cmd, ctx, [&ctx, o] { return test_connection(ctx, *o); });
}

void add_db_commands(CLI::App* db, Context& ctx) {
    CLI::App* cmd = db->add_subcommand("list", "list registered remote databases (berqenas.remote_databases)");
    on_chosen(cmd, ctx, [&ctx] { return list_databases(ctx); });

    add_test_command(db, ctx, "test");

    cmd = db->add_subcommand("status", "registration, reachability and last sync (berqenas.remote_db_status)");
    auto status = named_command(cmd);
    on_chosen(cmd, ctx, [&ctx, status] { return database_status(ctx, *status); });

    cmd = db->add_subcommand("unregister", "remove a registration (berqenas.unregister_remote_database)");
    auto gone = named_command(cmd);
    cmd->add_flag("--cascade", gone->cascade, "also drop what depends on it (foreign servers, schedules)");
    cmd->add_flag("--drop-data", gone->drop_data, "also drop the synced tables (and Berqenas's schema for them)");
    on_chosen(cmd, ctx, [&ctx, gone] { return unregister(ctx, *gone); });
}

}  // namespace berqenas::cli
