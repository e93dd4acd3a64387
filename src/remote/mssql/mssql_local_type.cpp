// Which PostgreSQL type an MSSQL column becomes: issue 4's list (docs/type-mapping.md is the same
// table in prose). An unknown type maps to text, which holds anything the remote can print.
#include <algorithm>
#include <cctype>

#include "remote/mssql/mssql_dialect.hpp"

namespace berqenas::remote::mssql {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

}  // namespace

std::string MssqlDialect::local_type(const RemoteColumn& c) const {
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

}  // namespace berqenas::remote::mssql
