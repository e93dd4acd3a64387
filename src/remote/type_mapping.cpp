// The type mapping table. MSSQL types follow issue 4's list; PostgreSQL keeps the remote type.
#include "remote/type_mapping.hpp"

#include <algorithm>
#include <cctype>

namespace berqenas::remote {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

std::string mssql_local_type(const RemoteColumn& c) {
    const std::string t = lower(c.remote_type);
    if (t == "bit") return "boolean";
    if (t == "tinyint" || t == "smallint") return "smallint";
    if (t == "int") return "integer";
    if (t == "bigint") return "bigint";
    if (t == "decimal" || t == "numeric") {
        if (c.precision > 0) return "numeric(" + std::to_string(c.precision) + "," + std::to_string(c.scale) + ")";
        return "numeric";
    }
    if (t == "money") return "numeric(19,4)";
    if (t == "smallmoney") return "numeric(10,4)";
    if (t == "real") return "real";
    if (t == "float") return c.precision > 0 && c.precision <= 24 ? "real" : "double precision";
    if (t == "date") return "date";
    if (t == "time") return "time";
    if (t == "datetime" || t == "datetime2" || t == "smalldatetime") return "timestamp";
    if (t == "datetimeoffset") return "timestamptz";
    if (t == "char" || t == "nchar") return c.max_length > 0 ? "char(" + std::to_string(c.max_length) + ")" : "char(1)";
    if (t == "varchar" || t == "nvarchar") return c.max_length > 0 ? "varchar(" + std::to_string(c.max_length) + ")" : "text";
    if (t == "sysname") return "varchar(128)";
    if (t == "text" || t == "ntext") return "text";
    if (t == "binary" || t == "varbinary" || t == "image" || t == "rowversion" || t == "timestamp") return "bytea";
    if (t == "uniqueidentifier") return "uuid";
    if (t == "xml") return "xml";
    // CLR types: their native serialisation, lossless and re-insertable (see docs/type-mapping.md).
    if (t == "geometry" || t == "geography" || t == "hierarchyid") return "bytea";
    // sql_variant holds any base type; we read it converted to text on the remote.
    if (t == "sql_variant") return "text";
    return "text";
}

}  // namespace

bool mssql_type_needs_text_cast(const std::string& remote_type) { return lower(remote_type) == "sql_variant"; }

std::string map_remote_type(DatabaseKind kind, const RemoteColumn& column) {
    if (kind == DatabaseKind::mssql) return mssql_local_type(column);
    return column.remote_type;
}

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
