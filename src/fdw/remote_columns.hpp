// The remote types of an MSSQL table's columns, as a scan needs them at plan time: which columns
// are nvarchar/nchar/ntext, so they can be read as UTF-16 bytes (see nvarchar_transfer).
#pragma once

#include <string>

#include "fdw/fdw_options.hpp"

namespace berqenas::fdw {

// The select-list item for column attnum of an MSSQL table: "CAST([c] AS varbinary(...))" when
// the remote column is an n-type and table.nvarchar_utf16 is set, else "" (read it as it is).
// The remote catalog (INFORMATION_SCHEMA.COLUMNS) is asked once per table per connection; a table
// defined by a query, a catalog that cannot be read, or a remote whose varbinary casts do not give
// UTF-16 (older Babelfish; probed once per connection) gives "" for every column.
std::string mssql_utf16_select(const TableOptions& table, Oid user_oid, int attnum);

}  // namespace berqenas::fdw
