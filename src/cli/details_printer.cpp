// "key: value" lines for a JSON object, keys as the server named them (underscores to spaces).
#include "details_printer.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace berqenas::cli {
namespace {

std::string label(const std::string& key) {
    std::string out = key;
    std::replace(out.begin(), out.end(), '_', ' ');
    return out;
}

// Arrays of scalars on one line; anything else as compact JSON.
std::string inline_text(const Json& value) {
    if (value.is_array() && std::all_of(value.begin(), value.end(), [](const Json& v) { return !v.is_structured(); })) {
        if (value.empty()) return "-";
        std::string out;
        for (const Json& v : value) out += (out.empty() ? "" : ", ") + json_text(v);
        return out;
    }
    return json_text(value);
}

}  // namespace

void print_details(const Json& object, const std::vector<std::string>& skip, int indent) {
    if (!object.is_object()) {
        fmt::print("{:{}}{}\n", "", indent, inline_text(object));
        return;
    }
    size_t width = 0;
    for (const auto& [key, value] : object.items()) {
        if (std::find(skip.begin(), skip.end(), key) == skip.end()) width = std::max(width, label(key).size() + 1);
    }
    for (const auto& [key, value] : object.items()) {
        if (std::find(skip.begin(), skip.end(), key) != skip.end()) continue;
        if (value.is_object() && !value.empty()) {
            fmt::print("{:{}}{}:\n", "", indent, label(key));
            print_details(value, {}, indent + 2);
        } else {
            fmt::print("{:{}}{:<{}} {}\n", "", indent, label(key) + ":", width, value.is_object() ? "-" : inline_text(value));
        }
    }
}

}  // namespace berqenas::cli
