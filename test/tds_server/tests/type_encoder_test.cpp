// Exact byte encodings of TYPE_INFO and values for every SQL Server type the server sends.
#include <gtest/gtest.h>

#include "type_encoder.h"
#include "type_mapping.h"

using namespace berqenas::tds;

namespace {

std::string hex(const std::string& bytes) {
    static const char d[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += d[c >> 4];
        out += d[c & 15];
    }
    return out;
}

std::string value(const ColumnType& t, const char* text) {
    ByteWriter w;
    encode_value(t, text ? text : "", text == nullptr, w);
    return hex(w.str());
}

std::string type_info(const ColumnType& t) {
    ByteWriter w;
    encode_type_info(t, w);
    return hex(w.str());
}

// OIDs of the PostgreSQL types used below.
constexpr unsigned kInt2 = 21, kInt4 = 23, kInt8 = 20, kBool = 16, kFloat4 = 700, kFloat8 = 701, kNumeric = 1700,
                   kDate = 1082, kTime = 1083, kTimestamp = 1114, kTimestamptz = 1184, kUuid = 2950, kVarchar = 1043,
                   kBpchar = 1042, kText = 25, kBytea = 17, kXml = 142;
int numeric_typmod(int p, int s) { return ((p << 16) | s) + 4; }

}  // namespace

TEST(TypeMapping, NaturalCounterparts) {
    EXPECT_EQ(map_pg_type(kInt2, -1, "").sql_name, "smallint");
    EXPECT_EQ(map_pg_type(kInt4, -1, "").sql_name, "int");
    EXPECT_EQ(map_pg_type(kInt8, -1, "").sql_name, "bigint");
    EXPECT_EQ(map_pg_type(kBool, -1, "").sql_name, "bit");
    EXPECT_EQ(map_pg_type(kFloat4, -1, "").sql_name, "real");
    EXPECT_EQ(map_pg_type(kFloat8, -1, "").sql_name, "float");
    EXPECT_EQ(map_pg_type(kNumeric, numeric_typmod(10, 2), "").sql_name, "decimal(10,2)");
    EXPECT_EQ(map_pg_type(kVarchar, 54, "").sql_name, "nvarchar(50)");
    EXPECT_EQ(map_pg_type(kText, -1, "").sql_name, "nvarchar(max)");
    EXPECT_EQ(map_pg_type(kBpchar, 14, "").sql_name, "nchar(10)");
    EXPECT_EQ(map_pg_type(kDate, -1, "").sql_name, "date");
    EXPECT_EQ(map_pg_type(kTime, -1, "").sql_name, "time(7)");
    EXPECT_EQ(map_pg_type(kTimestamp, 3, "").sql_name, "datetime2(3)");
    EXPECT_EQ(map_pg_type(kTimestamptz, -1, "").sql_name, "datetimeoffset(7)");
    EXPECT_EQ(map_pg_type(kUuid, -1, "").sql_name, "uniqueidentifier");
    EXPECT_EQ(map_pg_type(kBytea, -1, "").sql_name, "varbinary(max)");
    EXPECT_EQ(map_pg_type(kXml, -1, "").sql_name, "xml");
}

TEST(TypeMapping, MssqlDomains) {
    EXPECT_EQ(map_pg_type(kInt2, -1, "mssql_tinyint").sql_name, "tinyint");
    EXPECT_EQ(map_pg_type(kNumeric, -1, "mssql_money").sql_name, "money");
    EXPECT_EQ(map_pg_type(kNumeric, -1, "mssql_smallmoney").sql_name, "smallmoney");
    EXPECT_EQ(map_pg_type(kTimestamp, 3, "mssql_datetime").sql_name, "datetime");
    EXPECT_EQ(map_pg_type(kTimestamp, 0, "mssql_smalldatetime").sql_name, "smalldatetime");
    EXPECT_EQ(map_pg_type(kText, -1, "mssql_varchar_max").sql_name, "varchar(max)");
    EXPECT_EQ(map_pg_type(kVarchar, 54, "mssql_varchar_50").sql_name, "varchar(50)");
    EXPECT_EQ(map_pg_type(kBpchar, 9, "mssql_char_5").sql_name, "char(5)");
    EXPECT_EQ(map_pg_type(kBytea, -1, "mssql_binary_16").sql_name, "binary(16)");
    EXPECT_EQ(map_pg_type(kBytea, -1, "mssql_varbinary_8").sql_name, "varbinary(8)");
    EXPECT_EQ(map_pg_type(kText, -1, "mssql_text").sql_name, "text");
    EXPECT_EQ(map_pg_type(kText, -1, "mssql_ntext").sql_name, "ntext");
    EXPECT_EQ(map_pg_type(kBytea, -1, "mssql_image").sql_name, "image");
    EXPECT_EQ(map_pg_type(kBytea, -1, "mssql_rowversion").user_type, kUserTypeTimestamp);
    // Unknown or malformed domains fall back to the base type.
    EXPECT_EQ(map_pg_type(kInt4, -1, "my_domain").sql_name, "int");
    EXPECT_EQ(map_pg_type(kText, -1, "mssql_varchar_abc").sql_name, "nvarchar(max)");
}

TEST(TypeInfo, Layouts) {
    EXPECT_EQ(type_info(map_pg_type(kInt4, -1, "")), "2604");
    EXPECT_EQ(type_info(map_pg_type(kBool, -1, "")), "6801");
    EXPECT_EQ(type_info(map_pg_type(kFloat8, -1, "")), "6d08");
    EXPECT_EQ(type_info(map_pg_type(kNumeric, numeric_typmod(10, 2), "")), "6a090a02");
    EXPECT_EQ(type_info(map_pg_type(kNumeric, -1, "mssql_money")), "6e08");
    EXPECT_EQ(type_info(map_pg_type(kDate, -1, "")), "28");
    EXPECT_EQ(type_info(map_pg_type(kTime, -1, "")), "2907");
    EXPECT_EQ(type_info(map_pg_type(kTimestamp, 3, "")), "2a03");
    EXPECT_EQ(type_info(map_pg_type(kTimestamptz, -1, "")), "2b07");
    EXPECT_EQ(type_info(map_pg_type(kTimestamp, 3, "mssql_datetime")), "6f08");
    EXPECT_EQ(type_info(map_pg_type(kUuid, -1, "")), "2410");
    EXPECT_EQ(type_info(map_pg_type(kVarchar, 54, "")), "e76400" "0904d00034");  // 100 bytes + collation
    EXPECT_EQ(type_info(map_pg_type(kText, -1, "")), "e7ffff" "0904d00034");
    EXPECT_EQ(type_info(map_pg_type(kVarchar, 24, "mssql_varchar_20")), "a71400" "0904d00034");
    EXPECT_EQ(type_info(map_pg_type(kBytea, -1, "")), "a5ffff");
    EXPECT_EQ(type_info(map_pg_type(kBytea, -1, "mssql_binary_4")), "ad0400");
    EXPECT_EQ(type_info(map_pg_type(kText, -1, "mssql_ntext")), "63feffff7f" "0904d00034");
    EXPECT_EQ(type_info(map_pg_type(kXml, -1, "")), "f100");
}

TEST(Values, Integers) {
    EXPECT_EQ(value(map_pg_type(kInt4, -1, ""), "-2147483648"), "0400000080");
    EXPECT_EQ(value(map_pg_type(kInt4, -1, ""), "1"), "0401000000");
    EXPECT_EQ(value(map_pg_type(kInt8, -1, ""), "9223372036854775807"), "08ffffffffffffff7f");
    EXPECT_EQ(value(map_pg_type(kInt2, -1, ""), "-1"), "02ffff");
    EXPECT_EQ(value(map_pg_type(kInt2, -1, "mssql_tinyint"), "255"), "01ff");
    EXPECT_THROW(value(map_pg_type(kInt2, -1, "mssql_tinyint"), "256"), ValueOutOfRange);
    EXPECT_EQ(value(map_pg_type(kInt4, -1, ""), nullptr), "00");
}

TEST(Values, BitAndFloat) {
    EXPECT_EQ(value(map_pg_type(kBool, -1, ""), "t"), "0101");
    EXPECT_EQ(value(map_pg_type(kBool, -1, ""), "f"), "0100");
    EXPECT_EQ(value(map_pg_type(kBool, -1, ""), nullptr), "00");
    EXPECT_EQ(value(map_pg_type(kFloat8, -1, ""), "1"), "08000000000000f03f");
    EXPECT_EQ(value(map_pg_type(kFloat4, -1, ""), "1.5"), "040000c03f");
    EXPECT_EQ(value(map_pg_type(kFloat8, -1, ""), nullptr), "00");
}

TEST(Values, DecimalAndMoney) {
    auto dec = map_pg_type(kNumeric, numeric_typmod(10, 2), "");
    EXPECT_EQ(value(dec, "123.45"), "09" "01" "3930000000000000");  // 12345, positive
    EXPECT_EQ(value(dec, "-0.01"), "09" "00" "0100000000000000");
    EXPECT_EQ(value(dec, "1.005"), "09" "01" "6500000000000000");   // rounded half up to 1.01
    EXPECT_THROW(value(dec, "100000000.00"), ValueOutOfRange);
    EXPECT_THROW(value(dec, "NaN"), ValueOutOfRange);
    auto wide = map_pg_type(kNumeric, numeric_typmod(38, 0), "");
    EXPECT_EQ(value(wide, "99999999999999999999999999999999999999"),
              "11" "01" "ffffffff3f228a097ac4865aa84c3b4b");
    auto money = map_pg_type(kNumeric, -1, "mssql_money");
    EXPECT_EQ(value(money, "1"), "08" "00000000" "10270000");                      // 10000 = 0x2710
    EXPECT_EQ(value(money, "-922337203685477.5808"), "08" "00000080" "00000000");  // INT64_MIN
    EXPECT_EQ(value(map_pg_type(kNumeric, -1, "mssql_smallmoney"), "-1"), "04" "f0d8ffff");
    EXPECT_EQ(value(money, nullptr), "00");
}

TEST(Values, DatesAndTimes) {
    EXPECT_EQ(days_since_year_one(1, 1, 1), 0);
    EXPECT_EQ(days_since_year_one(1900, 1, 1), 693595);
    EXPECT_EQ(days_since_year_one(9999, 12, 31), 3652058);
    EXPECT_EQ(value(map_pg_type(kDate, -1, ""), "0001-01-01"), "03000000");
    EXPECT_EQ(value(map_pg_type(kDate, -1, ""), "9999-12-31"), "03" "dab937");
    EXPECT_THROW(value(map_pg_type(kDate, -1, ""), "10000-01-01"), ValueOutOfRange);
    EXPECT_THROW(value(map_pg_type(kDate, -1, ""), "0044-03-15 BC"), ValueOutOfRange);
    EXPECT_THROW(value(map_pg_type(kTimestamp, -1, ""), "0001-01-01 00:00:00 BC"), ValueOutOfRange);
    EXPECT_THROW(value(map_pg_type(kTimestamptz, -1, ""), "0001-12-31 16:00:00-08 BC"), ValueOutOfRange);
    // time(7): 100 ns units in 5 bytes; 00:00:01 = 10^7 = 0x989680.
    EXPECT_EQ(value(map_pg_type(kTime, -1, ""), "00:00:01"), "05" "8096980000");
    // time(0): whole seconds in 3 bytes.
    EXPECT_EQ(value(map_pg_type(kTime, 0, ""), "01:00:00"), "03" "100e00");
    // datetime2(3): 4-byte time (ms), then 3-byte date.
    EXPECT_EQ(value(map_pg_type(kTimestamp, 3, ""), "1900-01-01 00:00:00.001"), "07" "01000000" "5b950a");
    // datetimeoffset: UTC time and date, then the offset in minutes (+05:30 = 330).
    EXPECT_EQ(value(map_pg_type(kTimestamptz, 0, ""), "1900-01-01 05:30:00+05:30"), "08" "000000" "5b950a" "4a01");
    // datetime: days since 1900 and 1/300 s ticks; .997 s rounds to 299 ticks.
    EXPECT_EQ(value(map_pg_type(kTimestamp, 3, "mssql_datetime"), "1900-01-02 00:00:00.997"), "08" "01000000" "2b010000");
    EXPECT_EQ(value(map_pg_type(kTimestamp, 3, "mssql_datetime"), "1753-01-01 00:00:00"), "08" "462effff" "00000000");
    // smalldatetime: ushort days, ushort minutes.
    EXPECT_EQ(value(map_pg_type(kTimestamp, 0, "mssql_smalldatetime"), "1900-01-02 00:01:00"), "04" "0100" "0100");
    EXPECT_EQ(value(map_pg_type(kTimestamp, -1, ""), nullptr), "00");
    EXPECT_EQ(value(map_pg_type(kTimestamptz, -1, ""), nullptr), "00");
}

TEST(Values, Guid) {
    EXPECT_EQ(value(map_pg_type(kUuid, -1, ""), "00112233-4455-6677-8899-aabbccddeeff"),
              "10" "33221100" "5544" "7766" "8899aabbccddeeff");
    EXPECT_EQ(value(map_pg_type(kUuid, -1, ""), nullptr), "00");
}

TEST(Values, Strings) {
    auto nv = map_pg_type(kVarchar, 14, "");  // nvarchar(10)
    EXPECT_EQ(value(nv, "aé"), "0400" "6100e900");
    EXPECT_EQ(value(nv, ""), "0000");
    EXPECT_EQ(value(nv, nullptr), "ffff");
    auto vc = map_pg_type(kVarchar, 14, "mssql_varchar_10");
    EXPECT_EQ(value(vc, "aé€"), "0300" "61e980");  // Windows-1252
    EXPECT_EQ(value(vc, "日"), "0100" "3f");        // not in the code page: '?'
    auto ch = map_pg_type(kBpchar, 8, "mssql_char_4");
    EXPECT_EQ(value(ch, "ab"), "0400" "61622020");
    EXPECT_THROW(value(nv, "more than ten characters"), ValueOutOfRange);
}

TEST(Values, PlpForMaxTypes) {
    auto nvmax = map_pg_type(kText, -1, "");
    EXPECT_EQ(value(nvmax, "hi"), "0400000000000000" "04000000" "68006900" "00000000");
    EXPECT_EQ(value(nvmax, ""), "0000000000000000" "00000000");
    EXPECT_EQ(value(nvmax, nullptr), "ffffffffffffffff");
    auto vbmax = map_pg_type(kBytea, -1, "");
    EXPECT_EQ(value(vbmax, "\\xcafe"), "0200000000000000" "02000000" "cafe" "00000000");
    EXPECT_EQ(value(map_pg_type(kXml, -1, ""), "<a/>"), "0800000000000000" "08000000" "3c0061002f003e00" "00000000");
    // A value over 64 KiB: the PLP length counts all of it.
    ByteWriter w;
    encode_value(nvmax, std::string(40000, 'x'), false, w);
    EXPECT_EQ(w.size(), 8u + 4u + 80000u + 4u);
}

// SET TEXTSIZE: SQL Server cuts (max), text, ntext and image values to that many bytes (UTF-16 ones
// to an even number); xml and the sized types are not cut.
std::string cut(const ColumnType& t, const std::string& text, uint32_t text_size) {
    ByteWriter w;
    encode_value(t, text, false, w, text_size);
    return hex(w.str());
}

TEST(Values, TextSizeCutsMaxAndTextTypes) {
    auto nvmax = map_pg_type(kText, -1, "");
    EXPECT_EQ(cut(nvmax, "abc", 4), "0400000000000000" "04000000" "61006200" "00000000");
    EXPECT_EQ(cut(nvmax, "abc", 5), "0400000000000000" "04000000" "61006200" "00000000");   // no half character
    EXPECT_EQ(cut(nvmax, "abc", 6), "0600000000000000" "06000000" "610062006300" "00000000");
    ByteWriter w;
    encode_value(nvmax, std::string(5000, 'x'), false, w, kDefaultTextSize);
    EXPECT_EQ(w.size(), 8u + 4u + 4096u + 4u);   // 2048 characters, as SQL Server sends by default
    EXPECT_EQ(cut(map_pg_type(kBytea, -1, ""), "\\xcafebabe", 2), "0200000000000000" "02000000" "cafe" "00000000");
    EXPECT_EQ(cut(map_pg_type(kText, -1, "mssql_varchar_max"), "abcdef", 3), "0300000000000000" "03000000" "616263" "00000000");
    EXPECT_EQ(cut(map_pg_type(kText, -1, "mssql_ntext"), "abc", 4), "10" + std::string(32, 'a') + std::string(16, '0') + "04000000" "61006200");
    EXPECT_EQ(cut(map_pg_type(kText, -1, "mssql_text"), "abc", 2), "10" + std::string(32, 'a') + std::string(16, '0') + "02000000" "6162");
    EXPECT_EQ(cut(map_pg_type(kXml, -1, ""), "<a/>", 2), "0800000000000000" "08000000" "3c0061002f003e00" "00000000");
    EXPECT_EQ(cut(map_pg_type(kVarchar, 12, "mssql_varchar_8"), "abcdef", 2), "0600" "616263646566");
}

// Values are encoded onto the end of a row already holding bytes (the packet channel's buffer).
TEST(Values, AppendAfterExistingBytes) {
    std::string row = "\xD1";
    ByteWriter w(row);
    encode_value(map_pg_type(kInt4, -1, ""), "-2", false, w);
    encode_value(map_pg_type(kText, -1, ""), "hé", false, w);
    encode_value(map_pg_type(kVarchar, numeric_typmod(0, 4), ""), "ab", false, w);  // varchar(4) -> nvarchar(4)
    EXPECT_EQ(hex(row), "d1" "04feffffff" "0400000000000000" "04000000" "6800e900" "00000000" "0400" "61006200");
}

TEST(Values, FixedWidthCharAndBinaryArePaddedOrCut) {
    EXPECT_EQ(value(map_pg_type(kBpchar, -1, "mssql_char_3"), "ab"), "0300" "616220");
    EXPECT_EQ(value(map_pg_type(kBpchar, -1, "mssql_char_3"), "abcd"), "0300" "616263");
    EXPECT_EQ(value(map_pg_type(kBytea, -1, "mssql_binary_2"), "\\x010203"), "0200" "0102");
    EXPECT_THROW(value(map_pg_type(kVarchar, -1, "mssql_varchar_2"), "abc"), ValueOutOfRange);
    EXPECT_EQ(value(map_pg_type(kText, -1, "mssql_varchar_max"), "é€"), "0200000000000000" "02000000" "e980" "00000000");
}

TEST(Values, BinaryAndTextPointers) {
    EXPECT_EQ(value(map_pg_type(kBytea, -1, "mssql_binary_4"), "\\xff"), "0400" "ff000000");
    EXPECT_EQ(value(map_pg_type(kBytea, -1, "mssql_varbinary_8"), "\\x0102"), "0200" "0102");
    EXPECT_EQ(value(map_pg_type(kBytea, -1, "mssql_varbinary_8"), nullptr), "ffff");
    std::string ntext = value(map_pg_type(kText, -1, "mssql_ntext"), "é");
    EXPECT_EQ(ntext.substr(0, 2), "10");                      // text pointer length
    EXPECT_EQ(ntext.substr(2 + 48, 8 + 4), "02000000e900");  // after pointer and timestamp
    EXPECT_EQ(value(map_pg_type(kText, -1, "mssql_text"), nullptr), "00");
}
