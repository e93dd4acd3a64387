// The one place that picks a driver, a dialect and a name for a database kind: a new kind is a
// folder under remote/ and a case in each switch below (no default, so the compiler lists them).
#include "common/error.hpp"
#include "remote/mssql/mssql_connection.hpp"
#include "remote/mssql/mssql_dialect.hpp"
#include "remote/postgresql/pg_connection.hpp"
#include "remote/postgresql/postgresql_dialect.hpp"
#include "remote/remote_connection.hpp"

namespace berqenas::remote {

namespace {

// Function-local statics: other translation units' static initialisers may ask for a dialect.
const postgresql::PostgresqlDialect& postgresql_dialect() {
    static const postgresql::PostgresqlDialect d;
    return d;
}

const mssql::MssqlDialect& mssql_dialect() {
    static const mssql::MssqlDialect d;
    return d;
}

}  // namespace

std::unique_ptr<RemoteConnection> connect(const ConnectionParams& params) {
    switch (params.kind) {
        case DatabaseKind::postgresql: return std::make_unique<PgConnection>(params);
        case DatabaseKind::mssql: return std::make_unique<MssqlConnection>(params);
    }
    return nullptr;
}

const Dialect& dialect(DatabaseKind kind) {
    switch (kind) {
        case DatabaseKind::postgresql: return postgresql_dialect();
        case DatabaseKind::mssql: return mssql_dialect();
    }
    return postgresql_dialect();
}

// Through the final types, so the call is direct.
const Quoting& quoting(DatabaseKind kind) {
    switch (kind) {
        case DatabaseKind::postgresql: return postgresql_dialect().quoting();
        case DatabaseKind::mssql: return mssql_dialect().quoting();
    }
    return postgresql_dialect().quoting();
}

DatabaseKind parse_database_kind(const std::string& name) {
    if (name == "postgresql") return DatabaseKind::postgresql;
    if (name == "mssql") return DatabaseKind::mssql;
    throw Error(sqlstate::invalid_parameter, "unknown database_type \"" + name + "\"", {},
                "database_type must be \"mssql\" or \"postgresql\"");
}

const char* database_kind_name(DatabaseKind kind) {
    switch (kind) {
        case DatabaseKind::postgresql: return "postgresql";
        case DatabaseKind::mssql: return "mssql";
    }
    return "postgresql";
}

}  // namespace berqenas::remote
