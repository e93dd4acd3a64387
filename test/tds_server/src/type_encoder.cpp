// Value encodings follow MS-TDS 2.2.5.5: nullable fixed types carry a length byte (0 = NULL),
// variable types a USHORT length (0xFFFF = NULL), (max) types and xml a PLP body.
#include "type_encoder.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "text_encoding.h"

namespace berqenas::tds {
namespace {

// SQL_Latin1_General_CP1_CI_AS: LCID 0x0409, case-insensitive/accent-sensitive flags, sort id 52.
const std::string kCollation("\x09\x04\xD0\x00\x34", 5);
constexpr uint64_t kPlpNull = 0xFFFFFFFFFFFFFFFFull;

struct DateParts {
    int year = 1, month = 1, day = 1;
    int64_t micros_of_day = 0;  // local time of day
    int offset_minutes = 0;     // only for timestamptz
};

[[noreturn]] void out_of_range(std::string_view what, std::string_view text) {
    throw ValueOutOfRange(std::string(what) + " value '" + std::string(text) + "' cannot be sent as a SQL Server value");
}

// Reads exactly `digits` decimal digits at text[pos].
int read_digits(std::string_view text, size_t& pos, size_t digits) {
    if (pos + digits > text.size()) throw ValueOutOfRange("truncated date/time value");
    int v = 0;
    for (size_t i = 0; i < digits; ++i) {
        char c = text[pos + i];
        if (c < '0' || c > '9') throw ValueOutOfRange("malformed date/time value");
        v = v * 10 + (c - '0');
    }
    pos += digits;
    return v;
}

void expect(std::string_view text, size_t& pos, char c) {
    if (pos >= text.size() || text[pos] != c) throw ValueOutOfRange("malformed date/time value");
    ++pos;
}

void parse_date(std::string_view text, size_t& pos, DateParts& d) {
    size_t year_digits = 0;
    while (pos + year_digits < text.size() && text[pos + year_digits] >= '0' && text[pos + year_digits] <= '9')
        ++year_digits;
    if (year_digits != 4) out_of_range("date", text);  // 5-digit years do not fit SQL Server
    d.year = read_digits(text, pos, 4);
    expect(text, pos, '-');
    d.month = read_digits(text, pos, 2);
    expect(text, pos, '-');
    d.day = read_digits(text, pos, 2);
    // PostgreSQL writes the era last ("0044-03-15 BC", "0001-01-01 00:00:00+00 BC").
    if (text.size() >= 3 && text.compare(text.size() - 3, 3, " BC") == 0) out_of_range("date", text);
}

void parse_time(std::string_view text, size_t& pos, DateParts& d) {
    int h = read_digits(text, pos, 2);
    expect(text, pos, ':');
    int m = read_digits(text, pos, 2);
    expect(text, pos, ':');
    int s = read_digits(text, pos, 2);
    int64_t micros = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        int64_t scale = 100000;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            micros += (text[pos] - '0') * scale;
            scale /= 10;
            ++pos;
        }
    }
    d.micros_of_day = ((static_cast<int64_t>(h) * 60 + m) * 60 + s) * 1000000 + micros;
}

void parse_offset(std::string_view text, size_t& pos, DateParts& d) {
    if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) throw ValueOutOfRange("missing time zone");
    int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int h = read_digits(text, pos, 2), m = 0;
    if (pos < text.size() && text[pos] == ':') {
        ++pos;
        m = read_digits(text, pos, 2);
    }
    d.offset_minutes = sign * (h * 60 + m);  // second-level offsets (LMT) are dropped
}

DateParts parse_timestamp(std::string_view text, bool with_zone) {
    if (text == "infinity" || text == "-infinity") out_of_range("timestamp", text);
    DateParts d;
    size_t pos = 0;
    parse_date(text, pos, d);
    expect(text, pos, ' ');
    parse_time(text, pos, d);
    if (with_zone) parse_offset(text, pos, d);
    return d;
}

int64_t pow10(int n) {
    int64_t v = 1;
    while (n-- > 0) v *= 10;
    return v;
}

// Time of day in units of 10^-scale seconds, rounded half up like SQL Server.
uint64_t time_units(int64_t micros_of_day, uint8_t scale) {
    if (scale >= 6) return static_cast<uint64_t>(micros_of_day * pow10(scale - 6));
    int64_t div = pow10(6 - scale);
    return static_cast<uint64_t>((micros_of_day + div / 2) / div);
}

uint8_t time_length(uint8_t scale) { return scale <= 2 ? 3 : scale <= 4 ? 4 : 5; }

void write_date3(ByteWriter& out, int year, int month, int day) {
    out.le(static_cast<uint64_t>(days_since_year_one(year, month, day)), 3);
}

void encode_datetime(const ColumnType& type, std::string_view text, ByteWriter& out) {
    DateParts d = parse_timestamp(text, false);
    long days = days_since_year_one(d.year, d.month, d.day) - days_since_year_one(1900, 1, 1);
    if (type.max_length == 4) {  // smalldatetime: ushort days since 1900, ushort minutes, rounded
        int64_t minutes = (d.micros_of_day + 30000000) / 60000000;
        if (minutes >= 1440) {
            minutes -= 1440;
            ++days;
        }
        if (days < 0 || days > 65535) out_of_range("smalldatetime", text);
        out.u8(4);
        out.u16le(static_cast<uint16_t>(days));
        out.u16le(static_cast<uint16_t>(minutes));
        return;
    }
    // datetime: int days since 1900, then ticks of 1/300 s, rounded to the nearest tick.
    int64_t ticks = (d.micros_of_day * 3 + 5000) / 10000;
    if (ticks >= 300LL * 86400) {
        ticks -= 300LL * 86400;
        ++days;
    }
    if (d.year < 1753) out_of_range("datetime", text);
    out.u8(8);
    out.i32le(static_cast<int32_t>(days));
    out.u32le(static_cast<uint32_t>(ticks));
}

// Decimal text ("-123.45") as an unsigned magnitude scaled to `scale` digits, rounded half up.
unsigned __int128 scaled_magnitude(std::string_view text, uint8_t scale, bool& negative) {
    if (text == "NaN" || text == "Infinity" || text == "-Infinity") out_of_range("numeric", text);
    size_t pos = 0;
    negative = false;
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) negative = text[pos++] == '-';
    unsigned __int128 v = 0;
    const unsigned __int128 limit = ~static_cast<unsigned __int128>(0);
    int frac_digits = -1;
    bool round_up = false;
    for (; pos < text.size(); ++pos) {
        char c = text[pos];
        if (c == '.') {
            frac_digits = 0;
            continue;
        }
        if (c < '0' || c > '9') out_of_range("numeric", text);
        if (frac_digits >= 0 && frac_digits == scale) {
            if (c >= '5') round_up = true;
            break;
        }
        if (v > limit / 10) out_of_range("numeric", text);
        v = v * 10 + static_cast<unsigned>(c - '0');
        if (frac_digits >= 0) ++frac_digits;
    }
    for (int f = frac_digits < 0 ? 0 : frac_digits; f < scale; ++f) v *= 10;
    if (round_up) ++v;
    if (v == 0) negative = false;
    return v;
}

// 10^0 .. 10^38: the bound a decimal(p, s) magnitude must stay under.
struct Pow10Table {
    unsigned __int128 v[39];
    Pow10Table() {
        v[0] = 1;
        for (int i = 1; i < 39; ++i) v[i] = v[i - 1] * 10;
    }
};
const Pow10Table kPow10;

void encode_decimal(const ColumnType& type, std::string_view text, ByteWriter& out) {
    bool negative = false;
    unsigned __int128 v = scaled_magnitude(text, type.scale, negative);
    if (type.precision > 38 || v >= kPow10.v[type.precision]) out_of_range(type.sql_name, text);  // type_mapping caps p at 38
    int magnitude_bytes = static_cast<int>(type.max_length) - 1;
    char b[1 + 1 + 16];
    b[0] = static_cast<char>(type.max_length);
    b[1] = negative ? 0 : 1;
    for (int i = 0; i < magnitude_bytes && i < 16; ++i) b[2 + i] = static_cast<char>(static_cast<uint8_t>(v >> (8 * i)));
    out.bytes(std::string_view(b, 2 + static_cast<size_t>(std::min(magnitude_bytes, 16))));
}

void encode_money(const ColumnType& type, std::string_view text, ByteWriter& out) {
    bool negative = false;
    unsigned __int128 mag = scaled_magnitude(text, 4, negative);
    // The most negative money value's magnitude is one past INT64_MAX.
    const unsigned __int128 limit = static_cast<unsigned __int128>(INT64_MAX) + (negative ? 1 : 0);
    if (mag > limit) out_of_range("money", text);
    int64_t v = negative ? static_cast<int64_t>(0 - static_cast<uint64_t>(mag)) : static_cast<int64_t>(mag);
    if (type.max_length == 4) {
        if (v < INT32_MIN || v > INT32_MAX) out_of_range("smallmoney", text);
        out.u8(4);
        out.i32le(static_cast<int32_t>(v));
        return;
    }
    // money is sent as its high 32 bits, then its low 32 bits (MS-TDS 2.2.5.5.1.4).
    out.u8(8);
    out.i32le(static_cast<int32_t>(v >> 32));
    out.u32le(static_cast<uint32_t>(v & 0xFFFFFFFF));
}

int hex_nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// bytea in hex output form: "\x0102ff", decoded onto the end of out.
void append_bytea(std::string& out, std::string_view text) {
    if (text.size() < 2 || text[0] != '\\' || text[1] != 'x') {
        out.append(text.data(), text.size());
        return;
    }
    const size_t start = out.size();
    out.resize(start + (text.size() - 2) / 2);
    char* dst = &out[start];
    for (size_t i = 2; i + 1 < text.size(); i += 2) {
        int hi = hex_nibble(text[i]), lo = hex_nibble(text[i + 1]);
        if (hi < 0 || lo < 0) throw ValueOutOfRange("malformed bytea value");
        *dst++ = static_cast<char>((hi << 4) | lo);
    }
}

// uuid text to SQL Server's byte order: the first three groups are little-endian.
void encode_guid(std::string_view text, ByteWriter& out) {
    uint8_t b[16];
    size_t n = 0;
    for (size_t i = 0; i < text.size() && n < 16; ++i) {
        if (text[i] == '-') continue;
        int hi = hex_nibble(text[i]), lo = i + 1 < text.size() ? hex_nibble(text[i + 1]) : -1;
        if (hi < 0 || lo < 0) throw ValueOutOfRange("malformed uuid value");
        b[n++] = static_cast<uint8_t>((hi << 4) | lo);
        ++i;
    }
    if (n != 16) throw ValueOutOfRange("malformed uuid value");
    static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    out.u8(16);
    for (int i : order) out.u8(b[i]);
}

// The bytes of a value as they go on the wire (UTF-16LE, Windows-1252 or bytea's bytes), appended
// to the row in place; the length fields before them are written first and patched afterwards.
enum class Payload { Utf16, Cp1252, Bytea, Utf8 };

void append_payload(Payload kind, std::string_view text, std::string& out) {
    switch (kind) {
        case Payload::Utf16: append_utf16le(out, text); break;
        case Payload::Cp1252: append_cp1252(out, text); break;
        case Payload::Bytea: append_bytea(out, text); break;
        case Payload::Utf8: out.append(text.data(), text.size()); break;
    }
}

// SQL Server's TEXTSIZE: the payload just appended at `from` is cut to `limit` bytes (an even
// number for UTF-16, so no half character is sent).
void cut_to_text_size(Payload kind, size_t from, uint32_t limit, ByteWriter& out) {
    size_t keep = kind == Payload::Utf16 ? (limit & ~uint32_t(1)) : limit;
    if (out.size() - from > keep) out.str().resize(from + keep);
}

// PLP: ULONGLONG total length, one chunk (ULONG length, bytes) when not empty, then a zero ULONG.
void encode_plp(Payload kind, std::string_view text, ByteWriter& out, uint32_t text_size = UINT32_MAX) {
    const size_t at = out.size();
    out.u64le(0);
    out.u32le(0);
    append_payload(kind, text, out.str());
    cut_to_text_size(kind, at + 12, text_size, out);
    const size_t n = out.size() - at - 12;
    if (n == 0) return;  // the 12 bytes written are the empty value: length 0, terminator
    out.patch_le(at, n, 8);
    out.patch_le(at + 8, n, 4);
    out.u32le(0);  // PLP terminator
}

// USHORT length, then the bytes. Fixed-width types (char, binary) are padded or cut to max_length.
void encode_short_var(const ColumnType& type, Payload kind, std::string_view text, ByteWriter& out, bool fixed,
                      char pad) {
    const size_t at = out.size();
    out.u16le(0);
    append_payload(kind, text, out.str());
    size_t n = out.size() - at - 2;
    if (fixed) {
        if (n < type.max_length) out.fill(type.max_length - n, pad);
        if (n > type.max_length) out.str().resize(at + 2 + type.max_length);
        n = type.max_length;
    }
    if (n > type.max_length) out_of_range(type.sql_name, text.substr(0, 32));
    out.patch_le(at, n, 2);
}

void encode_text_pointer(Payload kind, std::string_view text, ByteWriter& out, uint32_t text_size) {
    // A dummy 16-byte text pointer and 8-byte timestamp precede the data, as for any TEXT column.
    out.u8(16);
    out.fill(16, '\xAA');
    out.fill(8, '\0');
    const size_t at = out.size();
    out.u32le(0);
    append_payload(kind, text, out.str());
    cut_to_text_size(kind, at + 4, text_size, out);
    out.patch_le(at, out.size() - at - 4, 4);
}

// PostgreSQL's integer output; strtoll (and its rules) only when from_chars does not take it all.
long long parse_integer(std::string_view text) {
    long long v = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size()) return v;
    return std::strtoll(std::string(text).c_str(), nullptr, 10);
}

double parse_double(std::string_view text) {
    char buf[64];
    if (text.size() < sizeof buf) {
        std::memcpy(buf, text.data(), text.size());
        buf[text.size()] = '\0';
        return std::strtod(buf, nullptr);
    }
    return std::strtod(std::string(text).c_str(), nullptr);
}

}  // namespace

long days_since_year_one(int year, int month, int day) {
    // Counts days in a March-based year so February's length only matters at the year's end.
    long y = year - (month <= 2 ? 1 : 0);
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long mp = (month + 9) % 12;
    long doy = (153 * mp + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long days_from_epoch_0000_03_01 = era * 146097 + doe;
    return days_from_epoch_0000_03_01 - 306;  // 0001-01-01 is 306 days after 0000-03-01
}

void encode_type_info(const ColumnType& type, ByteWriter& out) {
    out.u8(static_cast<uint8_t>(type.tds));
    switch (type.tds) {
        case TdsType::IntN:
        case TdsType::BitN:
        case TdsType::FltN:
        case TdsType::MoneyN:
        case TdsType::DateTimeN:
        case TdsType::Guid: out.u8(static_cast<uint8_t>(type.max_length)); break;
        case TdsType::DecimalN:
        case TdsType::NumericN:
            out.u8(static_cast<uint8_t>(type.max_length));
            out.u8(type.precision);
            out.u8(type.scale);
            break;
        case TdsType::DateN: break;
        case TdsType::TimeN:
        case TdsType::DateTime2N:
        case TdsType::DateTimeOffsetN: out.u8(type.scale); break;
        case TdsType::BigVarChar:
        case TdsType::BigChar:
        case TdsType::NVarChar:
        case TdsType::NChar:
            out.u16le(static_cast<uint16_t>(type.max_length));
            out.bytes(kCollation);
            break;
        case TdsType::BigVarBinary:
        case TdsType::BigBinary: out.u16le(static_cast<uint16_t>(type.max_length)); break;
        case TdsType::Text:
        case TdsType::NText:
            out.u32le(type.max_length);
            out.bytes(kCollation);
            break;
        case TdsType::Image: out.u32le(type.max_length); break;
        case TdsType::Xml: out.u8(0); break;  // no schema collection
    }
}

void encode_value(const ColumnType& type, std::string_view text, bool is_null, ByteWriter& out, uint32_t text_size) {
    if (is_null) {
        switch (type.tds) {
            case TdsType::BigVarChar:
            case TdsType::BigChar:
            case TdsType::NVarChar:
            case TdsType::NChar:
            case TdsType::BigVarBinary:
            case TdsType::BigBinary:
                if (type.is_plp()) {
                    out.u64le(kPlpNull);
                } else {
                    out.u16le(0xFFFF);
                }
                break;
            case TdsType::Xml: out.u64le(kPlpNull); break;
            default: out.u8(0); break;  // fixed types and text pointers: length 0 means NULL
        }
        return;
    }
    switch (type.tds) {
        case TdsType::IntN: {
            long long v = parse_integer(text);
            if (type.max_length == 1 && (v < 0 || v > 255)) out_of_range("tinyint", text);
            out.u8(static_cast<uint8_t>(type.max_length));
            out.le(static_cast<uint64_t>(v), static_cast<int>(type.max_length));
            break;
        }
        case TdsType::BitN:
            out.u8(1);
            out.u8(text == "t" || text == "true" || text == "1" ? 1 : 0);
            break;
        case TdsType::FltN: {
            double v = parse_double(text);
            out.u8(static_cast<uint8_t>(type.max_length));
            if (type.max_length == 4) {
                float f = static_cast<float>(v);
                uint32_t bits;
                std::memcpy(&bits, &f, 4);
                out.u32le(bits);
            } else {
                uint64_t bits;
                std::memcpy(&bits, &v, 8);
                out.u64le(bits);
            }
            break;
        }
        case TdsType::DecimalN:
        case TdsType::NumericN: encode_decimal(type, text, out); break;
        case TdsType::MoneyN: encode_money(type, text, out); break;
        case TdsType::DateN: {
            DateParts d;
            size_t pos = 0;
            if (text == "infinity" || text == "-infinity") out_of_range("date", text);
            parse_date(text, pos, d);
            out.u8(3);
            write_date3(out, d.year, d.month, d.day);
            break;
        }
        case TdsType::TimeN: {
            DateParts d;
            size_t pos = 0;
            parse_time(text, pos, d);
            if (d.micros_of_day >= 86400000000LL) out_of_range("time", text);  // PostgreSQL allows 24:00:00
            out.u8(time_length(type.scale));
            out.le(time_units(d.micros_of_day, type.scale), time_length(type.scale));
            break;
        }
        case TdsType::DateTime2N: {
            DateParts d = parse_timestamp(text, false);
            out.u8(static_cast<uint8_t>(time_length(type.scale) + 3));
            out.le(time_units(d.micros_of_day, type.scale), time_length(type.scale));
            write_date3(out, d.year, d.month, d.day);
            break;
        }
        case TdsType::DateTimeOffsetN: {
            // SQL Server sends the UTC date and time, then the offset the value was written with.
            DateParts d = parse_timestamp(text, true);
            int64_t utc_micros = d.micros_of_day - static_cast<int64_t>(d.offset_minutes) * 60000000;
            long days = days_since_year_one(d.year, d.month, d.day);
            const int64_t day_micros = 86400000000LL;
            if (utc_micros < 0) {
                utc_micros += day_micros;
                --days;
            } else if (utc_micros >= day_micros) {
                utc_micros -= day_micros;
                ++days;
            }
            if (days < 0) out_of_range("datetimeoffset", text);
            out.u8(static_cast<uint8_t>(time_length(type.scale) + 5));
            out.le(time_units(utc_micros, type.scale), time_length(type.scale));
            out.le(static_cast<uint64_t>(days), 3);
            out.u16le(static_cast<uint16_t>(static_cast<int16_t>(d.offset_minutes)));
            break;
        }
        case TdsType::DateTimeN: encode_datetime(type, text, out); break;
        case TdsType::Guid: encode_guid(text, out); break;
        case TdsType::BigVarChar:
        case TdsType::BigChar:
            if (type.is_plp()) {
                encode_plp(Payload::Cp1252, text, out, text_size);
            } else {
                encode_short_var(type, Payload::Cp1252, text, out, type.tds == TdsType::BigChar, ' ');
            }
            break;
        case TdsType::NVarChar:
        case TdsType::NChar:
            if (type.is_plp()) {
                encode_plp(Payload::Utf16, text, out, text_size);
            } else {
                encode_short_var(type, Payload::Utf16, text, out, false, ' ');
            }
            break;
        case TdsType::BigVarBinary:
        case TdsType::BigBinary:
            {
                Payload kind = type.utf16_bytes ? Payload::Utf16 : type.utf8_bytes ? Payload::Utf8 : Payload::Bytea;
                if (type.is_plp()) {
                    encode_plp(kind, text, out, text_size);
                } else {
                    encode_short_var(type, kind, text, out, type.tds == TdsType::BigBinary, '\0');
                }
            }
            break;
        case TdsType::Text: encode_text_pointer(Payload::Cp1252, text, out, text_size); break;
        case TdsType::NText: encode_text_pointer(Payload::Utf16, text, out, text_size); break;
        case TdsType::Image: encode_text_pointer(Payload::Bytea, text, out, text_size); break;
        case TdsType::Xml: encode_plp(Payload::Utf16, text, out); break;
    }
}

}  // namespace berqenas::tds
