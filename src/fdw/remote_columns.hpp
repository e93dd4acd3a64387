// The remote types of a table's columns, as a scan needs them at plan time where the kind reads
// n-types as UTF-16 bytes (Dialect::reads_nchar_as_utf16; MSSQL's nvarchar/nchar/ntext, see
// nvarchar_transfer).
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
std::vector<std::string> nchar_utf16_selects(const TableOptions& table, Oid user_oid);

}  // namespace berqenas::fdw
