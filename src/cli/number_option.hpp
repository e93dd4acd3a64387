// Numeric options as people type them: a whole number in a range, refused with a message that
// says what is expected (CLI11's own checks print "not in range 0.000000 to <300 digits>").
#pragma once

#include <CLI/CLI.hpp>

#include <limits>

namespace berqenas::cli {

// Accepts a whole number from min to max (decimal digits, an optional minus sign); anything else is
// "--opt: must be a whole number of 0 or more, not '-5'", "... from 1 to 65535, not 'abc'" or,
// past the largest int, "must be at most 2147483647, not '...'". max must fit the option's type.
CLI::Validator whole_number(long long min, long long max = std::numeric_limits<int>::max());

}  // namespace berqenas::cli
