// A call of one berqenas.* SQL function in named notation, built from fixed argument names; every
// value is a $n parameter. Arguments the user did not give are left out, so the SQL defaults apply.
#pragma once

#include "connection.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace berqenas::cli {

class SqlCall {
public:
    explicit SqlCall(std::string function) : function_(std::move(function)) {}

    // name => $n::cast (cast may be empty).
    SqlCall& arg(std::string_view name, Param value, std::string_view cast = "text");
    // name => ARRAY(...) from a list, sent as one JSON-array parameter.
    SqlCall& text_array(std::string_view name, const std::vector<std::string>& values);

    // SELECT function(...) AS alias — one value.
    std::string scalar_sql(std::string_view alias) const;
    // SELECT * FROM function(...) — a set-returning function.
    std::string rows_sql() const;
    const std::vector<Param>& params() const { return params_; }

private:
    std::string arguments() const;

    std::string function_;
    std::vector<std::string> args_;
    std::vector<Param> params_;
};

// "name" with double quotes doubled.
std::string quote_identifier(std::string_view name);

}  // namespace berqenas::cli
