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

}  // namespace berqenas::remote
