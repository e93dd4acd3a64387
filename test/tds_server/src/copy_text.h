// Plain queries stream through `COPY (query) TO STDOUT` (one buffer per row from libpq instead of
// one PGresult per row): the statement to send, and COPY's text lines split back into values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace berqenas::tds {

// `COPY (sql) TO STDOUT` for a statement that is a plain query (SELECT, or WITH … SELECT), else
// empty. The caller has already prepared sql as one statement that returns rows. A newline goes
// before the closing parenthesis so that a trailing -- comment cannot swallow it.
std::string copy_statement(const std::string& sql);

// One line of COPY's text format: values separated by tabs, a newline at the end, \N for NULL,
// backslash escapes for backslash and \b \f \n \r \t \v (PostgreSQL's CopyAttributeOutText emits
// no others; a backslash before any other character stands for that character). Fills
// values.size() values (views into line, or into `unescaped` for values that had escapes) and
// their null flags; false when the line does not have exactly that many values.
bool split_copy_line(std::string_view line, std::vector<std::string_view>& values, std::vector<char>& nulls,
                     std::string& unescaped);

}  // namespace berqenas::tds
