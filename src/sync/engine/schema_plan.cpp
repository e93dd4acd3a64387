// plan_schema: compares the remote shape with the local table and says what DDL to run, or why not.
#include "sync/engine/schema_plan.hpp"

#include <map>

#include "common/error.hpp"

namespace berqenas::sync {

std::string quote_ident(const std::string& name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string qualified(const std::string& schema, const std::string& table) {
    return quote_ident(schema) + "." + quote_ident(table);
}

SchemaPlan plan_schema(const std::string& remote_table, const std::vector<PlannedColumn>& columns,
                       const std::vector<std::string>& key, const std::optional<std::vector<LocalColumn>>& local,
                       const std::string& local_schema, const std::string& local_table, bool allow_without_key) {
    if (key.empty() && !allow_without_key)
        throw Error(sqlstate::object_not_in_prerequisite_state,
                    "remote table \"" + remote_table + "\" has no primary key",
                    "incremental and realtime sync match rows by primary key",
                    "add a primary key to the remote table, or sync it with sync_mode => 'full'");
    if (columns.empty())
        throw Error(sqlstate::object_not_in_prerequisite_state,
                    "remote table \"" + remote_table + "\" has no columns Berqenas can read");

    SchemaPlan plan;
    const std::string target = qualified(local_schema, local_table);
    if (!local) {
        plan.create = true;
        std::string sql = "CREATE TABLE " + target + " (";
        bool first = true;
        for (const auto& c : columns) {
            if (!first) sql += ", ";
            first = false;
            sql += quote_ident(c.name) + " " + c.type;
            if (c.not_null) sql += " NOT NULL";
        }
        if (!key.empty()) {
            sql += ", PRIMARY KEY (";
            for (size_t i = 0; i < key.size(); ++i) sql += (i ? ", " : "") + quote_ident(key[i]);
            sql += ")";
        }
        sql += ")";
        plan.statements.push_back(sql);
        return plan;
    }

    std::map<std::string, const PlannedColumn*> remote_by_name;
    for (const auto& c : columns) remote_by_name[c.name] = &c;
    std::map<std::string, const LocalColumn*> local_by_name;
    for (const auto& c : *local) local_by_name[c.name] = &c;

    std::string dropped;
    for (const auto& c : *local)
        if (!remote_by_name.count(c.name)) dropped += (dropped.empty() ? "" : ", ") + c.name;
    if (!dropped.empty())
        throw Error(sqlstate::undefined_column,
                    "remote table \"" + remote_table + "\" no longer has column(s) " + dropped +
                        " that local table " + target + " holds",
                    "nothing was changed",
                    "drop the column(s) locally (ALTER TABLE ... DROP COLUMN) if the remote change is intended");
    std::string retyped;
    for (const auto& c : columns) {
        auto it = local_by_name.find(c.name);
        if (it != local_by_name.end() && it->second->type != c.type)
            retyped += (retyped.empty() ? "" : "; ") + c.name + ": local " + it->second->type + ", remote now " + c.type;
    }
    if (!retyped.empty())
        throw Error(sqlstate::datatype_mismatch,
                    "remote table \"" + remote_table + "\" changed the type of column(s) that local table " + target +
                        " holds",
                    retyped + "; nothing was changed",
                    "alter the local column to the new type (ALTER TABLE ... ALTER COLUMN ... TYPE) and sync again");
    for (const auto& c : columns) {
        if (local_by_name.count(c.name)) continue;
        // Added columns are nullable locally: rows already copied have no value for them yet.
        plan.statements.push_back("ALTER TABLE " + target + " ADD COLUMN " + quote_ident(c.name) + " " + c.type);
        plan.added_columns.push_back(c.name);
    }
    return plan;
}

}  // namespace berqenas::sync
