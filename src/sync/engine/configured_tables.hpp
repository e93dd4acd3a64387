// Which remote tables a sync configuration covers: the listed ones, or every table of the remote
// schema except our own change tables. Pure C++: run, verify, config check and capture share it.
#pragma once

#include "common/pure_cpp.hpp"

#include <optional>
#include <string>
#include <vector>

#include "remote/remote_connection.hpp"

namespace berqenas::sync {

// Whether a remote table is one of realtime capture's change tables (capture_table_name), which
// are never synced themselves.
bool is_capture_table(const std::string& table);

// tables when given (configure_sync's list), else the remote's list_tables(schema) without the
// change tables.
std::vector<std::string> configured_tables(const std::optional<std::vector<std::string>>& tables,
                                           const std::string& schema, remote::RemoteConnection& conn);

// Each of names as the remote declares it, where the remote resolves names in any case (MSSQL: a
// configured "customer" is the remote's Customer, and that spelling then names the local table
// and the results); a name the remote does not have, or where names are exact, stays as it is.
// Lists the schema's tables only where that can change a name.
void resolve_declared_names(std::vector<std::string>& names, const std::string& schema, remote::RemoteConnection& conn);

}  // namespace berqenas::sync
