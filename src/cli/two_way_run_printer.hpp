// Human output of one two-way sync run: Table | Cloud→L | Local→C | Conflicts | Resolved, the
// totals, and the sync id, duration and strategy (for `sync bidirectional` and `sync run`).
#pragma once

#include "json_output.hpp"

namespace berqenas::cli {

// A result of bidirectional_sync (sync returns one too for a two-way database).
bool is_two_way_run(const Json& result);

// verbose: also the open conflicts, rows read and the clock offset.
void print_two_way_run(const Json& result, bool verbose);

}  // namespace berqenas::cli
