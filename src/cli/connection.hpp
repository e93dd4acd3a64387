// One libpq connection to the cloud PostgreSQL. Every value reaches the server as a PQexecParams
// parameter; an error comes back as ServerError with the server's SQLSTATE, message, detail, hint.
#pragma once

#include <libpq-fe.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace berqenas::cli {

// A parameter value in text form; std::nullopt is SQL NULL.
using Param = std::optional<std::string>;

class ServerError : public std::runtime_error {
public:
    ServerError(std::string sqlstate, const std::string& message, std::string detail, std::string hint)
        : std::runtime_error(message), sqlstate(std::move(sqlstate)), detail(std::move(detail)),
          hint(std::move(hint)) {}
    std::string sqlstate;
    std::string detail;
    std::string hint;
};

struct Column {
    std::string name;
    Oid type;
};

// The rows of a result, copied out of the PGresult (text format; NULL is std::nullopt).
struct QueryResult {
    std::vector<Column> columns;
    std::vector<std::vector<std::optional<std::string>>> rows;

    // The single value of a one-row, one-column result (a scalar function call).
    const std::optional<std::string>& scalar() const;
};

class Connection {
public:
    // dsn: a conninfo string or URI; empty means the PG* environment variables and libpq defaults.
    explicit Connection(const std::string& dsn);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    QueryResult exec(const std::string& sql, const std::vector<Param>& params) const;

private:
    PGconn* conn_ = nullptr;
};

}  // namespace berqenas::cli
