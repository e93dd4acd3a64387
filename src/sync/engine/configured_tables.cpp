// configured_tables / resolve_declared_names: the table list every sync entry point starts from.
#include "sync/engine/configured_tables.hpp"

#include "remote/identifier.hpp"

namespace berqenas::sync {

// The prefix capture_table_name gives every change table.
bool is_capture_table(const std::string& table) { return table.rfind("berqenas_cdc_", 0) == 0; }

std::vector<std::string> configured_tables(const std::optional<std::vector<std::string>>& tables,
                                           const std::string& schema, remote::RemoteConnection& conn) {
    if (tables) return *tables;
    std::vector<std::string> out;
    for (auto& t : conn.list_tables(schema))
        if (!is_capture_table(t)) out.push_back(t);
    return out;
}

void resolve_declared_names(std::vector<std::string>& names, const std::string& schema, remote::RemoteConnection& conn) {
    // Where a remote compares names byte for byte, every name already is its declared spelling:
    // asking the remote for its tables would only cost a round trip.
    if (!conn.dialect().names_ignore_case()) return;
    const std::vector<std::string> declared = conn.list_tables(schema);
    for (auto& name : names)
        if (auto i = remote::find_identifier(conn.kind(), declared, name)) name = declared[*i];
}

}  // namespace berqenas::sync
