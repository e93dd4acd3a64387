// The SELECTs a sync sends to the remote, for each kind: the whole table, the rows past a
// watermark, the database size (limit check) and a row estimate (progress). Pure C++.
#pragma once

#include "common/pure_cpp.hpp"

#include <optional>
#include <string>
#include <vector>

#include "remote/connection_params.hpp"
#include "remote/dialect.hpp"
#include "remote/table_schema.hpp"

namespace berqenas::sync {

// How the watermark column compares: a point in time, or a plain number/date.
using WatermarkKind = remote::WatermarkKind;

struct RemoteSelect {
    std::string sql;
    std::vector<std::optional<std::string>> params;   // PostgreSQL only ($1...)
    // Per selected column: read as varbinary, its values UTF-16LE (see nvarchar_as_utf16).
    std::vector<bool> utf16;
};

// SELECT <columns> FROM <schema.table>. nvarchar_as_utf16 (MSSQL, when the connection's
// casts_nvarchar_to_utf16()): nvarchar/nchar/ntext columns are selected as their UTF-16 bytes,
// which we convert, instead of through db-lib's iconv (remote::mssql_utf16_select).
RemoteSelect select_all(remote::DatabaseKind kind, const remote::RemoteTable& table,
                        const std::vector<std::string>& columns, bool nvarchar_as_utf16 = false);
// ... WHERE <column> > <since> (since: "YYYY-MM-DD HH:MI:SS.ffffff" in UTC for timestamptz, the
// local text for the others; already moved back by the overlap window).
RemoteSelect select_since(remote::DatabaseKind kind, const remote::RemoteTable& table,
                          const std::vector<std::string>& columns, const std::string& column,
                          WatermarkKind watermark_kind, const std::string& since, bool nvarchar_as_utf16 = false);

// One row, one column: the remote database's size in bytes.
std::string database_size_sql(remote::DatabaseKind kind);
// One row, one column: estimated rows of the table (cheap: statistics, not a count).
std::string row_estimate_sql(remote::DatabaseKind kind, const remote::RemoteTable& table);
// One row, one column: exact row count (used when there are no statistics yet).
std::string row_count_sql(remote::DatabaseKind kind, const remote::RemoteTable& table);

}  // namespace berqenas::sync
