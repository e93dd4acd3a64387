// The one place that picks a driver for a database kind.
#include "remote/mssql/mssql_connection.hpp"
#include "remote/postgresql/pg_connection.hpp"
#include "remote/remote_connection.hpp"

namespace berqenas::remote {

std::unique_ptr<RemoteConnection> connect(const ConnectionParams& params) {
    switch (params.kind) {
        case DatabaseKind::postgresql: return std::make_unique<PgConnection>(params);
        case DatabaseKind::mssql: return std::make_unique<MssqlConnection>(params);
    }
    return nullptr;
}

}  // namespace berqenas::remote
