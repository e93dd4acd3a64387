// The lazily opened connection and how a chosen subcommand records its action.
#include "context.hpp"

namespace berqenas::cli {

QueryResult Context::run(const std::string& sql, const std::vector<Param>& params) {
    if (!connection_) connection_ = std::make_unique<Connection>(dsn);
    return connection_->exec(sql, params);
}

void on_chosen(CLI::App* command, Context& ctx, std::function<int()> body) {
    command->callback([&ctx, body = std::move(body)] { ctx.action = body; });
}

}  // namespace berqenas::cli
