// PRELOGIN: the first exchange of a TDS connection. We read what the client offers and answer
// with our version and "encryption not supported", since this test server has no TLS.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace berqenas::tds {

enum class Encryption : uint8_t { Off = 0, On = 1, NotSupported = 2, Required = 3 };

struct PreloginRequest {
    Encryption encryption = Encryption::NotSupported;
    bool mars = false;
};

PreloginRequest parse_prelogin(std::string_view payload);

// The response payload (a PRELOGIN structure, sent in a tabular-result packet).
std::string build_prelogin_response();

}  // namespace berqenas::tds
