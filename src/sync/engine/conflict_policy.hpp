// Which side's version of one row a sync keeps: the one place where "which side wins" is decided,
// for every mode (one-way modes: the remote always wins) and every two-way strategy. Pure C++.
#pragma once

#include "common/pure_cpp.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace berqenas::sync {

// remote_wins is what the one-way modes do; the others are configure_sync's conflict_strategy.
enum class ConflictStrategy { remote_wins, latest_wins, cloud_wins, local_wins, manual };
inline constexpr ConflictStrategy one_way_strategy = ConflictStrategy::remote_wins;

const char* conflict_strategy_name(ConflictStrategy strategy);
// nullopt for anything but latest_wins, cloud_wins, local_wins, manual (the names users choose).
std::optional<ConflictStrategy> parse_conflict_strategy(std::string_view name);

// One side's version of a row, against the content both sides last agreed on.
struct RowVersion {
    bool changed = false;                 // differs from the agreed content (a three-way comparison)
    bool deleted = false;                 // no row now (hard delete)
    uint64_t content_hash = 0;            // without the bookkeeping columns; meaningless when deleted
    std::optional<int64_t> updated_at;    // when written, microseconds on the cloud's clock; nullopt: unknown
};

struct RowFacts {
    RowVersion remote;                    // the on-premise ("local") side
    RowVersion cloud;
    uint64_t synced_hash = 0;             // the agreed content's hash
};

enum class Resolution {
    no_change,       // neither side changed (or only our own writes came back)
    equal_content,   // both changed to the same content: not a conflict, nothing to write
    apply_remote,    // the remote's version (or its absence) goes to the cloud
    apply_cloud,     // the cloud's version (or its absence) goes to the remote
    hold,            // manual: the conflict waits for berqenas.resolve_conflict; nothing is written
};

// Both sides changed, to different content.
bool is_conflict(const RowFacts& facts);

// latest_wins: the later updated_at wins; a version with a clock beats one without; on equal (or
// unknown) times the cloud wins, so two runs over the same data always decide the same.
Resolution resolve_row(ConflictStrategy strategy, const RowFacts& facts);

// Whether every row's remote version is applied whatever the cloud did (one-way modes), so a
// caller may apply a batch set-based without asking per row.
bool remote_version_always_applies(ConflictStrategy strategy);

// The one-way paths (the full copy and its swap, incremental batches, realtime rounds) apply the
// remote's rows set-based, deciding nothing row by row; each calls this first with its strategy,
// so one that needs rows resolved one by one never reaches them unnoticed (XX000 naming path).
void require_remote_version_applies(ConflictStrategy strategy, const char* path);

}  // namespace berqenas::sync
