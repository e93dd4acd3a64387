// capture_objects and the realtime queries; each kind's DDL is its dialect's capture_ddl().
#include "sync/engine/capture_ddl.hpp"

#include <cstdio>

#include "common/error.hpp"
#include "remote/dialect.hpp"

namespace berqenas::sync {

using remote::DatabaseKind;

namespace {

std::string hex8(const std::string& s) {
    // FNV-1a, enough to keep shortened names apart.
    uint32_t h = 2166136261u;
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", h);
    return buf;
}

}  // namespace

std::string capture_table_name(const std::string& table) {
    std::string name = "berqenas_cdc_" + table;
    if (name.size() <= 63) return name;
    return name.substr(0, 54) + "_" + hex8(table);
}

std::string remote_type_ddl(DatabaseKind kind, const remote::RemoteColumn& c) {
    return remote::dialect(kind).column_type_ddl(c);
}

CaptureObjects capture_objects(DatabaseKind kind, const remote::RemoteTable& t) {
    if (t.primary_key.empty())
        throw Error(sqlstate::object_not_in_prerequisite_state,
                    "remote table \"" + t.name + "\" has no primary key; realtime sync needs one",
                    {}, "add a primary key to the remote table, or sync it with sync_mode => 'full'");
    CaptureObjects o;
    o.change_table = capture_table_name(t.name);
    o.trigger = o.change_table;
    remote::CaptureDdl ddl = remote::dialect(kind).capture_ddl(t, {o.change_table, o.trigger, capture_channel});
    o.install = std::move(ddl.install);
    o.remove = std::move(ddl.remove);
    return o;
}

std::string capture_fetch_sql(DatabaseKind kind, const remote::RemoteTable& t, const std::vector<std::string>& columns,
                              int limit) {
    const remote::Dialect& d = remote::dialect(kind);
    const std::string table = d.qualified_name(t.schema, t.name);
    const std::string changes = d.qualified_name(t.schema, capture_table_name(t.name));
    remote::SelectParts parts;
    parts.columns = "c.change_id, c.op, " + d.column_list(t.primary_key, "c.");
    for (const auto& col : columns) {
        parts.columns += ", t." + d.quote_identifier(col);
        for (const auto& c : t.columns)
            if (c.name == col && c.read_as_text) parts.columns += "::text";   // the remote's own type
    }
    parts.from = changes + " c LEFT JOIN " + table + " t ON " + d.columns_equal(t.primary_key, "t", "c");
    parts.order_by = "c.change_id";
    parts.limit = limit;
    return d.build_select(parts);
}

std::string capture_delete_sql(DatabaseKind kind, const remote::RemoteTable& t, const std::vector<long long>& ids) {
    std::string list;
    for (size_t i = 0; i < ids.size(); ++i) list += (i ? "," : "") + std::to_string(ids[i]);
    return "DELETE FROM " + remote::dialect(kind).qualified_name(t.schema, capture_table_name(t.name)) +
           " WHERE change_id IN (" + list + ")";
}

}  // namespace berqenas::sync
