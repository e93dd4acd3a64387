// Counting is per batch so a test can predict exactly which row a fault hits.
#include "fault_injector.h"

#include <cstdlib>

namespace berqenas::tds {
namespace {

// "off" and "-1" disable a fault; otherwise a non-negative whole number is expected.
bool parse_count(const std::string& value, long& out) {
    if (value == "off" || value == "OFF" || value == "-1") {
        out = -1;
        return true;
    }
    char* end = nullptr;
    long n = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || n < 0) return false;
    out = n;
    return true;
}

}  // namespace

std::string FaultInjector::apply(const std::string& name, const std::string& raw_value) {
    std::string value = raw_value;
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') value = value.substr(1, value.size() - 2);
    long n = 0;
    if (name == "off" || name == "reset") {
        settings_ = FaultSettings{};
        return "";
    }
    if (name == "drop_after_rows" && parse_count(value, n)) return settings_.drop_after_rows = n, "";
    if (name == "fail_after_rows" && parse_count(value, n)) return settings_.fail_after_rows = n, "";
    if (name == "row_delay_ms" && parse_count(value, n)) return settings_.row_delay_ms = n < 0 ? 0 : n, "";
    if (name == "varbinary_utf8" && (value == "on" || value == "off" || value == "ON" || value == "OFF"))
        return settings_.varbinary_utf8 = value == "on" || value == "ON", "";
    if (name == "refuse_logins" && (value == "on" || value == "off" || value == "ON" || value == "OFF")) {
        refuse_logins_ = value == "on" || value == "ON";
        return "";
    }
    return "unknown fault control '" + name + " " + raw_value +
           "'; use SET BERQENAS_FAULT drop_after_rows|fail_after_rows|row_delay_ms <n|off>, "
           "refuse_logins on|off, varbinary_utf8 on|off, or off";
}

RowAction FaultInjector::before_row() {
    if (settings_.drop_after_rows >= 0 && rows_in_batch_ >= settings_.drop_after_rows) return RowAction::Drop;
    if (settings_.fail_after_rows >= 0 && rows_in_batch_ >= settings_.fail_after_rows) return RowAction::Fail;
    ++rows_in_batch_;
    return RowAction::Send;
}

}  // namespace berqenas::tds
