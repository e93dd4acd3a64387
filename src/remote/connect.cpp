// The one place that picks a driver and a dialect for a database kind: a new kind is a folder
// under remote/ and a case in each switch below (no default, so the compiler lists them).
#include "remote/mssql/mssql_connection.hpp"
#include "remote/mssql/mssql_dialect.hpp"
#include "remote/postgresql/pg_connection.hpp"
#include "remote/postgresql/postgresql_dialect.hpp"
#include "remote/remote_connection.hpp"

namespace berqenas::remote {

std::unique_ptr<RemoteConnection> connect(const ConnectionParams& params) {
    switch (params.kind) {
        case DatabaseKind::postgresql: return std::make_unique<PgConnection>(params);
        case DatabaseKind::mssql: return std::make_unique<MssqlConnection>(params);
    }
    return nullptr;
}

const Dialect& dialect(DatabaseKind kind) {
    static const postgresql::PostgresqlDialect postgresql_dialect;
    static const mssql::MssqlDialect mssql_dialect;
    switch (kind) {
        case DatabaseKind::postgresql: return postgresql_dialect;
        case DatabaseKind::mssql: return mssql_dialect;
    }
    return postgresql_dialect;
}

}  // namespace berqenas::remote
