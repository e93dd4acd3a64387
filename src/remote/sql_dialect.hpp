// The quoters by kind, for code that has only a DatabaseKind: the per-value ones call the kind's
// Quoting functions (no virtual call); remote/dialect.hpp documents each one.
#pragma once

#include "common/pure_cpp.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "remote/connection_params.hpp"
#include "remote/dialect.hpp"

namespace berqenas::remote {

std::string quote_identifier(DatabaseKind kind, std::string_view name);
std::string qualified_name(DatabaseKind kind, std::string_view schema, std::string_view table);
std::string quote_literal(DatabaseKind kind, std::string_view value);
std::string binary_literal(DatabaseKind kind, std::string_view bytes);
std::string boolean_literal(DatabaseKind kind, bool value);
std::string build_select(DatabaseKind kind, const SelectParts& parts);
UpsertStatements build_upsert(DatabaseKind kind, std::string_view schema, std::string_view table,
                              const std::vector<std::string>& columns, const std::vector<std::string>& key_columns,
                              const std::vector<std::vector<std::string>>& rows);

}  // namespace berqenas::remote
