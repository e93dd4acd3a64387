// Hex text for bytes: how SPI hands bytea over ("\x..." text) and how bytea goes back in.
#pragma once

#include "common/pure_cpp.hpp"

#include <string>
#include <string_view>

namespace berqenas {

std::string to_hex(std::string_view bytes);
// Accepts an optional "\x" prefix (bytea's text form); throws Error 22023 on a bad digit.
std::string from_hex(std::string_view text);

}  // namespace berqenas
