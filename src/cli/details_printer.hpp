// Prints a JSON object (a status or a result) as aligned "key: value" lines, nested objects
// indented below their key, for people; --json prints the object itself instead.
#pragma once

#include "json_output.hpp"

#include <string>
#include <vector>

namespace berqenas::cli {

// skip: top-level keys printed elsewhere (e.g. as a table).
void print_details(const Json& object, const std::vector<std::string>& skip = {}, int indent = 0);

}  // namespace berqenas::cli
