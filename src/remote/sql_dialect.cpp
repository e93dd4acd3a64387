// Forwarding by kind to the final dialect classes; the call through a final type is direct.
#include "remote/sql_dialect.hpp"

#include "remote/mssql/mssql_dialect.hpp"
#include "remote/postgresql/postgresql_dialect.hpp"

namespace berqenas::remote {

namespace {

const postgresql::PostgresqlDialect postgresql_dialect;
const mssql::MssqlDialect mssql_dialect;

// No default: a new DatabaseKind is a -Wswitch error here until its dialect is added.
template <typename F>
auto with_dialect(DatabaseKind kind, F&& f) {
    switch (kind) {
        case DatabaseKind::mssql: return f(mssql_dialect);
        case DatabaseKind::postgresql: break;
    }
    return f(postgresql_dialect);
}

}  // namespace

std::string quote_identifier(DatabaseKind kind, std::string_view name) {
    return with_dialect(kind, [&](const auto& d) { return d.quote_identifier(name); });
}

std::string qualified_name(DatabaseKind kind, std::string_view schema, std::string_view table) {
    return with_dialect(kind, [&](const auto& d) { return d.qualified_name(schema, table); });
}

std::string quote_literal(DatabaseKind kind, std::string_view value) {
    return with_dialect(kind, [&](const auto& d) { return d.quote_literal(value); });
}

std::string binary_literal(DatabaseKind kind, std::string_view bytes) {
    return with_dialect(kind, [&](const auto& d) { return d.binary_literal(bytes); });
}

std::string boolean_literal(DatabaseKind kind, bool value) {
    return with_dialect(kind, [&](const auto& d) { return d.boolean_literal(value); });
}

std::string build_select(DatabaseKind kind, const SelectParts& parts) {
    return with_dialect(kind, [&](const auto& d) { return d.build_select(parts); });
}

UpsertStatements build_upsert(DatabaseKind kind, std::string_view schema, std::string_view table,
                              const std::vector<std::string>& columns, const std::vector<std::string>& key_columns,
                              const std::vector<std::vector<std::string>>& rows) {
    return with_dialect(kind, [&](const auto& d) { return d.build_upsert(schema, table, columns, key_columns, rows); });
}

}  // namespace berqenas::remote
