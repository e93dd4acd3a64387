// `berqenas tenant create|list|grant|revoke`: berqenas.create_tenant, the berqenas.tenants table,
// and tenant-scoped roles (berqenas.grant_tenant / revoke_tenant).
#include "context.hpp"
#include "exit_codes.hpp"
#include "formatting.hpp"
#include "json_output.hpp"
#include "table_printer.hpp"

#include <fmt/core.h>

namespace berqenas::cli {
namespace {

struct CreateOptions {
    std::string name;
    bool vpn = false;
};

int create_tenant(Context& ctx, const CreateOptions& o) {
    SqlCall call("berqenas.create_tenant");
    call.arg("name", o.name).arg("vpn_enabled", o.vpn ? "true" : "false", "boolean");
    QueryResult result = ctx.scalar(call, "id");
    if (ctx.json) {
        print_json(row_to_json(result, 0));
    } else {
        fmt::print("tenant \"{}\" created (id {}{})\n", o.name, result.scalar().value_or("?"),
                   o.vpn ? ", VPN enabled" : "");
    }
    return exit_ok;
}

int list_tenants(Context& ctx) {
    QueryResult result = ctx.run("SELECT t.id, t.name, t.vpn_enabled, t.created_at, "
                                 "(SELECT count(*) FROM berqenas.remote_databases r WHERE r.tenant = t.name) AS remote_databases "
                                 "FROM berqenas.tenants t ORDER BY t.name");
    Json rows = rows_to_json(result);
    if (ctx.json) {
        print_json(rows);
        return exit_ok;
    }
    if (rows.empty()) {
        fmt::print("no tenants (create one with: berqenas tenant create --name NAME)\n");
        return exit_ok;
    }
    TablePrinter table({"name", "id", "vpn", "remote databases", "created at"});
    for (const Json& r : rows) {
        table.add_row({cell(r["name"]), cell(r["id"]), cell(r["vpn_enabled"]), cell(r["remote_databases"]),
                       short_time(r["created_at"])});
    }
    table.print();
    return exit_ok;
}

struct RoleOptions {
    std::string tenant, role;
};

int grant_tenant(Context& ctx, const RoleOptions& o) {
    SqlCall call("berqenas.grant_tenant");
    call.arg("role", o.role, "regrole").arg("tenant", o.tenant);
    ctx.scalar(call, "granted");
    if (ctx.json)
        print_json(Json{{"tenant", o.tenant}, {"role", o.role}, {"granted", true}});
    else
        fmt::print("role \"{}\" now acts for tenant \"{}\" (and only for it)\n", o.role, o.tenant);
    return exit_ok;
}

int revoke_tenant(Context& ctx, const RoleOptions& o) {
    SqlCall call("berqenas.revoke_tenant");
    call.arg("role", o.role, "regrole").arg("tenant", o.tenant);
    bool revoked = ctx.scalar(call, "revoked").scalar().value_or("f") == "t";
    if (ctx.json)
        print_json(Json{{"tenant", o.tenant}, {"role", o.role}, {"revoked", revoked}});
    else if (revoked)
        fmt::print("role \"{}\" no longer acts for tenant \"{}\"\n", o.role, o.tenant);
    else
        fmt::print("role \"{}\" did not act for tenant \"{}\": nothing changed\n", o.role, o.tenant);
    return exit_ok;
}

}  // namespace

void add_tenant_commands(CLI::App* tenant, Context& ctx) {
    auto create = std::make_shared<CreateOptions>();
    CLI::App* cmd = tenant->add_subcommand("create", "create a tenant (berqenas.create_tenant)");
    cmd->add_option("--name", create->name, "tenant name: letters, digits, _")->required();
    cmd->add_flag("--vpn", create->vpn, "the tenant reaches its databases through WireGuard");
    on_chosen(cmd, ctx, [&ctx, create] { return create_tenant(ctx, *create); });

    cmd = tenant->add_subcommand("list", "list tenants (berqenas.tenants)");
    on_chosen(cmd, ctx, [&ctx] { return list_tenants(ctx); });

    auto grant = std::make_shared<RoleOptions>();
    cmd = tenant->add_subcommand("grant", "let a role act for one tenant only (berqenas.grant_tenant)");
    cmd->add_option("tenant", grant->tenant, "an existing tenant")->required();
    cmd->add_option("role", grant->role, "an existing role (not a superuser)")->required();
    on_chosen(cmd, ctx, [&ctx, grant] { return grant_tenant(ctx, *grant); });

    auto revoke = std::make_shared<RoleOptions>();
    cmd = tenant->add_subcommand("revoke", "take a tenant back from a role (berqenas.revoke_tenant)");
    cmd->add_option("tenant", revoke->tenant, "the tenant")->required();
    cmd->add_option("role", revoke->role, "the role")->required();
    on_chosen(cmd, ctx, [&ctx, revoke] { return revoke_tenant(ctx, *revoke); });
}

}  // namespace berqenas::cli
