// Parsing and describing connection parameters.
#include "remote/connection_params.hpp"

#include "common/error.hpp"

namespace berqenas::remote {

DatabaseKind parse_database_kind(const std::string& name) {
    if (name == "postgresql") return DatabaseKind::postgresql;
    if (name == "mssql") return DatabaseKind::mssql;
    throw Error(sqlstate::invalid_parameter, "unknown database_type \"" + name + "\"", {},
                "database_type must be \"mssql\" or \"postgresql\"");
}

const char* database_kind_name(DatabaseKind kind) {
    return kind == DatabaseKind::mssql ? "mssql" : "postgresql";
}

std::string ConnectionParams::describe() const {
    return std::string(database_kind_name(kind)) + "://" + user + "@" + host + ":" + std::to_string(port) + "/" + database;
}

}  // namespace berqenas::remote
