// Small text helpers for human output: timestamps to the second, table cells from JSON values.
#pragma once

#include "json_output.hpp"

#include <string>

namespace berqenas::cli {

// "2026-01-14T15:30:00.123+00:00" or "2026-01-14 15:30:00.123+00" → "2026-01-14 15:30:00+00:00".
std::string short_time(const std::string& timestamp);
std::string short_time(const Json& timestamp);

// A JSON value as a table cell ("-" for null).
std::string cell(const Json& value);

// Two-way sync conflicts as the docs write them: "3 (all resolved)", "3 (1 open)", or "0".
std::string conflicts_text(long long conflicts, long long open);

}  // namespace berqenas::cli
