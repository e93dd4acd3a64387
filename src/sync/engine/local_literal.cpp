// local_literal: PostgreSQL's quote_literal rules, for engine code without postgres.h.
#include "sync/engine/local_literal.hpp"

namespace berqenas::sync {

std::string local_literal(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 3);
    const bool backslash = value.find('\\') != std::string_view::npos;
    if (backslash) out.push_back('E');
    out.push_back('\'');
    for (char c : value) {
        out.push_back(c);
        if (c == '\'' || (c == '\\' && backslash)) out.push_back(c);
    }
    out.push_back('\'');
    return out;
}

}  // namespace berqenas::sync
