// The quoters by kind: per-value ones through the kind's Quoting functions (no virtual call),
// statement builders through its Dialect.
#include "remote/sql_dialect.hpp"

namespace berqenas::remote {

std::string quote_identifier(DatabaseKind kind, std::string_view name) { return quoting(kind).identifier(name); }

std::string qualified_name(DatabaseKind kind, std::string_view schema, std::string_view table) {
    return dialect(kind).qualified_name(schema, table);
}

std::string quote_literal(DatabaseKind kind, std::string_view value) { return quoting(kind).text(value); }

std::string binary_literal(DatabaseKind kind, std::string_view bytes) { return quoting(kind).binary(bytes); }

std::string boolean_literal(DatabaseKind kind, bool value) { return quoting(kind).boolean(value); }

std::string build_select(DatabaseKind kind, const SelectParts& parts) { return dialect(kind).build_select(parts); }

UpsertStatements build_upsert(DatabaseKind kind, std::string_view schema, std::string_view table,
                              const std::vector<std::string>& columns, const std::vector<std::string>& key_columns,
                              const std::vector<std::vector<std::string>>& rows) {
    return dialect(kind).build_upsert(schema, table, columns, key_columns, rows);
}

}  // namespace berqenas::remote
