// What a sync must do to the local table before copying rows: create it (columns in remote order,
// primary key), add the columns the remote gained, or refuse when a column was dropped or retyped.
// Pure C++: types arrive already canonical (PostgreSQL's format_type spelling) from the caller.
#pragma once

#include "common/pure_cpp.hpp"

#include <optional>
#include <string>
#include <vector>

#include "remote/table_schema.hpp"

namespace berqenas::sync {

struct LocalColumn {
    std::string name;
    std::string type;   // format_type(atttypid, atttypmod)
};

// One remote column as the local table must hold it.
struct PlannedColumn {
    std::string name;
    std::string type;   // canonical local type
    bool not_null = false;
};

struct SchemaPlan {
    bool create = false;                     // the local table does not exist yet
    std::vector<std::string> statements;     // CREATE TABLE / ALTER TABLE ADD COLUMN, in order
    std::vector<std::string> added_columns;  // names of the columns ALTER TABLE adds
};

// "x" with " doubled: always quoted, so case and keywords survive.
std::string quote_ident(const std::string& name);
std::string qualified(const std::string& schema, const std::string& table);

// remote_table names the table in messages; columns are the remote columns with their canonical
// local types; key is the remote primary key (empty: none). local is nullopt when the table does
// not exist. Throws Error 42P10-like refusals:
//  - no primary key and !allow_without_key: 55000 naming the table;
//  - a local column the remote no longer has: 42703 naming it, nothing changed;
//  - a column whose type changed: 42804 naming it with both types, nothing changed.
SchemaPlan plan_schema(const std::string& remote_table, const std::vector<PlannedColumn>& columns,
                       const std::vector<std::string>& key, const std::optional<std::vector<LocalColumn>>& local,
                       const std::string& local_schema, const std::string& local_table, bool allow_without_key);

}  // namespace berqenas::sync
