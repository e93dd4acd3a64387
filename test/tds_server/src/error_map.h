// Maps PostgreSQL errors (SQLSTATE) to the SQL Server error numbers and severities clients
// branch on: 208, 207, 2627, 547, 102, 1205, 18456. Anything else becomes 50000/16.
#pragma once

#include <string>

#include "token_writer.h"

namespace berqenas::tds {

struct MappedError {
    int number;
    int severity;
};

MappedError map_sqlstate(const std::string& sqlstate);

// A ServerMessage for a PostgreSQL error: SQL Server's number and severity, PostgreSQL's text,
// with the SQLSTATE kept at the end so tests and logs can see the original.
ServerMessage error_from_postgres(const std::string& sqlstate, const std::string& primary_message);

// The message SQL Server sends for a failed login (number 18456, severity 14).
ServerMessage login_failed_message(const std::string& user, const std::string& reason);

}  // namespace berqenas::tds
