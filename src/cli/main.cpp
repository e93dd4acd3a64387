// The `berqenas` command line: parses arguments (CLI11), runs the one SQL call the command stands
// for on the cloud PostgreSQL, prints a table or --json. Exit codes: see exit_codes.hpp.
#include "context.hpp"
#include "exit_codes.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdio>
#include <exception>
#include <string>

namespace {

using namespace berqenas::cli;

void print_server_error(const ServerError& e) {
    fmt::print(stderr, "berqenas: ERROR {}: {}\n", e.sqlstate, e.what());
    if (!e.detail.empty()) fmt::print(stderr, "DETAIL:  {}\n", e.detail);
    if (!e.hint.empty()) {
        fmt::print(stderr, "HINT:  {}\n", e.hint);
    } else if (e.sqlstate == "3F000" || e.sqlstate == "42883" ||
               (e.sqlstate == "42P01" && std::string(e.what()).find("\"berqenas.") != std::string::npos)) {
        // No berqenas schema or function here: most often the wrong database or no extension.
        fmt::print(stderr, "HINT:  is the berqenas extension installed in this database? (CREATE EXTENSION berqenas)\n");
    }
}

}  // namespace

int main(int argc, char** argv) {
    Context ctx;
    CLI::App app{"Berqenas: register on-premise MSSQL/PostgreSQL databases and sync them into this cloud PostgreSQL.\n"
                 "Every command is one SQL call of the berqenas extension.",
                 "berqenas"};
    app.set_version_flag("--version", "berqenas 0.1.0");
    app.add_option("-d,--dsn", ctx.dsn,
                   "cloud PostgreSQL to connect to: conninfo or URI (default: PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD)");
    app.add_flag("--json", ctx.json, "print the raw result as JSON instead of tables");
    app.footer("Exit codes: 0 done, 1 error from the server or the connection, 2 bad usage,\n"
               "3 a check answered no (db test could not connect, sync verify found differences).");
    // Global options may also follow the subcommand: `berqenas sync status erp --json`.
    app.fallthrough();
    app.require_subcommand(1);

    add_tenant_commands(app.add_subcommand("tenant", "tenants")->require_subcommand(1), ctx);
    add_db_commands(app.add_subcommand("db", "registered remote databases")->require_subcommand(1), ctx);
    add_register_command(app.get_subcommand("db"), ctx);
    add_update_command(app.get_subcommand("db"), ctx);
    add_sync_commands(app.add_subcommand("sync", "registering, syncing and monitoring")->require_subcommand(1), ctx);
    add_secrets_commands(app.add_subcommand("secrets", "the key that seals stored passwords")->require_subcommand(1), ctx);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? exit_ok : exit_usage;
    }
    try {
        return ctx.action ? ctx.action() : exit_usage;
    } catch (const ServerError& e) {
        print_server_error(e);
        return exit_error;
    } catch (const UsageError& e) {
        fmt::print(stderr, "berqenas: {}\n", e.what());
        return exit_usage;
    } catch (const std::exception& e) {
        fmt::print(stderr, "berqenas: {}\n", e.what());
        return exit_error;
    }
}
