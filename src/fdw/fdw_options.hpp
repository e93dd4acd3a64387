// berqenas_fdw options: the validator's rules, and the options of one foreign table gathered
// from its server, user mapping, table and columns (tds_fdw's names work the same way here).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg/guard.hpp"
#include "remote/connection_params.hpp"

namespace berqenas::fdw {

struct ColumnOptions {
    int attnum = 0;               // 1-based local attribute number
    std::string local_name;
    std::string remote_name;      // column_name option, or the local name
    bool key = false;             // key 'true': used to find rows for UPDATE/DELETE
    bool dropped = false;
    Oid type_oid = InvalidOid;
    int32 typmod = -1;
};

struct TableOptions {
    Oid server_oid = InvalidOid;
    std::string server_name;
    Oid user_oid = InvalidOid;
    remote::DatabaseKind kind = remote::default_database_kind;
    std::string schema_name;      // remote schema ('' = the remote default, or the registry's schema)
    std::string table_name;       // remote table (default: the local name)
    std::string query;            // a remote SELECT used instead of a table (read-only)
    int fetch_size = 1000;
    int batch_size = 100;
    // MSSQL: read nvarchar/nchar/ntext columns as varbinary (UTF-16LE) and convert them here
    // (server option nvarchar_transfer 'utf16', the default; 'text' leaves it to db-lib).
    bool nvarchar_utf16 = true;
    std::vector<ColumnOptions> columns;   // index attnum - 1
};

// Reads everything for a foreign table (catalog lookups run inside pg_call).
TableOptions table_options(Oid foreign_table_oid);

// Connection parameters for a server and the current user: registry (remote_database) or the
// server's host/port/dbname with the user mapping's username/password. Opens the registry's
// secret only here, as the extension's owner.
remote::ConnectionParams connection_params(Oid server_oid, Oid user_oid, std::string* registry_schema = nullptr);

// The remote kind of a server (database_type, or the registered database's type), cached.
remote::DatabaseKind server_kind(Oid server_oid);

// Integer option of a server (fetch_size, batch_size, ...), or fallback.
int server_int_option(Oid server_oid, const char* name, int fallback);

}  // namespace berqenas::fdw
