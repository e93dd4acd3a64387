// The remote SELECTs of a sync, spelled per kind by remote::dialect(kind).
#include "sync/engine/remote_queries.hpp"

#include "remote/dialect.hpp"

namespace berqenas::sync {

using remote::DatabaseKind;

RemoteSelect select_all(DatabaseKind kind, const remote::RemoteTable& table, const std::vector<std::string>& columns,
                        bool nvarchar_as_utf16) {
    const remote::Dialect& d = remote::dialect(kind);
    RemoteSelect s;
    std::string list;
    for (size_t i = 0; i < columns.size(); ++i) {
        std::string quoted = d.quote_identifier(columns[i]);
        std::string as_bytes;
        for (const auto& c : table.columns) {
            if (c.name != columns[i]) continue;
            if (nvarchar_as_utf16) as_bytes = d.utf16_select(quoted, c);
            // An enum or other type of the remote's own: as text, as the FDW reads it.
            if (c.read_as_text) quoted += "::text";
        }
        s.utf16.push_back(!as_bytes.empty());
        list += (i ? ", " : "") + (as_bytes.empty() ? quoted : as_bytes);
    }
    s.sql = "SELECT " + list + " FROM " + d.qualified_name(table.schema, table.name);
    return s;
}

RemoteSelect select_since(DatabaseKind kind, const remote::RemoteTable& table, const std::vector<std::string>& columns,
                          const std::string& column, WatermarkKind watermark_kind, const std::string& since,
                          bool nvarchar_as_utf16) {
    const remote::Dialect& d = remote::dialect(kind);
    RemoteSelect s = select_all(kind, table, columns, nvarchar_as_utf16);
    s.sql += " WHERE " + d.later_than(d.quote_identifier(column), watermark_kind, since, s.params);
    return s;
}

std::string database_size_sql(DatabaseKind kind) { return remote::dialect(kind).database_size_sql(); }

std::string row_estimate_sql(DatabaseKind kind, const remote::RemoteTable& table) {
    return remote::dialect(kind).row_estimate_sql(table.schema, table.name);
}

std::string row_count_sql(DatabaseKind kind, const remote::RemoteTable& table) {
    return remote::dialect(kind).row_count_sql(table.schema, table.name);
}

}  // namespace berqenas::sync
