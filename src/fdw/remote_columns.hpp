// The remote types of an MSSQL table's columns, as a scan needs them at plan time: which columns
// are nvarchar/nchar/ntext, so they can be read as UTF-16 bytes (see nvarchar_transfer).
#pragma once

#include <string>
#include <vector>

#include "fdw/fdw_options.hpp"

namespace berqenas::fdw {

// Per column of the table (index attnum - 1), the select-list item that reads it as UTF-16 bytes,
// "CAST([c] AS varbinary(...))", when the remote column is an n-type and table.nvarchar_utf16 is
// set, else "" (read it as it is). Called once per plan. The remote catalog (describe_table) is
// asked once per table per connection; a table defined by a query, a catalog that cannot be read,
// or a remote whose varbinary casts do not give UTF-16 (older Babelfish; probed once per
// connection) gives "" for every column.
std::vector<std::string> mssql_utf16_selects(const TableOptions& table, Oid user_oid);

}  // namespace berqenas::fdw
