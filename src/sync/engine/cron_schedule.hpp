// When a pg_cron schedule fires next (for sync_status' "next_run"). Pure C++: five-field cron
// expressions (lists, ranges, steps, month/day names), @hourly-style shorthands and pg_cron's
// "N seconds". Times are UTC, as pg_cron uses by default.
#pragma once

#include "common/pure_cpp.hpp"

#include <ctime>
#include <optional>
#include <string>

namespace berqenas::sync {

// The first firing strictly after `after` (seconds since the epoch), or nullopt when the
// expression never fires within four years. Throws Error 22023 for an expression it cannot read.
std::optional<std::time_t> cron_next_run(const std::string& expression, std::time_t after);

}  // namespace berqenas::sync
