// Chooses the SQL Server type for a PostgreSQL result column: the natural counterpart of a
// built-in type, or the type a `mssql_<type>` domain names (see mssql_types.sql).
#pragma once

#include <string>

#include "column_type.h"

namespace berqenas::tds {

// type_oid and typmod as libpq reports them (domains already resolved to their base type);
// domain_name is the column's declared domain when it has one, else empty.
ColumnType map_pg_type(unsigned type_oid, int typmod, const std::string& domain_name);

// varbinary(max) whose values are PostgreSQL text sent as UTF-16LE bytes: what SQL Server returns
// for CAST(nvarchar AS varbinary(...)) (the stand-in evaluates that cast to type mssql_utf16).
ColumnType utf16_varbinary();

}  // namespace berqenas::tds
