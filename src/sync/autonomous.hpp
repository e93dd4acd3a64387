// Writes that must survive the caller's transaction (a sync's "running" row, and its "failed" row
// when the sync's own transaction aborts): run one SQL statement in a short-lived background worker
// that connects to the same database as the same role and commits on its own.
#pragma once

#include <string>
#include <vector>

#include "pg/spi.hpp"

namespace berqenas::sync {

// Runs sql ($1..$n bound to params as text) in its own committed transaction and returns the
// first column of the first row as text ("" when none). Waits for it; a failure there becomes
// Error with its message. Error 53400 when no background worker slot is free.
std::string run_autonomous(const std::string& sql, const std::vector<pg::SqlValue>& params);

}  // namespace berqenas::sync
