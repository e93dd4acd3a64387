// The change-capture objects realtime sync installs on a remote, as SQL text for each kind:
// a change table holding (change_id, op, key columns), and a trigger that fills it.
// PostgreSQL: a row trigger (plpgsql) that also NOTIFYs berqenas_capture.
// MSSQL: an AFTER INSERT, UPDATE, DELETE trigger reading inserted/deleted, written for SQL Server
// and Babelfish for PostgreSQL alike (no MERGE, no OUTPUT, one statement per batch).
#pragma once

#include "common/pure_cpp.hpp"

#include <string>
#include <vector>

#include "remote/connection_params.hpp"
#include "remote/table_schema.hpp"

namespace berqenas::sync {

inline constexpr const char* capture_channel = "berqenas_capture";

struct CaptureObjects {
    std::string change_table;              // unqualified name, in the source table's schema
    std::string trigger;                   // unqualified trigger name
    std::vector<std::string> install;      // statements (one batch each), idempotent
    std::vector<std::string> remove;       // statements (one batch each), idempotent
};

// Names derive from the table: berqenas_cdc_<table> (shortened with a hash past 63 bytes).
std::string capture_table_name(const std::string& table);

// table.primary_key must not be empty (realtime matches rows by key).
CaptureObjects capture_objects(remote::DatabaseKind kind, const remote::RemoteTable& table);

// The remote type of a key column as DDL spells it (MSSQL: nvarchar(50), decimal(10,2), ...).
std::string remote_type_ddl(remote::DatabaseKind kind, const remote::RemoteColumn& column);

// SELECT change_id, op, <key columns of the change>, <every table column of the current row>
// FROM change table LEFT JOIN table ON key, oldest first, at most limit rows. The current row's
// columns are NULL when the row is gone (a delete, or deleted since).
std::string capture_fetch_sql(remote::DatabaseKind kind, const remote::RemoteTable& table,
                              const std::vector<std::string>& columns, int limit);
// DELETE the applied changes (ids are change_id values).
std::string capture_delete_sql(remote::DatabaseKind kind, const remote::RemoteTable& table,
                               const std::vector<long long>& change_ids);

}  // namespace berqenas::sync
