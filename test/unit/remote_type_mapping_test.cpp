// The type mapping table of docs/type-mapping.md, entry by entry.
#include <gtest/gtest.h>

#include "remote/mssql/mssql_column_reading.hpp"
#include "remote/type_mapping.hpp"

using namespace berqenas::remote;

namespace {
std::string mssql(const std::string& type, int length = 0, int precision = 0, int scale = 0) {
    RemoteColumn c;
    c.remote_type = type;
    c.max_length = length;
    c.precision = precision;
    c.scale = scale;
    return map_remote_type(DatabaseKind::mssql, c);
}
}  // namespace

TEST(RemoteTypeMapping, MssqlNumbers) {
    EXPECT_EQ(mssql("bit"), "boolean");
    EXPECT_EQ(mssql("tinyint"), "smallint");
    EXPECT_EQ(mssql("smallint"), "smallint");
    EXPECT_EQ(mssql("int"), "integer");
    EXPECT_EQ(mssql("bigint"), "bigint");
    EXPECT_EQ(mssql("decimal", 0, 18, 4), "numeric(18,4)");
    EXPECT_EQ(mssql("NUMERIC", 0, 38, 0), "numeric(38,0)");
    EXPECT_EQ(mssql("money"), "numeric(19,4)");
    EXPECT_EQ(mssql("smallmoney"), "numeric(10,4)");
    EXPECT_EQ(mssql("real", 0, 24), "real");
    EXPECT_EQ(mssql("float", 0, 53), "double precision");
}

TEST(RemoteTypeMapping, MssqlDatesAndTimes) {
    EXPECT_EQ(mssql("date"), "date");
    EXPECT_EQ(mssql("time"), "time");
    EXPECT_EQ(mssql("datetime"), "timestamp");
    EXPECT_EQ(mssql("datetime2"), "timestamp");
    EXPECT_EQ(mssql("smalldatetime"), "timestamp");
    EXPECT_EQ(mssql("datetimeoffset"), "timestamptz");
}

TEST(RemoteTypeMapping, MssqlTextBinaryAndOthers) {
    EXPECT_EQ(mssql("char", 10), "char(10)");
    EXPECT_EQ(mssql("nchar", 3), "char(3)");
    EXPECT_EQ(mssql("varchar", 50), "varchar(50)");
    EXPECT_EQ(mssql("nvarchar", 4000), "varchar(4000)");
    EXPECT_EQ(mssql("varchar", -1), "text");
    EXPECT_EQ(mssql("nvarchar", -1), "text");
    EXPECT_EQ(mssql("text"), "text");
    EXPECT_EQ(mssql("ntext"), "text");
    EXPECT_EQ(mssql("binary", 16), "bytea");
    EXPECT_EQ(mssql("varbinary", -1), "bytea");
    EXPECT_EQ(mssql("image"), "bytea");
    EXPECT_EQ(mssql("rowversion"), "bytea");
    EXPECT_EQ(mssql("timestamp"), "bytea");
    EXPECT_EQ(mssql("uniqueidentifier"), "uuid");
    EXPECT_EQ(mssql("xml"), "xml");
    EXPECT_EQ(mssql("geometry"), "bytea");
    EXPECT_EQ(mssql("geography"), "bytea");
    EXPECT_EQ(mssql("hierarchyid"), "bytea");
    EXPECT_EQ(mssql("sql_variant"), "text");
    EXPECT_TRUE(mssql_type_needs_text_cast("sql_variant"));
    EXPECT_FALSE(mssql_type_needs_text_cast("int"));
}

TEST(RemoteTypeMapping, PostgresKeepsTheType) {
    RemoteColumn c;
    c.remote_type = "numeric(12,2)[]";
    EXPECT_EQ(map_remote_type(DatabaseKind::postgresql, c), "numeric(12,2)[]");
    RemoteTable t;
    t.columns.push_back(c);
    apply_type_mapping(DatabaseKind::postgresql, t);
    EXPECT_EQ(t.columns[0].local_type, "numeric(12,2)[]");
}

TEST(RemoteTypeMapping, MssqlUtf16SelectOnlyForNTypes) {
    EXPECT_EQ(mssql_utf16_select("[note]", "nvarchar", -1), "CAST([note] AS varbinary(max))");
    EXPECT_EQ(mssql_utf16_select("[note]", "NVARCHAR", 50), "CAST([note] AS varbinary(8000))");
    EXPECT_EQ(mssql_utf16_select("[n]", "nvarchar", 4000), "CAST([n] AS varbinary(8000))");
    EXPECT_EQ(mssql_utf16_select("[c]", "nchar", 10), "CAST([c] AS varbinary(8000))");
    EXPECT_EQ(mssql_utf16_select("[t]", "ntext", 1073741823), "CAST([t] AS varbinary(max))");
    EXPECT_EQ(mssql_utf16_select("[a]]b]", "nvarchar", 0), "CAST([a]]b] AS varbinary(max))");
    for (const char* other : {"varchar", "char", "text", "int", "xml", "sysname", "uniqueidentifier"})
        EXPECT_EQ(mssql_utf16_select("[x]", other, 10), "") << other;
}
