// Reading one registered remote database (row + decrypted password) as ConnectionParams.
// Only extension code calls this, and only to connect; the password never leaves C++.
#pragma once

#include <string>

#include "pg/spi.hpp"
#include "remote/connection_params.hpp"

namespace berqenas::catalog {

struct RemoteDatabase {
    long long id = 0;
    std::string name;
    std::string schema;           // remote schema to read ('' = the remote's default)
    remote::ConnectionParams connection;
};

// Throws 42704 "remote database "x" is not registered" when missing.
RemoteDatabase load_remote_database(pg::SpiSession& spi, const std::string& name);
RemoteDatabase load_remote_database(pg::SpiSession& spi, long long id);

// For a reader that needs more of the same row (the sync catalog reads a configuration with it):
// the select list load_remote_database reads, over berqenas.remote_database_registry r LEFT JOIN
// berqenas.remote_database_secrets s ON s.remote_database_id = r.id, and the RemoteDatabase of a
// result row holding those columns from position `first` on.
extern const char* const remote_database_columns;
RemoteDatabase remote_database_from_row(const pg::SqlRow& row, size_t first);

}  // namespace berqenas::catalog
