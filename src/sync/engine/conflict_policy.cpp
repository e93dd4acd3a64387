// resolve_row(): the three-way comparison and each strategy's rule (see conflict_policy.hpp).
#include "sync/engine/conflict_policy.hpp"

#include <string>

#include "common/error.hpp"

namespace berqenas::sync {

const char* conflict_strategy_name(ConflictStrategy strategy) {
    switch (strategy) {
        case ConflictStrategy::remote_wins: return "remote_wins";
        case ConflictStrategy::latest_wins: return "latest_wins";
        case ConflictStrategy::cloud_wins: return "cloud_wins";
        case ConflictStrategy::local_wins: return "local_wins";
        case ConflictStrategy::manual: return "manual";
    }
    return "latest_wins";
}

std::optional<ConflictStrategy> parse_conflict_strategy(std::string_view name) {
    for (auto s : {ConflictStrategy::latest_wins, ConflictStrategy::cloud_wins, ConflictStrategy::local_wins,
                   ConflictStrategy::manual})
        if (name == conflict_strategy_name(s)) return s;
    return std::nullopt;
}

namespace {

bool same_content(const RowVersion& a, const RowVersion& b) {
    return a.deleted == b.deleted && (a.deleted || a.content_hash == b.content_hash);
}

}  // namespace

bool is_conflict(const RowFacts& f) { return f.remote.changed && f.cloud.changed && !same_content(f.remote, f.cloud); }

Resolution resolve_row(ConflictStrategy strategy, const RowFacts& f) {
    if (!f.remote.changed && !f.cloud.changed) return Resolution::no_change;
    if (f.remote.changed && f.cloud.changed && same_content(f.remote, f.cloud)) return Resolution::equal_content;
    if (strategy == ConflictStrategy::remote_wins) return Resolution::apply_remote;
    if (!f.cloud.changed) return Resolution::apply_remote;
    if (!f.remote.changed) return Resolution::apply_cloud;
    switch (strategy) {
        case ConflictStrategy::cloud_wins: return Resolution::apply_cloud;
        case ConflictStrategy::local_wins: return Resolution::apply_remote;
        case ConflictStrategy::manual: return Resolution::hold;
        case ConflictStrategy::latest_wins:
        case ConflictStrategy::remote_wins: break;
    }
    const auto& r = f.remote.updated_at;
    const auto& c = f.cloud.updated_at;
    if (r && (!c || *r > *c)) return Resolution::apply_remote;
    return Resolution::apply_cloud;
}

bool remote_version_always_applies(ConflictStrategy strategy) { return strategy == ConflictStrategy::remote_wins; }

void require_remote_version_applies(ConflictStrategy strategy, const char* path) {
    if (!remote_version_always_applies(strategy))
        throw Error(sqlstate::internal_error, std::string(path) + " applies the remote's rows as they are, which this conflict "
                                                                  "strategy does not allow");
}

}  // namespace berqenas::sync
