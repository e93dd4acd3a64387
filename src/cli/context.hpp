// What every command shares: the global options (--dsn, --json), the connection (opened on first
// use) and the action the parsed command line chose, run after parsing so errors leave CLI11 alone.
#pragma once

#include "connection.hpp"
#include "sql_call.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>

namespace berqenas::cli {

class Context {
public:
    std::string dsn;
    bool json = false;
    std::function<int()> action;

    QueryResult run(const std::string& sql, const std::vector<Param>& params = {});
    QueryResult scalar(const SqlCall& call, std::string_view alias) { return run(call.scalar_sql(alias), call.params()); }
    QueryResult rows(const SqlCall& call) { return run(call.rows_sql(), call.params()); }

private:
    std::unique_ptr<Connection> connection_;
};

// When `command` is chosen, remember `body` as the action to run.
void on_chosen(CLI::App* command, Context& ctx, std::function<int()> body);

// Commands per area; each adds its subcommands to the group it is given.
void add_tenant_commands(CLI::App* tenant, Context& ctx);
void add_db_commands(CLI::App* db, Context& ctx);
void add_register_command(CLI::App* group, Context& ctx);
void add_update_command(CLI::App* group, Context& ctx);
void add_test_command(CLI::App* group, Context& ctx, const std::string& name);
void add_sync_commands(CLI::App* sync, Context& ctx);
void add_bidirectional_commands(CLI::App* sync, Context& ctx);
void add_secrets_commands(CLI::App* secrets, Context& ctx);

}  // namespace berqenas::cli
