// PostgreSQL type OIDs are stable across versions, so they are matched as numbers here rather
// than pulling in the server headers.
#include "type_mapping.h"

#include <cstdlib>

namespace berqenas::tds {
namespace {

enum PgOid : unsigned {
    kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25,
    kOid = 26, kXml = 142, kFloat4 = 700, kFloat8 = 701, kBpchar = 1042, kVarchar = 1043, kDate = 1082,
    kTime = 1083, kTimestamp = 1114, kTimestamptz = 1184, kNumeric = 1700, kUuid = 2950,
};

constexpr int kVarHeader = 4;  // PostgreSQL stores char/varchar/numeric typmods offset by VARHDRSZ
// Unconstrained numeric has no fixed scale; SQL Server needs one, so we pick a roomy default.
constexpr uint8_t kUnconstrainedNumericPrecision = 38;
constexpr uint8_t kUnconstrainedNumericScale = 10;
// SQL Server's default fractional precision for time, datetime2 and datetimeoffset.
constexpr uint8_t kDefaultTimeScale = 7;

ColumnType make(TdsType t, uint32_t len, std::string name, uint8_t precision = 0, uint8_t scale = 0) {
    ColumnType c;
    c.tds = t;
    c.max_length = len;
    c.precision = precision;
    c.scale = scale;
    c.sql_name = std::move(name);
    return c;
}

ColumnType nvarchar(long chars) {
    if (chars <= 0 || chars > 4000) return make(TdsType::NVarChar, kMaxLength, "nvarchar(max)");
    return make(TdsType::NVarChar, static_cast<uint32_t>(chars * 2), "nvarchar(" + std::to_string(chars) + ")");
}

ColumnType nchar(long chars) {
    if (chars <= 0 || chars > 4000) return nvarchar(-1);
    return make(TdsType::NChar, static_cast<uint32_t>(chars * 2), "nchar(" + std::to_string(chars) + ")");
}

uint8_t decimal_bytes(uint8_t precision) {
    return precision <= 9 ? 5 : precision <= 19 ? 9 : precision <= 28 ? 13 : 17;
}

ColumnType decimal(uint8_t precision, uint8_t scale) {
    return make(TdsType::DecimalN, decimal_bytes(precision),
                "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")", precision, scale);
}

uint8_t time_scale(int typmod) {
    return typmod >= 0 && typmod <= 6 ? static_cast<uint8_t>(typmod) : kDefaultTimeScale;
}

// Bytes of a TIMEN value for a given scale (MS-TDS 2.2.5.4.2).
uint32_t time_bytes(uint8_t scale) { return scale <= 2 ? 3 : scale <= 4 ? 4 : 5; }

// "mssql_varchar_50" -> 50, "mssql_varchar_max" -> -1, anything else -> 0 (no size).
long size_suffix(const std::string& name, const std::string& prefix) {
    std::string rest = name.substr(prefix.size());
    if (rest == "_max") return -1;
    if (rest.size() < 2 || rest[0] != '_') return 0;
    char* end = nullptr;
    long n = std::strtol(rest.c_str() + 1, &end, 10);
    return (end && *end == '\0' && n > 0) ? n : 0;
}

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

// A domain named mssql_<type>[_<n>|_max] declares a SQL Server type PostgreSQL lacks.
bool map_domain(const std::string& domain, ColumnType& out) {
    if (domain == "mssql_tinyint") return out = make(TdsType::IntN, 1, "tinyint"), true;
    if (domain == "mssql_money") return out = make(TdsType::MoneyN, 8, "money"), true;
    if (domain == "mssql_smallmoney") return out = make(TdsType::MoneyN, 4, "smallmoney"), true;
    if (domain == "mssql_datetime") return out = make(TdsType::DateTimeN, 8, "datetime"), true;
    if (domain == "mssql_smalldatetime") return out = make(TdsType::DateTimeN, 4, "smalldatetime"), true;
    if (domain == "mssql_text") return out = make(TdsType::Text, 0x7FFFFFFF, "text"), true;
    if (domain == "mssql_ntext") return out = make(TdsType::NText, 0x7FFFFFFE, "ntext"), true;
    if (domain == "mssql_image") return out = make(TdsType::Image, 0x7FFFFFFF, "image"), true;
    if (domain == "mssql_rowversion" || domain == "mssql_timestamp") {
        out = make(TdsType::BigBinary, 8, "timestamp");
        out.user_type = kUserTypeTimestamp;
        return true;
    }
    struct Sized {
        const char* prefix;
        TdsType tds;
        const char* name;
        long max_fixed;  // largest n before SQL Server requires (max)
        bool allows_max;
        int bytes_per_char;
    };
    static const Sized sized[] = {
        {"mssql_varchar", TdsType::BigVarChar, "varchar", 8000, true, 1},
        {"mssql_char", TdsType::BigChar, "char", 8000, false, 1},
        {"mssql_nvarchar", TdsType::NVarChar, "nvarchar", 4000, true, 2},
        {"mssql_nchar", TdsType::NChar, "nchar", 4000, false, 2},
        {"mssql_varbinary", TdsType::BigVarBinary, "varbinary", 8000, true, 1},
        {"mssql_binary", TdsType::BigBinary, "binary", 8000, false, 1},
    };
    for (const auto& s : sized) {
        if (!starts_with(domain, s.prefix)) continue;
        long n = size_suffix(domain, s.prefix);
        if (n == 0 || n > s.max_fixed || (n < 0 && !s.allows_max)) continue;
        if (n < 0) {
            out = make(s.tds, kMaxLength, std::string(s.name) + "(max)");
        } else {
            out = make(s.tds, static_cast<uint32_t>(n * s.bytes_per_char),
                       std::string(s.name) + "(" + std::to_string(n) + ")");
        }
        return true;
    }
    return false;
}

}  // namespace

ColumnType utf16_varbinary() {
    ColumnType c = make(TdsType::BigVarBinary, kMaxLength, "varbinary(max)");
    c.utf16_bytes = true;
    return c;
}

ColumnType map_pg_type(unsigned type_oid, int typmod, const std::string& domain_name) {
    ColumnType mapped;
    if (!domain_name.empty() && map_domain(domain_name, mapped)) return mapped;
    switch (type_oid) {
        case kInt2: return make(TdsType::IntN, 2, "smallint");
        case kInt4: return make(TdsType::IntN, 4, "int");
        case kInt8:
        case kOid: return make(TdsType::IntN, 8, "bigint");
        case kBool: return make(TdsType::BitN, 1, "bit");
        case kFloat4: return make(TdsType::FltN, 4, "real");
        case kFloat8: return make(TdsType::FltN, 8, "float");
        case kNumeric: {
            if (typmod < kVarHeader) return decimal(kUnconstrainedNumericPrecision, kUnconstrainedNumericScale);
            int p = ((typmod - kVarHeader) >> 16) & 0xFFFF;
            int s = (typmod - kVarHeader) & 0x7FF;
            if (p > 38) p = 38;
            if (s > p) s = p;
            return decimal(static_cast<uint8_t>(p), static_cast<uint8_t>(s));
        }
        case kDate: return make(TdsType::DateN, 3, "date");
        case kTime: {
            uint8_t s = time_scale(typmod);
            return make(TdsType::TimeN, time_bytes(s), "time(" + std::to_string(s) + ")", 0, s);
        }
        case kTimestamp: {
            uint8_t s = time_scale(typmod);
            return make(TdsType::DateTime2N, time_bytes(s) + 3, "datetime2(" + std::to_string(s) + ")", 0, s);
        }
        case kTimestamptz: {
            uint8_t s = time_scale(typmod);
            return make(TdsType::DateTimeOffsetN, time_bytes(s) + 5, "datetimeoffset(" + std::to_string(s) + ")",
                        0, s);
        }
        case kUuid: return make(TdsType::Guid, 16, "uniqueidentifier");
        case kVarchar: return nvarchar(typmod >= kVarHeader ? typmod - kVarHeader : -1);
        case kBpchar: return nchar(typmod >= kVarHeader ? typmod - kVarHeader : 1);
        case kChar: return nchar(1);
        case kName: return nvarchar(128);  // SQL Server's sysname
        case kBytea: return make(TdsType::BigVarBinary, kMaxLength, "varbinary(max)");
        case kXml: return make(TdsType::Xml, kMaxLength, "xml");
        case kText:
        default: return nvarchar(-1);  // anything else travels as its text form
    }
}

}  // namespace berqenas::tds
