// How some SQL Server columns are selected so that we, not db-lib, convert their values: n-type
// text as its UTF-16LE bytes, sql_variant as text. MSSQL only, so it lives in the kind's folder.
#pragma once

#include "common/pure_cpp.hpp"

#include <string>

namespace berqenas::remote {

// True for MSSQL types we read as text by converting them remotely (sql_variant).
bool mssql_type_needs_text_cast(const std::string& remote_type);

// The select-list item that reads an MSSQL column of type remote_type (DATA_TYPE, any case) and
// declared length max_length (characters, -1 for max) as its UTF-16LE bytes, for nvarchar, nchar
// and ntext: "CAST([c] AS varbinary(8000))" for nvarchar(n)/nchar(n) (no PLP), else varbinary(max).
// Empty for every other type (read as it is). quoted_column is the column already quoted.
std::string mssql_utf16_select(const std::string& quoted_column, const std::string& remote_type, int max_length);

}  // namespace berqenas::remote
