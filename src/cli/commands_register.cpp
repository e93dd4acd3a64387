// `berqenas sync register` (also `db register`): berqenas.register_remote_database. The password
// comes from --password, --password-stdin or a no-echo prompt, travels only sealed for the
// server's key (berqenas.sealing_key) and is never printed.
#include "context.hpp"
#include "exit_codes.hpp"
#include "json_output.hpp"
#include "number_option.hpp"
#include "password_input.hpp"

#include <algorithm>

#include "common/hex.hpp"
#include "crypto/sealing_key.hpp"

#include <fmt/core.h>

#include <optional>

namespace berqenas::cli {
namespace {

struct RegisterOptions {
    std::string name, type, host, database, username, password, schema, wg_ip, tenant, options;
    int port = 0;
    bool password_stdin = false;
    CLI::Option* password_opt = nullptr;
    CLI::Option* host_opt = nullptr;
    CLI::Option* port_opt = nullptr;
    CLI::Option* schema_opt = nullptr;
    CLI::Option* wg_ip_opt = nullptr;
    CLI::Option* tenant_opt = nullptr;
    CLI::Option* options_opt = nullptr;
};

int register_database(Context& ctx, const RegisterOptions& o) {
    // Without --host the WireGuard address is the host, as in the product docs' example.
    std::string host = o.host_opt->count() > 0 ? o.host : o.wg_ip;
    if (host.empty()) throw UsageError("--host is required (or --wg-ip, which then serves as the host)");
    int port = o.port_opt->count() > 0 ? o.port : (o.type == "mssql" ? 1433 : 5432);
    std::string password;
    if (o.password_stdin) {
        password = read_password_from_stdin();
    } else if (o.password_opt->count() > 0) {
        password = o.password;
    } else {
        password = read_password_interactively(fmt::format("Password for {} on {}: ", o.username, o.name));
    }

    // The password travels only inside a sealed box for the server's key: never as SQL text or
    // a parameter the server could log (log_statement, log_min_error_statement).
    QueryResult key = ctx.scalar(SqlCall("berqenas.sealing_key"), "key");
    std::string box = crypto::seal_for(from_hex(key.scalar().value_or("")), password);
    std::fill(password.begin(), password.end(), '\0');
    SqlCall call("berqenas.register_remote_database");
    call.arg("name", o.name)
        .arg("database_type", o.type)
        .arg("host", host)
        .arg("port", std::to_string(port), "integer")
        .arg("database_name", o.database)
        .arg("username", o.username)
        .arg("password", std::nullopt)
        .arg("password_sealed", "\\x" + to_hex(box), "bytea");
    if (o.schema_opt->count() > 0) call.arg("schema", o.schema);
    if (o.wg_ip_opt->count() > 0) call.arg("wireguard_ip", o.wg_ip, "inet");
    if (o.tenant_opt->count() > 0) call.arg("tenant", o.tenant);
    if (o.options_opt->count() > 0) call.arg("options", o.options, "jsonb");
    QueryResult result = ctx.scalar(call, "id");
    if (ctx.json) {
        print_json(row_to_json(result, 0));
    } else {
        fmt::print("registered remote database \"{}\" (id {}): {} {}:{}/{}\n", o.name, result.scalar().value_or("?"),
                   o.type, host, port, o.database);
    }
    return exit_ok;
}

}  // namespace

void add_register_command(CLI::App* group, Context& ctx) {
    auto o = std::make_shared<RegisterOptions>();
    CLI::App* cmd = group->add_subcommand("register", "register a remote database (berqenas.register_remote_database)");
    cmd->add_option("--name", o->name, "name to refer to it by: letters, digits, _")->required();
    cmd->add_option("--type", o->type, "mssql or postgresql")->required()->check(CLI::IsMember({"mssql", "postgresql"}));
    o->host_opt = cmd->add_option("--host", o->host, "host name or address (default: --wg-ip)");
    o->port_opt = cmd->add_option("--port", o->port, "port (default: 1433 for mssql, 5432 for postgresql)")
                      ->check(whole_number(1, 65535));
    cmd->add_option("--database", o->database, "database name on the remote server")->required();
    cmd->add_option("--username", o->username, "login on the remote server")->required();
    o->password_opt = cmd->add_option("--password", o->password,
                                      "password (visible to other local users in ps; prefer --password-stdin)");
    CLI::Option* from_stdin =
        cmd->add_flag("--password-stdin", o->password_stdin, "read the password from the first line of standard input");
    from_stdin->excludes(o->password_opt);
    o->schema_opt = cmd->add_option("--schema", o->schema, "remote schema to sync (default: the remote's default)");
    o->wg_ip_opt = cmd->add_option("--wg-ip", o->wg_ip, "the peer's WireGuard tunnel address");
    o->tenant_opt = cmd->add_option("--tenant", o->tenant, "an existing tenant (berqenas tenant create)");
    o->options_opt = cmd->add_option("--options", o->options, "a JSON object of extra options");
    cmd->footer("Without --password or --password-stdin, the password is asked for on the terminal (no echo),\n"
                "or read from standard input when that is not a terminal.");
    on_chosen(cmd, ctx, [&ctx, o] { return register_database(ctx, *o); });
}

}  // namespace berqenas::cli
