// Name comparison per remote kind (identifier.hpp): where the dialect says names ignore case
// (MSSQL's default collation), simple lower-casing of the scripts ERP schemas are written in.
#include "remote/identifier.hpp"

#include "remote/dialect.hpp"

namespace berqenas::remote {

namespace {

// Lower-case of one code point in the ranges SQL Server's Latin1_General collations fold; others
// (and the dotted/dotless i, whose folding depends on the language) are returned unchanged.
char32_t lower(char32_t c) {
    if (c >= U'A' && c <= U'Z') return c + 32;
    if (c < 0x80) return c;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;                       // À..Þ, not ×
    if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
        return c % 2 == 0 ? c + 1 : c;                                              // Ā ā .. Ķ ķ, Ŋ ŋ .. Ŷ ŷ
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return c % 2 == 1 ? c + 1 : c;   // Ĺ ĺ .. Ň ň, Ź ź .. Ž ž
    if (c == 0x178) return 0xFF;                                                    // Ÿ
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;                      // Greek Α..Ω
    if (c == 0x386) return 0x3AC;
    if (c >= 0x388 && c <= 0x38A) return c + 37;
    if (c == 0x38C) return 0x3CC;
    if (c == 0x38E || c == 0x38F) return c + 63;
    if (c >= 0x410 && c <= 0x42F) return c + 32;                                    // Cyrillic А..Я
    if (c >= 0x400 && c <= 0x40F) return c + 80;                                    // Ѐ..Џ
    return c;
}

void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += char(c);
    } else if (c < 0x800) {
        out += char(0xC0 | (c >> 6));
        out += char(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += char(0xE0 | (c >> 12));
        out += char(0x80 | ((c >> 6) & 0x3F));
        out += char(0x80 | (c & 0x3F));
    } else {
        out += char(0xF0 | (c >> 18));
        out += char(0x80 | ((c >> 12) & 0x3F));
        out += char(0x80 | ((c >> 6) & 0x3F));
        out += char(0x80 | (c & 0x3F));
    }
}

}  // namespace

std::string mssql_name_key(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    size_t i = 0;
    while (i < name.size()) {
        const auto b = static_cast<unsigned char>(name[i]);
        if (b < 0x80) {
            out += char(b >= 'A' && b <= 'Z' ? b + 32 : b);
            ++i;
            continue;
        }
        // Two-byte sequences hold every letter folded here; anything else (or invalid UTF-8) is
        // copied byte for byte.
        if ((b & 0xE0) == 0xC0 && i + 1 < name.size() && (static_cast<unsigned char>(name[i + 1]) & 0xC0) == 0x80) {
            char32_t c = char32_t(b & 0x1F) << 6 | char32_t(static_cast<unsigned char>(name[i + 1]) & 0x3F);
            if (c >= 0x80) {
                append_utf8(out, lower(c));
                i += 2;
                continue;
            }
        }
        out += char(b);
        ++i;
    }
    return out;
}

bool same_identifier(DatabaseKind kind, std::string_view a, std::string_view b) {
    return a == b || (dialect(kind).names_ignore_case() && mssql_name_key(a) == mssql_name_key(b));
}

std::string identifier_key(DatabaseKind kind, std::string_view name) {
    return dialect(kind).names_ignore_case() ? mssql_name_key(name) : std::string(name);
}

std::optional<size_t> find_identifier(DatabaseKind kind, const std::vector<std::string>& names, std::string_view name) {
    for (size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return i;
    if (!dialect(kind).names_ignore_case()) return std::nullopt;
    const std::string key = mssql_name_key(name);
    std::optional<size_t> found;
    for (size_t i = 0; i < names.size(); ++i) {
        if (mssql_name_key(names[i]) != key) continue;
        if (found) return std::nullopt;
        found = i;
    }
    return found;
}

}  // namespace berqenas::remote
