// Hex encoding and decoding.
#include "common/hex.hpp"

#include "common/error.hpp"

namespace berqenas {

std::string to_hex(std::string_view bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        hex.push_back(digits[c >> 4]);
        hex.push_back(digits[c & 15]);
    }
    return hex;
}

std::string from_hex(std::string_view text) {
    if (text.size() >= 2 && text[0] == '\\' && text[1] == 'x') text.remove_prefix(2);
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (text.size() % 2 != 0) throw Error(sqlstate::invalid_parameter, "hex text has an odd number of digits");
    std::string out;
    out.reserve(text.size() / 2);
    for (size_t i = 0; i < text.size(); i += 2) {
        int hi = nibble(text[i]), lo = nibble(text[i + 1]);
        if (hi < 0 || lo < 0) throw Error(sqlstate::invalid_parameter, "hex text has a character that is not a hex digit");
        out.push_back(char((hi << 4) | lo));
    }
    return out;
}

}  // namespace berqenas
