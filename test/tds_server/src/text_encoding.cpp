// UTF-8 <-> UTF-16LE and UTF-8 -> Windows-1252 without iconv, so the server depends on
// nothing but the standard library and libpq.
#include "text_encoding.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace berqenas::tds {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one code point starting at s[i]; advances i past it.
char32_t next_code_point(std::string_view s, size_t& i) {
    auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
    uint8_t b0 = byte(i);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    int extra = (b0 >= 0xF0 && b0 < 0xF8) ? 3 : (b0 >= 0xE0) ? 2 : (b0 >= 0xC0) ? 1 : -1;
    if (extra < 0 || static_cast<size_t>(extra) >= s.size() - i) {
        ++i;
        return kReplacement;
    }
    char32_t cp = b0 & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
        uint8_t b = byte(i + static_cast<size_t>(k));
        if ((b & 0xC0) != 0x80) {
            ++i;
            return kReplacement;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    i += static_cast<size_t>(extra) + 1;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kReplacement;
    return cp;
}

void put_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// Windows-1252 bytes 0x80..0x9F map to these code points (0 = unassigned).
constexpr char32_t kCp1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

}  // namespace

// Bytes before the first non-ASCII one, eight at a time.
static size_t ascii_prefix(const char* s, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        std::memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull) break;
    }
    while (i < n && static_cast<uint8_t>(s[i]) < 0x80) ++i;
    return i;
}

// Eight ASCII bytes to their sixteen UTF-16LE bytes: each byte spread to the low half of a unit.
inline void spread_ascii8(uint64_t w, char* dst) {
    uint64_t lo = w & 0xFFFFFFFFull, hi = w >> 32;
    lo = (lo | (lo << 16)) & 0x0000FFFF0000FFFFull;
    lo = (lo | (lo << 8)) & 0x00FF00FF00FF00FFull;
    hi = (hi | (hi << 16)) & 0x0000FFFF0000FFFFull;
    hi = (hi | (hi << 8)) & 0x00FF00FF00FF00FFull;
    std::memcpy(dst, &lo, 8);
    std::memcpy(dst + 8, &hi, 8);
}

void append_utf16le(std::string& out, std::string_view utf8) {
    // Every UTF-8 byte yields at most two UTF-16 bytes (U+FFFD for a bad byte, a surrogate pair
    // for four), so one zero-filled resize holds the result; ASCII then only sets low bytes.
    const size_t start = out.size();
    out.resize(start + 2 * utf8.size());
    char* dst = &out[start];
    const char* src = utf8.data();
    const size_t n = utf8.size();
    size_t w = 0;
    for (size_t i = 0; i < n;) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        for (; i + 8 <= n; i += 8, w += 16) {
            uint64_t word;
            std::memcpy(&word, src + i, 8);
            if (word & 0x8080808080808080ull) break;
            spread_ascii8(word, dst + w);
        }
#endif
        for (; i < n && static_cast<uint8_t>(src[i]) < 0x80; ++i, w += 2) dst[w] = src[i];
        if (i >= n) break;
        char32_t cp = next_code_point(utf8, i);
        auto put = [&](char32_t unit) {
            dst[w++] = static_cast<char>(unit & 0xFF);
            dst[w++] = static_cast<char>((unit >> 8) & 0xFF);
        };
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put(0xD800 + (cp >> 10));
            put(0xDC00 + (cp & 0x3FF));
        } else {
            put(cp);
        }
    }
    out.resize(start + w);
}

std::string utf8_to_utf16le(std::string_view utf8) {
    std::string out;
    append_utf16le(out, utf8);
    return out;
}

std::string utf16le_to_utf8(std::string_view utf16le) {
    std::string out;
    out.reserve(utf16le.size());
    size_t units = utf16le.size() / 2;
    auto unit = [&](size_t k) {
        return static_cast<char32_t>(static_cast<uint8_t>(utf16le[2 * k]) |
                                     (static_cast<uint8_t>(utf16le[2 * k + 1]) << 8));
    };
    for (size_t k = 0; k < units; ++k) {
        char32_t u = unit(k);
        if (u >= 0xD800 && u <= 0xDBFF && k + 1 < units && unit(k + 1) >= 0xDC00 && unit(k + 1) <= 0xDFFF) {
            char32_t lo = unit(++k);
            put_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
        } else if (u >= 0xD800 && u <= 0xDFFF) {
            put_utf8(out, kReplacement);
        } else {
            put_utf8(out, u);
        }
    }
    return out;
}

void append_cp1252(std::string& out, std::string_view utf8) {
    out.reserve(out.size() + utf8.size());
    for (size_t i = 0; i < utf8.size();) {
        size_t run = ascii_prefix(utf8.data() + i, utf8.size() - i);
        out.append(utf8.data() + i, run);
        i += run;
        if (i >= utf8.size()) break;
        char32_t cp = next_code_point(utf8, i);
        if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF)) {
            out.push_back(static_cast<char>(cp));
            continue;
        }
        char mapped = '?';
        for (int b = 0; b < 32; ++b) {
            if (kCp1252High[b] == cp && cp != 0) mapped = static_cast<char>(0x80 + b);
        }
        out.push_back(mapped);
    }
}

std::string utf8_to_cp1252(std::string_view utf8) {
    std::string out;
    append_cp1252(out, utf8);
    return out;
}

}  // namespace berqenas::tds
