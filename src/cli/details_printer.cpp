// "key: value" lines for a JSON object. jsonb keeps no key order, so keys people look for first
// come first (a fixed list), the rest alphabetically, nested objects after the plain values.
#include "details_printer.hpp"

#include "formatting.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace berqenas::cli {
namespace {

// Keys of remote_db_status, sync_status, configure_sync, test_connection and rotate_secret_key,
// in the order a person reads them.
const std::vector<std::string>& preferred_order() {
    static const std::vector<std::string> order = {
        "name", "ok", "sync_id", "database_type", "host", "port", "database_name", "schema", "tenant",
        "wireguard_ip", "registered_at", "mode", "sync_mode", "status", "configured", "tables", "target_schema",
        "timestamp_column", "method", "conflict_strategy", "open_conflicts", "running", "schedule", "job", "active", "next_run", "started_at", "finished_at",
        "last_successful_sync_at", "last_test_at", "latency_ms", "records_synced", "bytes", "duration_seconds",
        "sync_count", "error_count", "server_version", "sqlstate", "error", "error_sqlstate", "detail"};
    return order;
}

size_t rank(const std::string& key) {
    const auto& order = preferred_order();
    return static_cast<size_t>(std::find(order.begin(), order.end(), key) - order.begin());
}

std::string label(const std::string& key) {
    std::string out = key;
    std::replace(out.begin(), out.end(), '_', ' ');
    return out;
}

bool is_time_key(const std::string& key) {
    return key == "next_run" || (key.size() > 3 && key.compare(key.size() - 3, 3, "_at") == 0);
}

// Arrays of scalars on one line; anything else as compact JSON.
std::string inline_text(const std::string& key, const Json& value) {
    if (value.is_array() && std::all_of(value.begin(), value.end(), [](const Json& v) { return !v.is_structured(); })) {
        if (value.empty()) return "-";
        std::string out;
        for (const Json& v : value) out += (out.empty() ? "" : ", ") + json_text(v);
        return out;
    }
    if (value.is_object()) return value.empty() ? "-" : value.dump();
    return is_time_key(key) ? short_time(value) : json_text(value);
}

}  // namespace

void print_details(const Json& object, const std::vector<std::string>& skip, int indent) {
    if (!object.is_object()) {
        fmt::print("{:{}}{}\n", "", indent, inline_text("", object));
        return;
    }
    std::vector<std::string> keys;
    for (const auto& item : object.items()) {
        if (std::find(skip.begin(), skip.end(), item.key()) == skip.end()) keys.push_back(item.key());
    }
    std::stable_sort(keys.begin(), keys.end(), [&](const std::string& a, const std::string& b) {
        bool nested_a = object[a].is_object() && !object[a].empty();
        bool nested_b = object[b].is_object() && !object[b].empty();
        if (nested_a != nested_b) return nested_b;
        if (rank(a) != rank(b)) return rank(a) < rank(b);
        return a < b;
    });
    size_t width = 0;
    for (const std::string& key : keys) width = std::max(width, label(key).size() + 1);
    for (const std::string& key : keys) {
        const Json& value = object[key];
        if (value.is_object() && !value.empty()) {
            fmt::print("{:{}}{}:\n", "", indent, label(key));
            print_details(value, {}, indent + 2);
        } else {
            fmt::print("{:{}}{:<{}} {}\n", "", indent, label(key) + ":", width, inline_text(key, value));
        }
    }
}

}  // namespace berqenas::cli
