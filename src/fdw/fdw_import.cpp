// IMPORT FOREIGN SCHEMA: one CREATE FOREIGN TABLE per remote table, with the mapped types,
// NOT NULL, and primary key columns marked key 'true'.
#include <string>
#include <vector>

#include "fdw/connection_cache.hpp"
#include "fdw/fdw_options.hpp"
#include "fdw/fdw_routines.hpp"
#include "remote/identifier.hpp"

extern "C" {
#include "foreign/foreign.h"
#include "nodes/parsenodes.h"
#include "catalog/pg_type.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"
#include "utils/syscache.h"
}

namespace berqenas::fdw {

namespace {

std::string ident(const std::string& s) { return pg::pg_call([&] { return quote_identifier(s.c_str()); }); }
std::string literal(const std::string& s) { return pg::pg_call([&] { return quote_literal_cstr(s.c_str()); }); }

// True when this database knows the type name (our mapping's, or the remote's format_type()).
// The lookup is asked not to fail for a missing type or schema, and without a typmod (whose
// checks could); a name that is not valid type syntax is an error worth seeing, not a fallback.
bool local_type_exists(const std::string& name) {
    Oid type = pg::pg_call([&] {
        TypeName* type_name = typeStringToTypeName(name.c_str());
        Type tuple = LookupTypeName(NULL, type_name, NULL, true);
        if (tuple == NULL) return InvalidOid;
        Form_pg_type form = reinterpret_cast<Form_pg_type>(GETSTRUCT(tuple));
        Oid found = form->typisdefined ? form->oid : InvalidOid;
        ReleaseSysCache(tuple);
        return found;
    });
    return OidIsValid(type);
}

// The LIMIT TO / EXCEPT entry that names the remote table `name`, as the remote compares names
// (where they ignore case, as MSSQL's do, ignoring it), or nullptr.
const char* listed(List* tables, remote::DatabaseKind kind, const std::string& name) {
    ListCell* lc;
    foreach (lc, tables) {
        RangeVar* rv = static_cast<RangeVar*>(lfirst(lc));
        if (remote::same_identifier(kind, name, rv->relname)) return rv->relname;
    }
    return nullptr;
}

}  // namespace

List* import_foreign_schema(ImportForeignSchemaStmt* stmt, Oid server_oid) {
    ForeignServer* server = pg::pg_call([&] { return GetForeignServer(server_oid); });
    std::string server_name = server->servername;
    auto conn = get_connection(server_oid, GetUserId(), false);
    std::string remote_schema = stmt->remote_schema;
    std::vector<std::string> commands;
    for (const std::string& name : conn->list_tables(remote_schema)) {
        const char* entry = listed(stmt->table_list, conn->kind(), name);
        if (stmt->list_type == FDW_IMPORT_SCHEMA_LIMIT_TO && entry == nullptr) continue;
        if (stmt->list_type == FDW_IMPORT_SCHEMA_EXCEPT && entry != nullptr) continue;
        remote::RemoteTable t = conn->describe_table(remote_schema, name);
        // A foreign table is named as the remote declares the table, except one in LIMIT TO,
        // which PostgreSQL keeps only under the name listed: LIMIT TO (customer) on an MSSQL remote
        // imports its Customer as "customer" (table_name 'Customer').
        const std::string local = stmt->list_type == FDW_IMPORT_SCHEMA_LIMIT_TO ? std::string(entry) : name;
        std::string sql = "CREATE FOREIGN TABLE " + ident(local) + " (\n";
        for (size_t i = 0; i < t.columns.size(); ++i) {
            const remote::RemoteColumn& c = t.columns[i];
            std::string type = c.local_type;
            if (!local_type_exists(type)) type = !c.fallback_type.empty() && local_type_exists(c.fallback_type) ? c.fallback_type : "text";
            sql += "  " + ident(c.name) + " " + type + " OPTIONS (column_name " + literal(c.name);
            if (c.in_primary_key) sql += ", key 'true'";
            sql += ")";
            if (!c.nullable) sql += " NOT NULL";
            sql += i + 1 < t.columns.size() ? ",\n" : "\n";
        }
        sql += ") SERVER " + ident(server_name) + " OPTIONS (schema_name " + literal(t.schema) + ", table_name " +
               literal(name) + ")";
        commands.push_back(std::move(sql));
    }
    return pg::pg_call([&] {
        List* out = NIL;
        for (const auto& s : commands) out = lappend(out, pstrdup(s.c_str()));
        return out;
    });
}

}  // namespace berqenas::fdw
