// --json output and the JSON values behind human output: result rows become JSON objects (json and
// jsonb parsed, numbers and booleans typed, NULL null) in the server's column and key order.
#pragma once

#include "connection.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace berqenas::cli {

using Json = nlohmann::ordered_json;

Json value_to_json(const std::optional<std::string>& value, Oid type);
Json row_to_json(const QueryResult& result, size_t row);
Json rows_to_json(const QueryResult& result);
// The single jsonb value of a scalar call (null when SQL NULL).
Json scalar_json(const QueryResult& result);

void print_json(const Json& value);

// A JSON value as a person reads it in a table cell: strings unquoted, null as "-".
std::string json_text(const Json& value);

// object[key], or null when object is no object or has no such key.
Json field(const Json& object, const char* key);

// Per-table objects of a result; keys starting with "_" are the engine's bookkeeping.
template <typename Fn>
void for_each_table(const Json& tables, Fn fn) {
    if (!tables.is_object()) return;
    for (const auto& [table, value] : tables.items()) {
        if (!table.empty() && table[0] == '_') continue;
        if (value.is_object()) fn(table, value);
    }
}

}  // namespace berqenas::cli
