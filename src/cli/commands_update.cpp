// `berqenas sync update NAME` (also `db update`): berqenas.alter_remote_database. Only the options
// given change; a new password (--password, --password-stdin or --ask-password) travels only
// sealed for the server's key, as in register.
#include "context.hpp"
#include "exit_codes.hpp"
#include "json_output.hpp"
#include "number_option.hpp"
#include "password_input.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "common/hex.hpp"
#include "crypto/sealing_key.hpp"

namespace berqenas::cli {

namespace {

struct UpdateOptions {
    std::string name, host, database, username, password, schema, wg_ip, options;
    int port = 0;
    bool password_stdin = false, ask_password = false;
    CLI::Option *host_opt = nullptr, *port_opt = nullptr, *database_opt = nullptr, *username_opt = nullptr,
                *password_opt = nullptr, *schema_opt = nullptr, *wg_ip_opt = nullptr, *options_opt = nullptr;
};

int update_database(Context& ctx, const UpdateOptions& o) {
    SqlCall call("berqenas.alter_remote_database");
    call.arg("name", o.name);
    if (o.host_opt->count() > 0) call.arg("host", o.host);
    if (o.port_opt->count() > 0) call.arg("port", std::to_string(o.port), "integer");
    if (o.database_opt->count() > 0) call.arg("database_name", o.database);
    if (o.username_opt->count() > 0) call.arg("username", o.username);
    if (o.schema_opt->count() > 0) call.arg("schema", o.schema);
    if (o.wg_ip_opt->count() > 0) call.arg("wireguard_ip", o.wg_ip, "inet");
    if (o.options_opt->count() > 0) call.arg("options", o.options, "jsonb");
    std::string password;
    bool new_password = true;
    if (o.password_stdin)
        password = read_password_from_stdin();
    else if (o.password_opt->count() > 0)
        password = o.password;
    else if (o.ask_password)
        password = read_password_interactively(fmt::format("New password for {}: ", o.name));
    else
        new_password = false;
    if (new_password) {
        QueryResult key = ctx.scalar(SqlCall("berqenas.sealing_key"), "key");
        std::string box = crypto::seal_for(from_hex(key.scalar().value_or("")), password);
        std::fill(password.begin(), password.end(), '\0');
        call.arg("password_sealed", "\\x" + to_hex(box), "bytea");
    }
    QueryResult result = ctx.scalar(call, "changed");
    std::string changed = result.scalar().value_or("{}");
    if (ctx.json) {
        print_json(row_to_json(result, 0));
    } else if (changed == "{}") {
        fmt::print("remote database \"{}\": nothing changed (the values given were already set)\n", o.name);
    } else {
        fmt::print("remote database \"{}\" updated: {}\n", o.name, changed.substr(1, changed.size() - 2));
    }
    return exit_ok;
}

}  // namespace

void add_update_command(CLI::App* group, Context& ctx) {
    auto o = std::make_shared<UpdateOptions>();
    CLI::App* cmd = group->add_subcommand("update", "change a registration in place (berqenas.alter_remote_database)");
    cmd->add_option("name", o->name, "the registered database")->required();
    o->host_opt = cmd->add_option("--host", o->host, "new host name or address");
    o->port_opt = cmd->add_option("--port", o->port, "new port")->check(whole_number(1, 65535));
    o->database_opt = cmd->add_option("--database", o->database, "new database name on the remote server");
    o->username_opt = cmd->add_option("--username", o->username, "new login on the remote server");
    o->password_opt = cmd->add_option("--password", o->password,
                                      "new password (visible to other local users in ps; prefer --password-stdin)");
    CLI::Option* from_stdin =
        cmd->add_flag("--password-stdin", o->password_stdin, "read the new password from the first line of standard input");
    CLI::Option* ask = cmd->add_flag("--ask-password", o->ask_password, "ask for the new password on the terminal (no echo)");
    from_stdin->excludes(o->password_opt)->excludes(ask);
    ask->excludes(o->password_opt);
    o->schema_opt = cmd->add_option("--schema", o->schema, "new remote schema (only before the first sync)");
    o->wg_ip_opt = cmd->add_option("--wg-ip", o->wg_ip, "new WireGuard tunnel address");
    o->options_opt = cmd->add_option("--options", o->options, "a JSON object of extra options (replaces them)");
    cmd->footer("Options not given keep their values. Syncs, history and schedules stay.");
    on_chosen(cmd, ctx, [&ctx, o] { return update_database(ctx, *o); });
}

}  // namespace berqenas::cli
