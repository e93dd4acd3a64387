// Timestamps without fractional seconds, JSON values as table cells.
#include "formatting.hpp"

#include <fmt/core.h>

namespace berqenas::cli {

std::string short_time(const std::string& timestamp) {
    std::string out = timestamp;
    if (out.size() > 10 && out[10] == 'T') out[10] = ' ';
    size_t dot = out.find('.', 10);
    if (dot != std::string::npos) {
        size_t end = dot + 1;
        while (end < out.size() && out[end] >= '0' && out[end] <= '9') ++end;
        out.erase(dot, end - dot);
    }
    return out;
}

std::string short_time(const Json& timestamp) {
    return timestamp.is_string() ? short_time(timestamp.get<std::string>()) : cell(timestamp);
}

std::string cell(const Json& value) { return json_text(value); }

std::string conflicts_text(long long conflicts, long long open) {
    if (conflicts == 0) return "0";
    return open == 0 ? fmt::format("{} (all resolved)", conflicts) : fmt::format("{} ({} open)", conflicts, open);
}

}  // namespace berqenas::cli
