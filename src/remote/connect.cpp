// The one place that knows every remote kind: one line per kind below gives its name, its driver
// and its dialect. A new kind is a folder under remote/, a DatabaseKind and one line here.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "remote/mssql/mssql_connection.hpp"
#include "remote/mssql/mssql_dialect.hpp"
#include "remote/postgresql/pg_connection.hpp"
#include "remote/postgresql/postgresql_dialect.hpp"
#include "remote/remote_connection.hpp"

namespace berqenas::remote {

namespace {

struct Kind {
    DatabaseKind kind;
    const char* name;   // database_type in the registry and in server options
    std::unique_ptr<RemoteConnection> (*connect)(const ConnectionParams& params);
    const Dialect& (*dialect)();
    const Quoting& (*quoting)();   // through the final type: no virtual call
};

// A function-local static: other translation units' static initialisers may ask for a dialect.
template <typename FinalDialect>
const FinalDialect& instance() {
    static const FinalDialect d;
    return d;
}

template <typename FinalDialect>
const Dialect& dialect_of() { return instance<FinalDialect>(); }

template <typename FinalDialect>
const Quoting& quoting_of() { return instance<FinalDialect>().quoting(); }

template <typename Connection>
std::unique_ptr<RemoteConnection> connect_with(const ConnectionParams& params) {
    return std::make_unique<Connection>(params);
}

// One kind's entry: Connection and FinalDialect are its driver and its dialect (a final class).
template <typename Connection, typename FinalDialect>
constexpr Kind kind_of(DatabaseKind kind, const char* name) {
    return Kind{kind, name, connect_with<Connection>, dialect_of<FinalDialect>, quoting_of<FinalDialect>};
}

// In DatabaseKind order (checked below).
constexpr Kind kinds[] = {
    kind_of<PgConnection, postgresql::PostgresqlDialect>(DatabaseKind::postgresql, "postgresql"),
    kind_of<MssqlConnection, mssql::MssqlDialect>(DatabaseKind::mssql, "mssql"),
};

constexpr bool in_enum_order() {
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); ++i)
        if (static_cast<size_t>(kinds[i].kind) != i) return false;
    return true;
}
static_assert(in_enum_order(), "kinds[] must list the kinds in DatabaseKind order");

const Kind& entry(DatabaseKind kind) { return kinds[static_cast<size_t>(kind)]; }

}  // namespace

std::unique_ptr<RemoteConnection> connect(const ConnectionParams& params) { return entry(params.kind).connect(params); }

const Dialect& dialect(DatabaseKind kind) { return entry(kind).dialect(); }

const Quoting& quoting(DatabaseKind kind) { return entry(kind).quoting(); }

const char* database_kind_name(DatabaseKind kind) { return entry(kind).name; }

DatabaseKind parse_database_kind(const std::string& name) {
    std::vector<std::string> names;
    for (const Kind& k : kinds) {
        if (name == k.name) return k.kind;
        names.push_back(k.name);
    }
    // In alphabetical order, as the registry's own check words it (sql/install/00_registry.sql).
    std::sort(names.begin(), names.end());
    std::string listed;
    for (const std::string& n : names) listed += (listed.empty() ? "\"" : " or \"") + n + "\"";
    throw Error(sqlstate::invalid_parameter, "unknown database_type \"" + name + "\"", {},
                "database_type must be " + listed);
}

}  // namespace berqenas::remote
