// LOGIN7: the client's credentials and session wishes. The user, password and database it
// carries are handed unchanged to PostgreSQL, which decides whether the login succeeds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace berqenas::tds {

struct Login7 {
    uint32_t tds_version = 0;
    uint32_t packet_size = 0;
    std::string host_name;  // all strings converted to UTF-8
    std::string user_name;
    std::string password;
    std::string app_name;
    std::string server_name;
    std::string library_name;
    std::string language;
    std::string database;
};

Login7 parse_login7(std::string_view payload);

// LOGIN7 passwords are obfuscated: each byte had its nibbles swapped, then was XORed with 0xA5.
std::string decode_login7_password(std::string_view obfuscated);
std::string encode_login7_password(std::string_view plain);

}  // namespace berqenas::tds
