// One table from SQLSTATE (or its class) to SQL Server's number and severity. Numbers and
// severities are the ones SQL Server itself raises for the same situation.
#include "error_map.h"

namespace berqenas::tds {
namespace {

struct Entry {
    const char* sqlstate;  // a full code, or a two-character class
    MappedError error;
};

const Entry kMap[] = {
    {"42P01", {208, 16}},    // undefined_table: Invalid object name
    {"42703", {207, 16}},    // undefined_column: Invalid column name
    {"23505", {2627, 14}},   // unique_violation: Violation of PRIMARY KEY / UNIQUE KEY constraint
    {"23503", {547, 16}},    // foreign_key_violation: conflicted with the FOREIGN KEY constraint
    {"23514", {547, 16}},    // check_violation: conflicted with the CHECK constraint
    {"23502", {515, 16}},    // not_null_violation: Cannot insert the value NULL
    {"42601", {102, 15}},    // syntax_error: Incorrect syntax near
    {"40P01", {1205, 13}},   // deadlock_detected: chosen as the deadlock victim
    {"28P01", {18456, 14}},  // invalid_password: Login failed
    {"28000", {18456, 14}},  // invalid_authorization_specification
    {"3D000", {4060, 11}},   // invalid_catalog_name: Cannot open database
    {"42883", {195, 15}},    // undefined_function: is not a recognized built-in function name
    {"22012", {8134, 16}},   // division_by_zero: Divide by zero error encountered
    {"22001", {8152, 16}},   // string_data_right_truncation: String or binary data would be truncated
    {"22003", {8115, 16}},   // numeric_value_out_of_range: Arithmetic overflow error
    {"57014", {3617, 16}},   // query_canceled
    {"22", {8114, 16}},      // data exceptions: Error converting data type
    {"42", {102, 15}},       // other syntax/access problems read as syntax errors by clients
};

}  // namespace

MappedError map_sqlstate(const std::string& sqlstate) {
    for (const auto& e : kMap) {
        if (sqlstate == e.sqlstate) return e.error;
    }
    for (const auto& e : kMap) {
        std::string cls = e.sqlstate;
        if (cls.size() == 2 && sqlstate.compare(0, 2, cls) == 0) return e.error;
    }
    return {50000, 16};
}

ServerMessage error_from_postgres(const std::string& sqlstate, const std::string& primary_message) {
    MappedError m = map_sqlstate(sqlstate);
    ServerMessage msg;
    msg.number = m.number;
    msg.severity = static_cast<uint8_t>(m.severity);
    msg.state = 1;
    msg.text = primary_message + " (SQLSTATE " + sqlstate + ")";
    return msg;
}

ServerMessage login_failed_message(const std::string& user, const std::string& reason) {
    ServerMessage msg;
    msg.number = 18456;
    msg.severity = 14;
    msg.state = 1;
    msg.text = "Login failed for user '" + user + "'." + (reason.empty() ? "" : " Reason: " + reason);
    return msg;
}

}  // namespace berqenas::tds
