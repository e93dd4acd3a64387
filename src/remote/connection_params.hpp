// What it takes to reach one remote database, in plain C++ (filled from the registry or from
// FDW server options by PostgreSQL-facing code).
#pragma once

#include "common/pure_cpp.hpp"

#include <string>

namespace berqenas::remote {

enum class DatabaseKind { postgresql, mssql };
// The kind of a foreign server (or parameters) that names none.
inline constexpr DatabaseKind default_database_kind = DatabaseKind::postgresql;

// The kinds' names (defined in connect.cpp, with the kinds).
DatabaseKind parse_database_kind(const std::string& name);   // throws 22023 for anything else
const char* database_kind_name(DatabaseKind kind);

struct ConnectionParams {
    DatabaseKind kind = default_database_kind;
    std::string host;
    int port = 0;
    std::string database;
    std::string user;
    std::string password;
    int connect_timeout_seconds = 10;
    int query_timeout_seconds = 0;    // 0: no limit
    int packet_size = 0;              // MSSQL: bytes per TDS packet to ask for (4096..32767); 0: 32767
    std::string application_name = "berqenas";
    // The connection must authenticate with this password (PostgreSQL: PQconnectionUsedPassword),
    // so a non-superuser cannot borrow the server's own trust or peer access (as postgres_fdw).
    bool require_password = false;

    // "postgresql://user@host:port/db" — for messages; never holds the password.
    std::string describe() const;
};

}  // namespace berqenas::remote
