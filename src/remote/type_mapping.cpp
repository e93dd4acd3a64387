// The type mapping, asked of each kind's dialect (the MSSQL table is mssql/mssql_local_type.cpp).
#include "remote/type_mapping.hpp"

#include "remote/dialect.hpp"

namespace berqenas::remote {

std::string map_remote_type(DatabaseKind kind, const RemoteColumn& column) { return dialect(kind).local_type(column); }

void apply_type_mapping(DatabaseKind kind, RemoteTable& table) {
    for (auto& c : table.columns) c.local_type = map_remote_type(kind, c);
}

}  // namespace berqenas::remote
