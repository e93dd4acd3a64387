// SQL Server value decoding by arithmetic: decimals from db-lib's DBNUMERIC bytes, money,
// datetime/smalldatetime/datetime2 to PostgreSQL microseconds, uniqueidentifier byte order.
#include <gtest/gtest.h>

#include <climits>
#include <cstring>
#include <string>

#include "remote/mssql_values.hpp"

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
