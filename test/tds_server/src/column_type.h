// The SQL Server type a result column is reported as: its TDS type byte and the TYPE_INFO
// fields (length, precision, scale) that COLMETADATA carries and every value must match.
#pragma once

#include <cstdint>
#include <string>

namespace berqenas::tds {

enum class TdsType : uint8_t {
    Image = 0x22,
    Text = 0x23,
    Guid = 0x24,
    IntN = 0x26,
    DateN = 0x28,
    TimeN = 0x29,
    DateTime2N = 0x2A,
    DateTimeOffsetN = 0x2B,
    NText = 0x63,
    BitN = 0x68,
    DecimalN = 0x6A,
    NumericN = 0x6C,
    FltN = 0x6D,
    MoneyN = 0x6E,
    DateTimeN = 0x6F,
    BigVarBinary = 0xA5,
    BigVarChar = 0xA7,
    BigBinary = 0xAD,
    BigChar = 0xAF,
    NVarChar = 0xE7,
    NChar = 0xEF,
    Xml = 0xF1,
};

// USHORTLEN max length that marks a (max) type, whose values travel as PLP.
constexpr uint16_t kMaxLength = 0xFFFF;
// User type SQL Server reports for timestamp/rowversion columns.
constexpr uint32_t kUserTypeTimestamp = 80;

struct ColumnType {
    TdsType tds = TdsType::NVarChar;
    uint32_t max_length = kMaxLength;  // bytes for fixed/var types; kMaxLength for (max)
    uint8_t precision = 0;
    uint8_t scale = 0;
    uint32_t user_type = 0;
    bool utf16_bytes = false;  // binary types: the value is text, sent as its UTF-16LE bytes
    bool utf8_bytes = false;   // binary types: the value is text, sent as its UTF-8 bytes (old Babelfish)
    std::string sql_name;  // what INFORMATION_SCHEMA would call it, for logs and tests

    bool is_plp() const {
        return tds == TdsType::Xml || ((tds == TdsType::NVarChar || tds == TdsType::BigVarChar ||
                                        tds == TdsType::BigVarBinary) &&
                                       max_length == kMaxLength);
    }
};

struct ResultColumn {
    std::string name;
    ColumnType type;
};

}  // namespace berqenas::tds
