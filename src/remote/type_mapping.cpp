// The type mapping, asked of each kind's dialect (the MSSQL table is mssql/mssql_local_type.cpp),
// and the MSSQL reading helpers the driver and the scans share.
#include "remote/type_mapping.hpp"

#include "remote/dialect.hpp"

#include <algorithm>
#include <cctype>

namespace berqenas::remote {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

}  // namespace

bool mssql_type_needs_text_cast(const std::string& remote_type) { return lower(remote_type) == "sql_variant"; }

std::string map_remote_type(DatabaseKind kind, const RemoteColumn& column) { return dialect(kind).local_type(column); }

void apply_type_mapping(DatabaseKind kind, RemoteTable& table) {
    for (auto& c : table.columns) c.local_type = map_remote_type(kind, c);
}

std::string mssql_utf16_select(const std::string& quoted_column, const std::string& remote_type, int max_length) {
    const std::string t = lower(remote_type);
    if (t != "nvarchar" && t != "nchar" && t != "ntext") return {};
    // varbinary(8000) holds any nvarchar(n)/nchar(n) (n <= 4000, two bytes a character) without the
    // PLP encoding of (max), and cannot cut a value if the column is widened after the catalog was read.
    const char* length = t != "ntext" && max_length > 0 ? "8000" : "max";
    return "CAST(" + quoted_column + " AS varbinary(" + length + "))";
}

}  // namespace berqenas::remote
