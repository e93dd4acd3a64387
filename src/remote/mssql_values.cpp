// SQL Server value decoding by arithmetic (see mssql_values.hpp).
#include "remote/mssql_values.hpp"

namespace berqenas::remote::mssql {

int numeric_magnitude_bytes(int precision) {
    // db-lib's DBNUMERIC (Sybase's layout, which FreeTDS rebuilds from SQL Server's little-endian
    // wire form) holds the magnitude big-endian in the fewest bytes that hold 10^precision - 1:
    // n bytes hold p digits while p < n * log10(256) = n * 2.40823996531 (never equal).
    if (precision < 1 || precision > 38) return -1;
    return int(int64_t(precision) * 100000000000LL / 240823996531LL) + 1;
}

bool numeric_magnitude(const unsigned char* array, int precision, bool* negative, uint64_t* magnitude) {
    int bytes = numeric_magnitude_bytes(precision);
    if (bytes < 0) return false;
    uint64_t v = 0;
    for (int i = 1; i <= bytes; ++i) {
        if (v >> 56) return false;
        v = (v << 8) | array[i];
    }
    *negative = array[0] == 1 && v != 0;
    *magnitude = v;
    return true;
}

size_t scaled_to_chars(char* buf, bool negative, uint64_t v, int scale) {
    negative = negative && v != 0;   // no "-0"
    char text[48];
    char* end = text + sizeof text;
    char* p = end;
    int n = 0;
    do {
        if (n == scale && n > 0) *--p = '.';
        *--p = char('0' + v % 10);
        v /= 10;
        ++n;
    } while (v != 0 || n <= scale);   // at least one digit before the point
    if (negative) *--p = '-';
    size_t len = size_t(end - p);
    for (size_t i = 0; i < len; ++i) buf[i] = p[i];
    return len;
}

void scaled_to_text(std::string& out, bool negative, uint64_t magnitude, int scale) {
    char buf[48];
    out.assign(buf, scaled_to_chars(buf, negative, magnitude, scale));
}

void uniqueidentifier_to_rfc4122(const unsigned char* wire, char* out) {
    static constexpr int kOrder[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; ++i) out[i] = char(wire[kOrder[i]]);
}

}  // namespace berqenas::remote::mssql
