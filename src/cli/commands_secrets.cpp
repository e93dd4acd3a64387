// `berqenas secrets rotate`: berqenas.rotate_secret_key, which re-seals every stored password
// under a new key.
#include "context.hpp"
#include "details_printer.hpp"
#include "exit_codes.hpp"
#include "json_output.hpp"

#include <fmt/core.h>

namespace berqenas::cli {
namespace {

int rotate(Context& ctx) {
    Json result = scalar_json(ctx.scalar(SqlCall("berqenas.rotate_secret_key"), "rotate_secret_key"));
    if (ctx.json) {
        print_json(result);
    } else {
        fmt::print("secret key rotated\n");
        print_details(result, {}, 2);
    }
    return exit_ok;
}

}  // namespace

void add_secrets_commands(CLI::App* secrets, Context& ctx) {
    CLI::App* cmd = secrets->add_subcommand("rotate", "re-seal every stored password under a new key (berqenas.rotate_secret_key)");
    on_chosen(cmd, ctx, [&ctx] { return rotate(ctx); });
}

}  // namespace berqenas::cli
