// mssql_type_needs_text_cast and mssql_utf16_select (see mssql_column_reading.hpp).
#include "remote/mssql/mssql_column_reading.hpp"

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

std::string mssql_utf16_select(const std::string& quoted_column, const std::string& remote_type, int max_length) {
    const std::string t = lower(remote_type);
    if (t != "nvarchar" && t != "nchar" && t != "ntext") return {};
    // varbinary(8000) holds any nvarchar(n)/nchar(n) (n <= 4000, two bytes a character) without the
    // PLP encoding of (max), and cannot cut a value if the column is widened after the catalog was read.
    const char* length = t != "ntext" && max_length > 0 ? "8000" : "max";
    return "CAST(" + quoted_column + " AS varbinary(" + length + "))";
}

}  // namespace berqenas::remote
