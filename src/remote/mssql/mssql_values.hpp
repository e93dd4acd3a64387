// SQL Server values as db-lib leaves them in its column buffers, turned into RemoteValue's native
// forms by arithmetic alone: no text, no calendar, no allocation. Pure C++ (unit-tested).
#pragma once

#include "common/pure_cpp.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace berqenas::remote::mssql {

constexpr int64_t kUsecPerDay = 86400LL * 1000000;
constexpr int64_t kDays1900To2000 = 36524;   // SQL Server counts days from 1900-01-01, PostgreSQL from 2000-01-01

// A decimal/numeric as db-lib keeps it (DBNUMERIC.array): array[0] is the sign (1 = negative),
// then the magnitude big-endian in numeric_magnitude_bytes(precision) bytes. False when precision
// is not 1..38 or the magnitude needs more than 64 bits (precision 20 and up may); -0 is 0.
bool numeric_magnitude(const unsigned char* array, int precision, bool* negative, uint64_t* magnitude);

// -1 when precision is not 1..38. db-lib's DBNUMERIC (Sybase's layout, which FreeTDS rebuilds from
// SQL Server's little-endian wire form) holds the magnitude big-endian in the fewest bytes that
// hold 10^precision - 1: n bytes hold p digits while p < n * log10(256) = n * 2.40823996531 (never
// equal).
constexpr int numeric_magnitude_bytes(int precision) {
    if (precision < 1 || precision > 38) return -1;
    return int(int64_t(precision) * 100000000000LL / 240823996531LL) + 1;
}

// The same for a whole DBNUMERIC array (33 bytes, as dbdata hands a decimal over): up to precision
// 18 the magnitude is one 8-byte big-endian load, shifted, instead of a loop over its bytes.
inline bool dbnumeric_magnitude(const unsigned char (&array)[33], int precision, bool* negative,
                                uint64_t* magnitude) {
    if (precision < 1 || precision > 18) return numeric_magnitude(array, precision, negative, magnitude);
    uint64_t word;
    __builtin_memcpy(&word, array + 1, sizeof word);
    // numeric_magnitude_bytes(precision) is a multiplication by a constant here: no table needed.
    uint64_t v = __builtin_bswap64(word) >> (8 * (8 - numeric_magnitude_bytes(precision)));
    *negative = array[0] == 1 && v != 0;
    *magnitude = v;
    return true;
}

// "-123.4500" from a sign, a magnitude (unscaled) and the digits after the point; out is replaced.
void scaled_to_text(std::string& out, bool negative, uint64_t magnitude, int scale);
inline void scaled_to_text(std::string& out, int64_t unscaled, int scale) {
    bool negative = unscaled < 0;
    scaled_to_text(out, negative, negative ? uint64_t(0) - uint64_t(unscaled) : uint64_t(unscaled), scale);
}
// The same into a caller's buffer (at least 48 bytes); returns the length, no NUL.
size_t scaled_to_chars(char* buf, bool negative, uint64_t magnitude, int scale);

// money / smallmoney: signed units of 1/10000.
inline int64_t money_units(int32_t high, uint32_t low) { return int64_t((uint64_t(uint32_t(high)) << 32) | low); }

// datetime (days since 1900-01-01, 1/300 s ticks since midnight) → microseconds since
// 2000-01-01, rounded to the millisecond SQL Server itself shows (.003, .007, .997).
inline int64_t datetime_to_usec(int32_t days, int32_t ticks) {
    int64_t usec = ((int64_t(ticks) * 10 + 1) / 3) * 1000;
    return (int64_t(days) - kDays1900To2000) * kUsecPerDay + usec;
}
// smalldatetime (days since 1900-01-01, minutes since midnight).
inline int64_t smalldatetime_to_usec(uint16_t days, uint16_t minutes) {
    return (int64_t(days) - kDays1900To2000) * kUsecPerDay + int64_t(minutes) * 60 * 1000000;
}
// date, time, datetime2, datetimeoffset as db-lib's DBDATETIMEALL holds them: days since
// 1900-01-01 and 100 ns units since midnight (UTC for datetimeoffset, whose offset is separate).
// Time is rounded to the microsecond, half up, as PostgreSQL rounds on input.
inline int64_t days_since_2000(int32_t days_since_1900) { return int64_t(days_since_1900) - kDays1900To2000; }
inline int64_t time_to_usec(uint64_t units_100ns) { return int64_t((units_100ns + 5) / 10); }

// uniqueidentifier: SQL Server sends the first three groups little-endian; RFC 4122 order is
// big-endian. out receives 16 bytes.
void uniqueidentifier_to_rfc4122(const unsigned char* wire, char* out);

// nvarchar/nchar/ntext read as varbinary: UTF-16LE bytes → UTF-8 (our own conversion instead of
// db-lib's iconv). out needs utf8_capacity(nbytes) bytes: a code unit becomes at most 3 bytes
// (a surrogate pair, two units, 4).
inline size_t utf8_capacity(size_t utf16_bytes) { return utf16_bytes / 2 * 3; }

enum class Utf16Status { ok, odd_length, unpaired_surrogate, nul };

struct Utf16Result {
    Utf16Status status = Utf16Status::ok;
    size_t length = 0;        // ok: UTF-8 bytes written
    size_t bad_offset = 0;    // not ok: byte offset of the offending code unit (odd_length: the length)
};

// Converts nbytes of UTF-16LE. Rejects an odd length, a lone or reversed surrogate and U+0000
// (PostgreSQL text cannot hold it), as SQL Server's own UTF-16 never produces the first two.
Utf16Result utf16le_to_utf8(const unsigned char* in, size_t nbytes, char* out);

// What went wrong, to be followed by the result's bad_offset: "odd number of bytes", "unpaired
// surrogate at byte", "U+0000, which text cannot hold, at byte". A static string (no allocation,
// so a caller may use it in an ereport).
const char* utf16_problem(Utf16Status status);

}  // namespace berqenas::remote::mssql
