// One open connection to a remote database, whatever its kind. Drivers: pg_connection (libpq)
// and mssql_connection (FreeTDS db-lib). Pure C++: no PostgreSQL server types cross this line.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "remote/connection_params.hpp"

namespace berqenas::remote {

// A small, fully materialised result as text (catalog reads, version probes). Bulk data goes
// through the streaming interfaces the FDW and sync engine add.
struct TextResult {
    std::vector<std::string> columns;
    std::vector<std::vector<std::optional<std::string>>> rows;
};

class RemoteConnection {
public:
    virtual ~RemoteConnection() = default;
    virtual DatabaseKind kind() const = 0;
    virtual const ConnectionParams& params() const = 0;

    // The server's own version string (PostgreSQL: version(); MSSQL: @@VERSION).
    virtual std::string server_version() = 0;
    // Runs a statement that returns no rows of interest; returns the affected row count.
    virtual long long execute(const std::string& sql) = 0;
    // Runs a query and returns all its rows as text; for small results only.
    virtual TextResult query_text(const std::string& sql) = 0;
    // False once the link is known to be broken (the caller then reconnects).
    virtual bool is_usable() const = 0;
};

// Connects within params.connect_timeout_seconds; a cancel stops the wait (57014).
// Failure: Error 08001 (28000 when the remote refused the credentials), remote text in DETAIL.
std::unique_ptr<RemoteConnection> connect(const ConnectionParams& params);

}  // namespace berqenas::remote
