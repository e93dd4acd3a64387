// SQL Server value decoding by arithmetic (see mssql_values.hpp).
#include "remote/mssql/mssql_values.hpp"

#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace berqenas::remote::mssql {

bool numeric_magnitude(const unsigned char* array, int precision, bool* negative, uint64_t* magnitude) {
    int bytes = numeric_magnitude_bytes(precision);
    if (bytes < 0) return false;
    uint64_t v = 0;
    if (bytes <= 8) {
        // Precision up to 19: never more than 64 bits, no overflow check needed.
        for (int i = 1; i <= bytes; ++i) v = (v << 8) | array[i];
    } else {
        for (int i = 1; i <= bytes; ++i) {
            if (v >> 56) return false;
            v = (v << 8) | array[i];
        }
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

Utf16Result utf16le_to_utf8(const unsigned char* in, size_t nbytes, char* out) {
    Utf16Result r;
    if (nbytes % 2 != 0) {
        r.status = Utf16Status::odd_length;
        r.bad_offset = nbytes;
        return r;
    }
    size_t i = 0;
    char* o = out;
    for (;;) {
#ifdef __SSE2__
        // Eight ASCII units (no NUL) at a time: the usual text of an ERP table. Units are compared
        // as signed 16-bit numbers, so 0x8000 and up count as "not ASCII" too.
        while (i + 16 <= nbytes) {
            __m128i units = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
            __m128i ascii = _mm_and_si128(_mm_cmpgt_epi16(units, _mm_setzero_si128()),
                                          _mm_cmplt_epi16(units, _mm_set1_epi16(0x80)));
            if (_mm_movemask_epi8(ascii) != 0xFFFF) break;
            _mm_storel_epi64(reinterpret_cast<__m128i*>(o), _mm_packus_epi16(units, units));
            o += 8;
            i += 16;
        }
#endif
        // Four at a time (the tail, or where SSE2 is missing).
        while (i + 8 <= nbytes) {
            uint64_t w;
            std::memcpy(&w, in + i, 8);
            // Any unit >= 0x80, or a zero unit (a borrow into bit 15 from the subtraction), ends the run.
            if (((w & 0xFF80FF80FF80FF80ULL) | ((w - 0x0001000100010001ULL) & ~w & 0x8000800080008000ULL)) != 0) break;
            o[0] = char(in[i]);
            o[1] = char(in[i + 2]);
            o[2] = char(in[i + 4]);
            o[3] = char(in[i + 6]);
            o += 4;
            i += 8;
        }
        if (i >= nbytes) break;
        uint32_t u = uint32_t(in[i]) | (uint32_t(in[i + 1]) << 8);
        if (u < 0x80) {
            if (u == 0) {
                r.status = Utf16Status::nul;
                r.bad_offset = i;
                return r;
            }
            *o++ = char(u);
            i += 2;
        } else if (u < 0x800) {
            *o++ = char(0xC0 | (u >> 6));
            *o++ = char(0x80 | (u & 0x3F));
            i += 2;
        } else if (u < 0xD800 || u > 0xDFFF) {
            *o++ = char(0xE0 | (u >> 12));
            *o++ = char(0x80 | ((u >> 6) & 0x3F));
            *o++ = char(0x80 | (u & 0x3F));
            i += 2;
        } else {
            uint32_t low = i + 4 <= nbytes ? uint32_t(in[i + 2]) | (uint32_t(in[i + 3]) << 8) : 0;
            if (u > 0xDBFF || low < 0xDC00 || low > 0xDFFF) {
                r.status = Utf16Status::unpaired_surrogate;
                r.bad_offset = i;
                return r;
            }
            uint32_t cp = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
            *o++ = char(0xF0 | (cp >> 18));
            *o++ = char(0x80 | ((cp >> 12) & 0x3F));
            *o++ = char(0x80 | ((cp >> 6) & 0x3F));
            *o++ = char(0x80 | (cp & 0x3F));
            i += 4;
        }
    }
    r.length = size_t(o - out);
    return r;
}

const char* utf16_problem(Utf16Status status) {
    switch (status) {
        case Utf16Status::ok: return "valid";
        case Utf16Status::odd_length: return "odd number of bytes";
        case Utf16Status::unpaired_surrogate: return "unpaired surrogate at byte";
        case Utf16Status::nul: return "U+0000, which text cannot hold, at byte";
    }
    return "invalid";
}

}  // namespace berqenas::remote::mssql
