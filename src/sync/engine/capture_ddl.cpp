// capture_objects and the realtime queries for PostgreSQL and T-SQL.
#include "sync/engine/capture_ddl.hpp"

#include <cstdio>
#include <functional>

#include "common/error.hpp"
#include "remote/sql_dialect.hpp"

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

std::string q(DatabaseKind kind, const std::string& name) { return remote::quote_identifier(kind, name); }

std::string key_list(DatabaseKind kind, const remote::RemoteTable& t, const std::string& prefix) {
    std::string out;
    for (size_t i = 0; i < t.primary_key.size(); ++i) out += (i ? ", " : "") + prefix + q(kind, t.primary_key[i]);
    return out;
}

std::string key_match(DatabaseKind kind, const remote::RemoteTable& t, const std::string& a, const std::string& b) {
    std::string out;
    for (size_t i = 0; i < t.primary_key.size(); ++i)
        out += (i ? " AND " : "") + a + "." + q(kind, t.primary_key[i]) + " = " + b + "." + q(kind, t.primary_key[i]);
    return out;
}

const remote::RemoteColumn& column_named(const remote::RemoteTable& t, const std::string& name) {
    for (const auto& c : t.columns)
        if (c.name == name) return c;
    throw Error(sqlstate::internal_error, "primary key column \"" + name + "\" is not a column of \"" + t.name + "\"");
}

}  // namespace

std::string capture_table_name(const std::string& table) {
    std::string name = "berqenas_cdc_" + table;
    if (name.size() <= 63) return name;
    return name.substr(0, 54) + "_" + hex8(table);
}

std::string remote_type_ddl(DatabaseKind kind, const remote::RemoteColumn& c) {
    if (kind == DatabaseKind::postgresql) return c.remote_type;
    const std::string& t = c.remote_type;
    auto sized = [&](const std::string& name) {
        return name + "(" + (c.max_length < 0 ? std::string("max") : std::to_string(c.max_length > 0 ? c.max_length : 1)) + ")";
    };
    if (t == "char" || t == "varchar" || t == "nchar" || t == "nvarchar" || t == "binary" || t == "varbinary")
        return sized(t);
    if (t == "decimal" || t == "numeric")
        return t + "(" + std::to_string(c.precision > 0 ? c.precision : 18) + "," + std::to_string(c.scale) + ")";
    return t;
}

CaptureObjects capture_objects(DatabaseKind kind, const remote::RemoteTable& t) {
    if (t.primary_key.empty())
        throw Error(sqlstate::object_not_in_prerequisite_state,
                    "remote table \"" + t.name + "\" has no primary key; realtime sync needs one",
                    {}, "add a primary key to the remote table, or sync it with sync_mode => 'full'");
    CaptureObjects o;
    o.change_table = capture_table_name(t.name);
    o.trigger = o.change_table;
    const std::string table = remote::qualified_name(kind, t.schema, t.name);
    const std::string changes = remote::qualified_name(kind, t.schema, o.change_table);
    std::string key_columns_ddl;
    for (const auto& k : t.primary_key)
        key_columns_ddl += ", " + q(kind, k) + " " + remote_type_ddl(kind, column_named(t, k));
    const std::string keys = key_list(kind, t, "");

    if (kind == DatabaseKind::postgresql) {
        const std::string fn = remote::qualified_name(kind, t.schema, o.change_table + "_fn");
        std::string old_keys, new_keys, old_tuple, new_tuple;
        for (size_t i = 0; i < t.primary_key.size(); ++i) {
            old_keys += (i ? ", " : "") + std::string("OLD.") + q(kind, t.primary_key[i]);
            new_keys += (i ? ", " : "") + std::string("NEW.") + q(kind, t.primary_key[i]);
        }
        old_tuple = "ROW(" + old_keys + ")";
        new_tuple = "ROW(" + new_keys + ")";
        o.install.push_back("CREATE TABLE IF NOT EXISTS " + changes +
                            " (change_id bigserial PRIMARY KEY, op char(1) NOT NULL" + key_columns_ddl +
                            ", changed_at timestamptz NOT NULL DEFAULT clock_timestamp())");
        o.install.push_back(
            "CREATE OR REPLACE FUNCTION " + fn + "() RETURNS trigger LANGUAGE plpgsql AS $berqenas$\n"
            "BEGIN\n"
            "    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND " + old_tuple + " IS DISTINCT FROM " + new_tuple + ") THEN\n"
            "        INSERT INTO " + changes + " (op, " + keys + ") VALUES ('D', " + old_keys + ");\n"
            "    END IF;\n"
            "    IF TG_OP IN ('INSERT', 'UPDATE') THEN\n"
            "        INSERT INTO " + changes + " (op, " + keys + ") VALUES (left(TG_OP, 1), " + new_keys + ");\n"
            "    END IF;\n"
            "    PERFORM pg_notify('" + std::string(capture_channel) + "', TG_TABLE_NAME);\n"
            "    RETURN NULL;\n"
            "END\n$berqenas$");
        o.install.push_back("DROP TRIGGER IF EXISTS " + q(kind, o.trigger) + " ON " + table);
        o.install.push_back("CREATE TRIGGER " + q(kind, o.trigger) + " AFTER INSERT OR UPDATE OR DELETE ON " + table +
                            " FOR EACH ROW EXECUTE FUNCTION " + fn + "()");
        o.remove.push_back("DROP TRIGGER IF EXISTS " + q(kind, o.trigger) + " ON " + table);
        o.remove.push_back("DROP FUNCTION IF EXISTS " + fn + "()");
        o.remove.push_back("DROP TABLE IF EXISTS " + changes);
        return o;
    }

    // T-SQL: CREATE TRIGGER must start its batch; each statement here is sent as its own batch.
    const std::string trigger = remote::qualified_name(kind, t.schema, o.trigger);
    o.install.push_back("IF OBJECT_ID(" + remote::quote_literal(kind, changes) + ", N'U') IS NULL CREATE TABLE " +
                        changes + " (change_id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY, op char(1) NOT NULL" +
                        key_columns_ddl + ", changed_at datetime2 NOT NULL DEFAULT SYSUTCDATETIME())");
    o.install.push_back("DROP TRIGGER IF EXISTS " + trigger);
    o.install.push_back(
        "CREATE TRIGGER " + trigger + " ON " + table + " AFTER INSERT, UPDATE, DELETE AS\n"
        "BEGIN\n"
        "    SET NOCOUNT ON;\n"
        "    INSERT INTO " + changes + " (op, " + keys + ") SELECT 'D', " + key_list(kind, t, "d.") +
        " FROM deleted d WHERE NOT EXISTS (SELECT 1 FROM inserted i WHERE " + key_match(kind, t, "i", "d") + ");\n"
        "    INSERT INTO " + changes + " (op, " + keys + ") SELECT 'U', " + key_list(kind, t, "i.") + " FROM inserted i;\n"
        "END");
    o.remove.push_back("DROP TRIGGER IF EXISTS " + trigger);
    o.remove.push_back("DROP TABLE IF EXISTS " + changes);
    return o;
}

std::string capture_fetch_sql(DatabaseKind kind, const remote::RemoteTable& t, const std::vector<std::string>& columns,
                              int limit) {
    const std::string table = remote::qualified_name(kind, t.schema, t.name);
    const std::string changes = remote::qualified_name(kind, t.schema, capture_table_name(t.name));
    remote::SelectParts parts;
    parts.columns = "c.change_id, c.op, " + key_list(kind, t, "c.");
    for (const auto& col : columns) {
        parts.columns += ", t." + q(kind, col);
        for (const auto& c : t.columns)
            if (c.name == col && c.read_as_text) parts.columns += "::text";   // the remote's own type
    }
    parts.from = changes + " c LEFT JOIN " + table + " t ON " + key_match(kind, t, "t", "c");
    parts.order_by = "c.change_id";
    parts.limit = limit;
    return remote::build_select(kind, parts);
}

std::string capture_delete_sql(DatabaseKind kind, const remote::RemoteTable& t, const std::vector<long long>& ids) {
    std::string list;
    for (size_t i = 0; i < ids.size(); ++i) list += (i ? "," : "") + std::to_string(ids[i]);
    return "DELETE FROM " + remote::qualified_name(kind, t.schema, capture_table_name(t.name)) +
           " WHERE change_id IN (" + list + ")";
}

}  // namespace berqenas::sync
