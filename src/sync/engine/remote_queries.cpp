// The remote SELECTs of a sync, spelled per kind through remote/sql_dialect.
#include "sync/engine/remote_queries.hpp"

#include "remote/sql_dialect.hpp"
#include "remote/type_mapping.hpp"

namespace berqenas::sync {

using remote::DatabaseKind;

RemoteSelect select_all(DatabaseKind kind, const remote::RemoteTable& table, const std::vector<std::string>& columns,
                        bool nvarchar_as_utf16) {
    RemoteSelect s;
    std::string list;
    for (size_t i = 0; i < columns.size(); ++i) {
        std::string quoted = remote::quote_identifier(kind, columns[i]);
        std::string as_bytes;
        for (const auto& c : table.columns) {
            if (c.name != columns[i]) continue;
            if (nvarchar_as_utf16 && kind == DatabaseKind::mssql)
                as_bytes = remote::mssql_utf16_select(quoted, c.remote_type, c.max_length);
            // An enum or other type of the remote's own: as text, as the FDW reads it.
            if (c.read_as_text) quoted += "::text";
        }
        s.utf16.push_back(!as_bytes.empty());
        list += (i ? ", " : "") + (as_bytes.empty() ? quoted : as_bytes);
    }
    s.sql = "SELECT " + list + " FROM " + remote::qualified_name(kind, table.schema, table.name);
    return s;
}

RemoteSelect select_since(DatabaseKind kind, const remote::RemoteTable& table, const std::vector<std::string>& columns,
                          const std::string& column, WatermarkKind watermark_kind, const std::string& since,
                          bool nvarchar_as_utf16) {
    RemoteSelect s = select_all(kind, table, columns, nvarchar_as_utf16);
    const std::string col = remote::quote_identifier(kind, column);
    if (kind == DatabaseKind::postgresql) {
        // The parameter takes the column's own type; timestamptz text carries its zone.
        s.sql += " WHERE " + col + " > $1";
        s.params.push_back(watermark_kind == WatermarkKind::timestamptz ? since + "+00" : since);
        return s;
    }
    std::string value;
    switch (watermark_kind) {
        case WatermarkKind::timestamp: value = "CAST(" + remote::quote_literal(kind, since) + " AS datetime2)"; break;
        case WatermarkKind::timestamptz:
            value = "CAST(" + remote::quote_literal(kind, since + " +00:00") + " AS datetimeoffset)";
            break;
        case WatermarkKind::date: value = "CAST(" + remote::quote_literal(kind, since) + " AS date)"; break;
        case WatermarkKind::number: value = since; break;   // digits (and sign/point) only, checked by the caller
    }
    s.sql += " WHERE " + col + " > " + value;
    return s;
}

std::string database_size_sql(DatabaseKind kind) {
    if (kind == DatabaseKind::postgresql) return "SELECT pg_database_size(current_database())";
    return "SELECT SUM(CAST(size AS bigint)) * 8192 FROM sys.database_files";
}

std::string row_estimate_sql(DatabaseKind kind, const remote::RemoteTable& table) {
    if (kind == DatabaseKind::postgresql)
        return "SELECT c.reltuples::bigint FROM pg_catalog.pg_class c WHERE c.oid = to_regclass(" +
               remote::quote_literal(kind, remote::qualified_name(kind, table.schema, table.name)) + ")";
    return "SELECT SUM(p.rows) FROM sys.partitions p WHERE p.object_id = OBJECT_ID(" +
           remote::quote_literal(kind, remote::qualified_name(kind, table.schema, table.name)) +
           ") AND p.index_id IN (0, 1)";
}

std::string row_count_sql(DatabaseKind kind, const remote::RemoteTable& table) {
    return std::string(kind == DatabaseKind::postgresql ? "SELECT count(*)" : "SELECT COUNT_BIG(*)") + " FROM " +
           remote::qualified_name(kind, table.schema, table.name);
}

}  // namespace berqenas::sync
