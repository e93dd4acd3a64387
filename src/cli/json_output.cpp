// Result values to JSON by their type OID, and printing JSON for --json.
#include "json_output.hpp"

#include <fmt/core.h>

namespace berqenas::cli {
namespace {

// Type OIDs from pg_type (stable across PostgreSQL versions).
constexpr Oid bool_oid = 16;
constexpr Oid int8_oid = 20;
constexpr Oid int2_oid = 21;
constexpr Oid int4_oid = 23;
constexpr Oid oid_oid = 26;
constexpr Oid json_oid = 114;
constexpr Oid float4_oid = 700;
constexpr Oid float8_oid = 701;
constexpr Oid numeric_oid = 1700;
constexpr Oid jsonb_oid = 3802;

}  // namespace

Json value_to_json(const std::optional<std::string>& value, Oid type) {
    if (!value) return nullptr;
    switch (type) {
        case bool_oid:
            return *value == "t";
        case int2_oid:
        case int4_oid:
        case int8_oid:
        case oid_oid:
        case float4_oid:
        case float8_oid:
        case numeric_oid:
        case json_oid:
        case jsonb_oid: {
            // NaN and Infinity are not JSON numbers: they stay strings.
            Json parsed = Json::parse(*value, nullptr, /*allow_exceptions=*/false);
            return parsed.is_discarded() ? Json(*value) : parsed;
        }
        default:
            return *value;
    }
}

Json row_to_json(const QueryResult& result, size_t row) {
    Json object = Json::object();
    for (size_t c = 0; c < result.columns.size(); ++c) {
        object[result.columns[c].name] = value_to_json(result.rows[row][c], result.columns[c].type);
    }
    return object;
}

Json rows_to_json(const QueryResult& result) {
    Json array = Json::array();
    for (size_t r = 0; r < result.rows.size(); ++r) array.push_back(row_to_json(result, r));
    return array;
}

Json scalar_json(const QueryResult& result) {
    return value_to_json(result.scalar(), result.columns.at(0).type);
}

void print_json(const Json& value) {
    fmt::print("{}\n", value.dump(2));
}

std::string json_text(const Json& value) {
    if (value.is_null()) return "-";
    if (value.is_string()) return value.get<std::string>();
    if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
    return value.dump();
}

Json field(const Json& object, const char* key) {
    return object.is_object() && object.contains(key) ? object[key] : Json();
}

}  // namespace berqenas::cli
