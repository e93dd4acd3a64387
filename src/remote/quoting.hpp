// How one remote kind quotes names and writes values into SQL, as plain functions: code that
// writes a literal per value (convert/outbound, the sync's row loops) picks them once, not per value.
#pragma once

#include "common/pure_cpp.hpp"

#include <string>
#include <string_view>

namespace berqenas::remote {

// How convert::LiteralWriter writes a local value for this kind.
enum class LiteralStyle {
    // Every value as its PostgreSQL text form, quoted: the remote reads it as the type the
    // statement gives it there (a PostgreSQL remote).
    text,
    // Numbers bare, booleans and binary as below, floats and date/time values cast from their
    // text to the types named below, anything else quoted text (T-SQL).
    typed,
};

struct Quoting {
    std::string (*identifier)(std::string_view name);
    std::string (*text)(std::string_view value);
    std::string (*binary)(std::string_view bytes);
    std::string (*boolean)(bool value);
    // The n-th (1-based) parameter: PostgreSQL $n; T-SQL @Pn (only shown, values are inlined there).
    std::string (*parameter)(int n);

    LiteralStyle literals = LiteralStyle::text;
    // LiteralStyle::typed only: the types the casts name. A timestamptz is written as its UTC
    // wall time with " +00:00".
    const char* float_type = nullptr;
    const char* date_type = nullptr;
    const char* time_type = nullptr;
    const char* timestamp_type = nullptr;
    const char* timestamptz_type = nullptr;
    // The product, for the error on NaN and infinities, which typed remotes have no literal for.
    const char* product = nullptr;
};

}  // namespace berqenas::remote
