// Which PostgreSQL type a remote column becomes (docs/type-mapping.md is the same table in prose).
// Pure function of the remote catalog's description; used by IMPORT FOREIGN SCHEMA and sync.
#pragma once

#include "common/pure_cpp.hpp"

#include <string>

#include "remote/connection_params.hpp"
#include "remote/table_schema.hpp"

namespace berqenas::remote {

// MSSQL: column.remote_type is INFORMATION_SCHEMA.COLUMNS.DATA_TYPE (lower case), with
// max_length (-1 for (max)), precision and scale. PostgreSQL: the remote type as format_type()
// prints it, kept as is. Never throws: an unknown MSSQL type maps to text.
std::string map_remote_type(DatabaseKind kind, const RemoteColumn& column);

// Fills local_type of every column (and fallback_type for PostgreSQL domains/enums is left as
// describe_table set it).
void apply_type_mapping(DatabaseKind kind, RemoteTable& table);

// True for MSSQL types we read as text by converting them remotely (sql_variant).
bool mssql_type_needs_text_cast(const std::string& remote_type);

// The select-list item that reads an MSSQL column of type remote_type (DATA_TYPE, any case) and
// declared length max_length (characters, -1 for max) as its UTF-16LE bytes, for nvarchar, nchar
// and ntext: "CAST([c] AS varbinary(8000))" for nvarchar(n)/nchar(n) (no PLP), else varbinary(max).
// Empty for every other type (read as it is). quoted_column is the column already quoted.
std::string mssql_utf16_select(const std::string& quoted_column, const std::string& remote_type, int max_length);

}  // namespace berqenas::remote
