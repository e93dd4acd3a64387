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

}  // namespace berqenas::catalog
