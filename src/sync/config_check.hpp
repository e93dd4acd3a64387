// configure_sync's look at the remote before it accepts a configuration: which of the tables to
// sync have the timestamp column incremental syncs follow, and a primary key.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace berqenas::sync {

// {"checked": [tables], "without_column": [...], "without_key": [...], "missing": [...]}, or
// {"unchecked": "why"} when the remote cannot be reached now (configure_sync then only warns).
std::string check_sync_columns(long long remote_database_id, const std::optional<std::vector<std::string>>& tables,
                               const std::string& timestamp_column);

}  // namespace berqenas::sync
