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

}  // namespace berqenas::cli
