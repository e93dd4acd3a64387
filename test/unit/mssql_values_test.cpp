// SQL Server value decoding by arithmetic: decimals from db-lib's DBNUMERIC bytes, money,
// datetime/smalldatetime/datetime2 to PostgreSQL microseconds, uniqueidentifier byte order.
#include <gtest/gtest.h>

#include <climits>
#include <cstring>
#include <string>

#include "remote/mssql/mssql_values.hpp"

namespace mssql = berqenas::remote::mssql;

namespace {

// A DBNUMERIC array for precision p: sign byte, then the magnitude big-endian in the bytes p needs.
std::string numeric_array(int precision, bool negative, unsigned __int128 magnitude) {
    int n = mssql::numeric_magnitude_bytes(precision);
    std::string a(1 + size_t(n), '\0');
    a[0] = negative ? 1 : 0;
    for (int i = n; i >= 1; --i) {
        a[size_t(i)] = char(magnitude & 0xff);
        magnitude >>= 8;
    }
    return a;
}

bool magnitude_of(const std::string& array, int precision, bool* negative, uint64_t* magnitude) {
    return mssql::numeric_magnitude(reinterpret_cast<const unsigned char*>(array.data()), precision, negative, magnitude);
}

std::string text(int64_t unscaled, int scale) {
    std::string out;
    mssql::scaled_to_text(out, unscaled, scale);
    return out;
}

}  // namespace

TEST(MssqlValues, NumericMagnitudeBytesFollowSybaseLayout) {
    // numeric_magnitude_bytes(p) is the fewest bytes holding 10^p - 1.
    for (int p = 1; p <= 38; ++p) {
        unsigned __int128 largest = 1;
        for (int i = 0; i < p; ++i) largest *= 10;
        --largest;
        int bytes = 0;
        for (unsigned __int128 v = largest; v != 0; v >>= 8) ++bytes;
        EXPECT_EQ(mssql::numeric_magnitude_bytes(p), bytes) << "precision " << p;
    }
    // Bytes with the sign, as db-lib's DBNUMERIC lays them out for precision 1..38.
    const int with_sign[39] = {0,  2,  2,  3,  3,  4,  4,  4,  5,  5,  6,  6,  6,  7,  7,  8,  8,  9,  9,  9,
                               10, 10, 11, 11, 11, 12, 12, 13, 13, 14, 14, 14, 15, 15, 16, 16, 16, 17, 17};
    for (int p = 1; p <= 38; ++p) EXPECT_EQ(mssql::numeric_magnitude_bytes(p) + 1, with_sign[p]) << "precision " << p;
    EXPECT_EQ(mssql::numeric_magnitude_bytes(0), -1);
    EXPECT_EQ(mssql::numeric_magnitude_bytes(39), -1);
}

TEST(MssqlValues, NumericMagnitudeReadsSignAndDigits) {
    bool negative = false;
    uint64_t m = 0;
    ASSERT_TRUE(magnitude_of(numeric_array(18, false, 142857142857ULL), 18, &negative, &m));
    EXPECT_FALSE(negative);
    EXPECT_EQ(m, 142857142857ULL);
    ASSERT_TRUE(magnitude_of(numeric_array(12, true, 999999999999ULL), 12, &negative, &m));
    EXPECT_TRUE(negative);
    EXPECT_EQ(m, 999999999999ULL);
    // 19 nines (precision 19) and 2^64 - 1 (precision 20) fit; -0 is 0.
    ASSERT_TRUE(magnitude_of(numeric_array(19, true, 9999999999999999999ULL), 19, &negative, &m));
    EXPECT_EQ(m, 9999999999999999999ULL);
    ASSERT_TRUE(magnitude_of(numeric_array(20, false, UINT64_MAX), 20, &negative, &m));
    EXPECT_EQ(m, UINT64_MAX);
    ASSERT_TRUE(magnitude_of(numeric_array(5, true, 0), 5, &negative, &m));
    EXPECT_FALSE(negative);
    EXPECT_EQ(m, 0u);
}

TEST(MssqlValues, WholeDbnumericReadsTheSameAsByteByByte) {
    // Every precision, the largest magnitude it holds and a few others, with the array's unused
    // bytes set (the 8-byte load must shift them out) and negative zero.
    for (int p = 1; p <= 38; ++p) {
        unsigned __int128 largest = 1;
        for (int i = 0; i < p; ++i) largest *= 10;
        --largest;
        for (unsigned __int128 value : {largest, largest / 7, (unsigned __int128)1, (unsigned __int128)0}) {
            for (bool negative : {false, true}) {
                std::string packed = numeric_array(p, negative, value);
                unsigned char whole[33];
                std::memset(whole, 0xAB, sizeof whole);
                std::memcpy(whole, packed.data(), packed.size());
                bool neg_a = false, neg_b = false;
                uint64_t a = 0, b = 0;
                bool ok_a = magnitude_of(packed, p, &neg_a, &a);
                bool ok_b = mssql::dbnumeric_magnitude(whole, p, &neg_b, &b);
                ASSERT_EQ(ok_a, ok_b) << "precision " << p;
                if (!ok_a) continue;
                EXPECT_EQ(a, b) << "precision " << p;
                EXPECT_EQ(neg_a, neg_b) << "precision " << p;
                EXPECT_EQ(neg_b, negative && value != 0) << "precision " << p;
            }
        }
    }
}

TEST(MssqlValues, NumericMagnitudeRefusesWhatDoesNotFit) {
    bool negative;
    uint64_t m;
    unsigned __int128 big = (unsigned __int128)UINT64_MAX + 1;
    EXPECT_FALSE(magnitude_of(numeric_array(20, false, big), 20, &negative, &m));
    unsigned __int128 nines38 = 1;
    for (int i = 0; i < 38; ++i) nines38 *= 10;
    EXPECT_FALSE(magnitude_of(numeric_array(38, false, nines38 - 1), 38, &negative, &m));
    std::string any(17, '\0');
    EXPECT_FALSE(magnitude_of(any, 0, &negative, &m));
    EXPECT_FALSE(magnitude_of(any, 39, &negative, &m));
}

TEST(MssqlValues, ScaledToText) {
    EXPECT_EQ(text(142857142857, 6), "142857.142857");
    EXPECT_EQ(text(-1234500, 4), "-123.4500");
    EXPECT_EQ(text(5, 4), "0.0005");
    EXPECT_EQ(text(-5, 4), "-0.0005");
    EXPECT_EQ(text(0, 2), "0.00");
    EXPECT_EQ(text(0, 0), "0");
    EXPECT_EQ(text(-42, 0), "-42");
    EXPECT_EQ(text(INT64_MIN, 4), "-922337203685477.5808");
    EXPECT_EQ(text(INT64_MAX, 4), "922337203685477.5807");
    std::string out;
    mssql::scaled_to_text(out, true, UINT64_MAX, 38);
    EXPECT_EQ(out, "-0.00000000000000000018446744073709551615");
    mssql::scaled_to_text(out, true, 0, 3);
    EXPECT_EQ(out, "0.000");   // no "-0"
    char buf[48];
    size_t n = mssql::scaled_to_chars(buf, false, 12345, 2);
    EXPECT_EQ(std::string(buf, n), "123.45");
}

TEST(MssqlValues, Money) {
    EXPECT_EQ(mssql::money_units(0, 10000), 10000);
    EXPECT_EQ(mssql::money_units(-1, 0xffffffffu), -1);
    EXPECT_EQ(mssql::money_units(INT32_MIN, 0), INT64_MIN);
    EXPECT_EQ(mssql::money_units(INT32_MAX, 0xffffffffu), INT64_MAX);
}

TEST(MssqlValues, DatetimeCountsFrom2000) {
    const int64_t day = mssql::kUsecPerDay;
    EXPECT_EQ(mssql::datetime_to_usec(36524, 0), 0);                       // 2000-01-01 00:00
    EXPECT_EQ(mssql::datetime_to_usec(0, 0), -36524 * day);                // 1900-01-01
    EXPECT_EQ(mssql::datetime_to_usec(-53690, 0), (-53690 - 36524) * day); // 1753-01-01
    // 1/300 s ticks shown as SQL Server shows them: .003, .007, .010 and 23:59:59.997.
    EXPECT_EQ(mssql::datetime_to_usec(36524, 1), 3000);
    EXPECT_EQ(mssql::datetime_to_usec(36524, 2), 7000);
    EXPECT_EQ(mssql::datetime_to_usec(36524, 3), 10000);
    EXPECT_EQ(mssql::datetime_to_usec(36524, 25919999), day - 3000);
    EXPECT_EQ(mssql::smalldatetime_to_usec(36524, 61), 61LL * 60 * 1000000);
    EXPECT_EQ(mssql::smalldatetime_to_usec(65535, 0), (65535 - 36524) * day);   // 2079-06-06
}

TEST(MssqlValues, Datetime2RoundsToMicroseconds) {
    EXPECT_EQ(mssql::days_since_2000(36524), 0);
    EXPECT_EQ(mssql::days_since_2000(-693595), -693595 - 36524);   // 0001-01-01
    EXPECT_EQ(mssql::time_to_usec(0), 0);
    EXPECT_EQ(mssql::time_to_usec(1234564), 123456);   // .1234564 s: down
    EXPECT_EQ(mssql::time_to_usec(1234565), 123457);   // half: up
    EXPECT_EQ(mssql::time_to_usec(863999999999ULL), mssql::kUsecPerDay);   // 23:59:59.9999999 -> 24:00:00
}

TEST(MssqlValues, UniqueidentifierByteOrder) {
    const unsigned char wire[16] = {0x99, 0xbc, 0xee, 0xa0, 0x0b, 0x9c, 0xf8, 0x4e,
                                    0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11};
    char out[16];
    mssql::uniqueidentifier_to_rfc4122(wire, out);
    const unsigned char expected[16] = {0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8,
                                        0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11};
    EXPECT_EQ(std::memcmp(out, expected, 16), 0);
}

namespace {

// UTF-16LE bytes of a UTF-8 string, through the standard library's own code-point walk (u16string).
std::string utf16le(const std::u16string& s) {
    std::string out;
    for (char16_t c : s) {
        out += char(c & 0xFF);
        out += char(c >> 8);
    }
    return out;
}

mssql::Utf16Result convert(const std::string& in, std::string& out) {
    out.assign(mssql::utf8_capacity(in.size()), '\0');
    mssql::Utf16Result r = mssql::utf16le_to_utf8(reinterpret_cast<const unsigned char*>(in.data()), in.size(), out.data());
    if (r.status == mssql::Utf16Status::ok) out.resize(r.length);
    return r;
}

std::string to_utf8(const std::u16string& s) {
    std::string out;
    mssql::Utf16Result r = convert(utf16le(s), out);
    EXPECT_EQ(r.status, mssql::Utf16Status::ok) << mssql::utf16_problem(r.status) << " " << r.bad_offset;
    return out;
}

}  // namespace

TEST(MssqlValues, Utf16AsciiAndEmpty) {
    EXPECT_EQ(to_utf8(u""), "");
    EXPECT_EQ(to_utf8(u"a"), "a");
    EXPECT_EQ(to_utf8(u"note 12345"), "note 12345");
    // Every length around the 4-unit fast path.
    std::u16string s;
    std::string expected;
    for (int n = 0; n < 40; ++n) {
        EXPECT_EQ(to_utf8(s), expected);
        s += char16_t('A' + n % 26);
        expected += char('A' + n % 26);
    }
}

TEST(MssqlValues, Utf16NonAsciiAndSurrogatePairs) {
    EXPECT_EQ(to_utf8(u"\u00e9"), "\xc3\xa9");                          // é, 2 bytes
    EXPECT_EQ(to_utf8(u"\u4e2d"), "\xe4\xb8\xad");                      // 中, 3 bytes
    EXPECT_EQ(to_utf8(u"\U0001F600"), "\xf0\x9f\x98\x80");              // 😀, a surrogate pair
    EXPECT_EQ(to_utf8(u"\U0010FFFF"), "\xf4\x8f\xbf\xbf");              // the last code point
    EXPECT_EQ(to_utf8(u"\uFFFF\u007F\u0080\u07FF\u0800"), "\xef\xbf\xbf\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80");
    EXPECT_EQ(to_utf8(u"Ay\u015fe caf\u00e9 \u4e2d\u6587 \U0001F600!abcdefgh"),
              "Ay\xc5\x9f" "e caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80!abcdefgh");
    // The worst case fills the capacity exactly: three bytes per unit.
    std::u16string cjk(1000, u'\u4e2d');
    std::string out;
    ASSERT_EQ(convert(utf16le(cjk), out).status, mssql::Utf16Status::ok);
    EXPECT_EQ(out.size(), mssql::utf8_capacity(2000));
}

TEST(MssqlValues, Utf16ErrorsNameTheOffset) {
    std::string out;
    mssql::Utf16Result r = convert(std::string("a\0b", 3), out);
    EXPECT_EQ(r.status, mssql::Utf16Status::odd_length);
    EXPECT_STREQ(mssql::utf16_problem(r.status), "odd number of bytes");
    EXPECT_EQ(r.bad_offset, 3u);
    r = convert(utf16le(u"ab") + utf16le(std::u16string(1, char16_t(0xD83D))), out);   // high surrogate at the end
    EXPECT_EQ(r.status, mssql::Utf16Status::unpaired_surrogate);
    EXPECT_STREQ(mssql::utf16_problem(r.status), "unpaired surrogate at byte");
    EXPECT_EQ(r.bad_offset, 4u);
    r = convert(utf16le(std::u16string{char16_t(0xDE00), u'a'}), out);                   // low surrogate first
    EXPECT_EQ(r.status, mssql::Utf16Status::unpaired_surrogate);
    EXPECT_EQ(r.bad_offset, 0u);
    r = convert(utf16le(std::u16string{char16_t(0xD83D), u'a'}), out);                   // high then not low
    EXPECT_EQ(r.status, mssql::Utf16Status::unpaired_surrogate);
    r = convert(utf16le(std::u16string{u'a', u'b', u'c', u'd', u'e', 0, u'f'}), out);    // NUL inside the fast path's reach
    EXPECT_EQ(r.status, mssql::Utf16Status::nul);
    EXPECT_STREQ(mssql::utf16_problem(r.status), "U+0000, which text cannot hold, at byte");
    EXPECT_EQ(r.bad_offset, 10u);
}

TEST(MssqlValues, Utf16EveryPositionOfTheWideFastPath) {
    // One special unit at each position of a 24-unit string: inside and after the 8- and 4-unit
    // blocks, so every exit from the ASCII runs is taken.
    const struct {
        char16_t unit;
        const char* utf8;
    } specials[] = {{u'\u007f', "\x7f"}, {u'\u0080', "\xc2\x80"}, {u'\u00e9', "\xc3\xa9"},
                    {u'\u4e2d', "\xe4\xb8\xad"}, {u'\uffff', "\xef\xbf\xbf"}, {u'\u8000', "\xe8\x80\x80"}};
    for (size_t pos = 0; pos < 24; ++pos) {
        for (const auto& s : specials) {
            std::u16string in(24, u'a');
            in[pos] = s.unit;
            std::string expected = std::string(pos, 'a') + s.utf8 + std::string(23 - pos, 'a');
            EXPECT_EQ(to_utf8(in), expected) << "position " << pos << " unit " << int(s.unit);
        }
        std::u16string with_nul(24, u'a');
        with_nul[pos] = 0;
        std::string out;
        mssql::Utf16Result r = convert(utf16le(with_nul), out);
        EXPECT_EQ(r.status, mssql::Utf16Status::nul) << pos;
        EXPECT_EQ(r.bad_offset, pos * 2);
    }
}
