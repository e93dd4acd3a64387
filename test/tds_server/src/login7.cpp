// LOGIN7 layout (MS-TDS 2.2.6.4): a 36-byte fixed part, then (offset, length-in-characters)
// pairs pointing at UCS-2 strings inside the same message.
#include "login7.h"

#include "byte_buffer.h"
#include "text_encoding.h"

namespace berqenas::tds {
namespace {

std::string read_field(ByteReader& r, std::string_view payload, bool is_password = false) {
    uint16_t offset = r.u16le();
    uint16_t chars = r.u16le();
    size_t bytes = static_cast<size_t>(chars) * 2;
    if (static_cast<size_t>(offset) + bytes > payload.size()) throw ProtocolError("LOGIN7 field out of range");
    std::string_view raw = payload.substr(offset, bytes);
    return utf16le_to_utf8(is_password ? decode_login7_password(raw) : std::string(raw));
}

}  // namespace

std::string decode_login7_password(std::string_view obfuscated) {
    std::string out(obfuscated);
    for (char& c : out) {
        uint8_t b = static_cast<uint8_t>(c) ^ 0xA5;
        c = static_cast<char>(((b & 0x0F) << 4) | (b >> 4));
    }
    return out;
}

std::string encode_login7_password(std::string_view plain) {
    std::string out(plain);
    for (char& c : out) {
        uint8_t b = static_cast<uint8_t>(c);
        c = static_cast<char>((((b & 0x0F) << 4) | (b >> 4)) ^ 0xA5);
    }
    return out;
}

Login7 parse_login7(std::string_view payload) {
    Login7 login;
    ByteReader r(payload);
    r.u32le();  // total length, already known from the packets
    login.tds_version = r.u32le();
    login.packet_size = r.u32le();
    r.seek(36);
    login.host_name = read_field(r, payload);
    login.user_name = read_field(r, payload);
    login.password = read_field(r, payload, true);
    login.app_name = read_field(r, payload);
    login.server_name = read_field(r, payload);
    r.u32le();  // extension / unused
    login.library_name = read_field(r, payload);
    login.language = read_field(r, payload);
    login.database = read_field(r, payload);
    return login;
}

}  // namespace berqenas::tds
