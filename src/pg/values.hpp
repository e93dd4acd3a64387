// Moving values across the boundary: SQL arguments into std::string and back into Datums.
// Each conversion that may ereport (detoasting, palloc, input functions) runs inside pg_call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pg/guard.hpp"

namespace berqenas::pg {

bool arg_is_null(FunctionCallInfo fcinfo, int n);
std::string text_arg(FunctionCallInfo fcinfo, int n);              // error 22023 when NULL
std::optional<std::string> optional_text_arg(FunctionCallInfo fcinfo, int n);
std::string bytea_arg(FunctionCallInfo fcinfo, int n);
int64_t int64_arg(FunctionCallInfo fcinfo, int n);
int32_t int32_arg(FunctionCallInfo fcinfo, int n);
double float8_arg(FunctionCallInfo fcinfo, int n);
bool bool_arg(FunctionCallInfo fcinfo, int n);

Datum text_datum(std::string_view value);
Datum bytea_datum(std::string_view value);
Datum jsonb_datum(const std::string& json_text);   // parses JSON text with jsonb_in

}  // namespace berqenas::pg
