// The names a CREATE TABLE or ALTER TABLE ... ADD declares, as written. The rewrite folds T-SQL
// names to lower case for PostgreSQL; like Babelfish, the server keeps the declared spelling
// (mssql_declare_names() in mssql_types.sql) for the catalog views that show it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tsql_lexer.h"

namespace berqenas::tds {

struct DeclaredNames {
    std::string table;                  // the table as PostgreSQL names it: "public"."customer" (or "customer")
    std::string table_declared;         // CREATE TABLE: its name as written (Customer); ALTER TABLE: empty
    std::vector<std::pair<std::string, std::string>> columns;   // (PostgreSQL's name, as written)
};

// Empty table when the statement declares nothing (not CREATE TABLE / ALTER TABLE ... ADD).
DeclaredNames declared_names(const std::vector<Token>& statement);

// The statement that records them after the DDL ran: SELECT public.mssql_declare_names(...); ""
// when every name was written in lower case (nothing to remember).
std::string declare_names_sql(const DeclaredNames& names);

}  // namespace berqenas::tds
