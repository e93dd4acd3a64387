// How the rollback journal names a row: {"<key column>": <value as text>, ...}. Every writer of the
// journal (full and incremental syncs, realtime rounds) builds the key here, so rollback() matches
// the same row across runs of any mode. Pure C++.
#pragma once

#include "common/pure_cpp.hpp"

#include <string>
#include <vector>

namespace berqenas::sync {

// The SQL expression jsonb_build_object('<k1>'::text, <v1>::text, ...): key_columns[i] names the
// column, values[i] is the SQL expression of its value (same length).
std::string journal_key_sql(const std::vector<std::string>& key_columns, const std::vector<std::string>& values);

}  // namespace berqenas::sync
