// Whether two names from a remote's catalog, a user or another catalog view denote the same object,
// as that remote compares them (Dialect::names_ignore_case says whether case matters there).
#pragma once

#include "common/pure_cpp.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "remote/connection_params.hpp"

namespace berqenas::remote {

// An MSSQL name in the form SQL Server compares under its default collation
// (SQL_Latin1_General_CP1_CI_AS): case-insensitive, accent-sensitive. Letters are lower-cased in
// ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic (UTF-8); everything else is kept as is.
// Babelfish's catalog answers some views in lower case and others as declared
// (INFORMATION_SCHEMA.KEY_COLUMN_USAGE "customerid", COLUMNS "CustomerId"), so names from two views
// must be compared this way, never byte for byte.
std::string mssql_name_key(std::string_view name);

// Same object to a remote of this kind? Names that ignore case (MSSQL): mssql_name_key equal;
// else (PostgreSQL, where quoted identifiers are case-sensitive) the same bytes.
bool same_identifier(DatabaseKind kind, std::string_view a, std::string_view b);
// The form in which names of this kind compare equal (a map key): mssql_name_key(name) where
// names ignore case, else the name itself.
std::string identifier_key(DatabaseKind kind, std::string_view name);

// Which of names (say, a table's columns as declared) the name denotes to the remote: the entry of
// exactly that spelling, else (MSSQL) the single entry equal to it ignoring case. nullopt when
// there is none, or when several differ from it only in case (a case-sensitive SQL Server
// collation, where the name denotes neither).
std::optional<size_t> find_identifier(DatabaseKind kind, const std::vector<std::string>& names, std::string_view name);

}  // namespace berqenas::remote
