// A string literal for the local PostgreSQL, for engine code that writes SQL the local server runs
// (journal keys). Not a remote's dialect: the local server is always PostgreSQL. Pure C++.
#pragma once

#include "common/pure_cpp.hpp"

#include <string>
#include <string_view>

namespace berqenas::sync {

// '...' with ' doubled; E'...' with \ doubled too when the text holds a backslash, so the literal
// means the same whatever standard_conforming_strings says (as quote_literal_cstr writes it).
std::string local_literal(std::string_view value);

}  // namespace berqenas::sync
