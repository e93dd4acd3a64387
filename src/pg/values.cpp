// Conversions between SQL argument Datums and C++ values, each PostgreSQL call guarded.
#include "pg/values.hpp"

extern "C" {
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
}

namespace berqenas::pg {

bool arg_is_null(FunctionCallInfo fcinfo, int n) {
    return n >= PG_NARGS() || PG_ARGISNULL(n);
}

namespace {
void require_arg(FunctionCallInfo fcinfo, int n) {
    if (arg_is_null(fcinfo, n))
        throw Error(sqlstate::invalid_parameter, "argument " + std::to_string(n + 1) + " must not be null");
}

std::string varlena_arg(FunctionCallInfo fcinfo, int n) {
    require_arg(fcinfo, n);
    struct varlena* v = pg_call([&] { return PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(n)); });
    return std::string(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
}
}  // namespace

std::string text_arg(FunctionCallInfo fcinfo, int n) { return varlena_arg(fcinfo, n); }

std::optional<std::string> optional_text_arg(FunctionCallInfo fcinfo, int n) {
    if (arg_is_null(fcinfo, n)) return std::nullopt;
    return varlena_arg(fcinfo, n);
}

std::string bytea_arg(FunctionCallInfo fcinfo, int n) { return varlena_arg(fcinfo, n); }

int64_t int64_arg(FunctionCallInfo fcinfo, int n) {
    require_arg(fcinfo, n);
    return PG_GETARG_INT64(n);
}

int32_t int32_arg(FunctionCallInfo fcinfo, int n) {
    require_arg(fcinfo, n);
    return PG_GETARG_INT32(n);
}

double float8_arg(FunctionCallInfo fcinfo, int n) {
    require_arg(fcinfo, n);
    return PG_GETARG_FLOAT8(n);
}

bool bool_arg(FunctionCallInfo fcinfo, int n) {
    require_arg(fcinfo, n);
    return PG_GETARG_BOOL(n);
}

Datum text_datum(std::string_view value) {
    return pg_call([&] { return PointerGetDatum(cstring_to_text_with_len(value.data(), int(value.size()))); });
}

Datum bytea_datum(std::string_view value) {
    return pg_call([&] {
        bytea* b = static_cast<bytea*>(palloc(VARHDRSZ + value.size()));
        SET_VARSIZE(b, VARHDRSZ + value.size());
        memcpy(VARDATA(b), value.data(), value.size());
        return PointerGetDatum(b);
    });
}

Datum jsonb_datum(const std::string& json_text) {
    return pg_call([&] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(json_text.c_str())); });
}

}  // namespace berqenas::pg
