#include "sync/row_difference.hpp"

extern "C" {
#include "catalog/pg_type.h"
}

namespace berqenas::sync {

// Equal values of these types are the same value, bit for bit. Not numeric (1.0 = 1.00, another
// scale) and not float (0 = -0): those get a check of their own below. Others (json, interval,
// arrays, geometric and user types) have equal values written differently, or no equality at all.
bool compares_exactly(Oid type) {
    switch (type) {
        case BOOLOID: case INT2OID: case INT4OID: case INT8OID: case OIDOID:
        case TEXTOID: case VARCHAROID: case BPCHAROID: case NAMEOID: case BYTEAOID: case UUIDOID:
        case DATEOID: case TIMEOID: case TIMESTAMPOID: case TIMESTAMPTZOID:
            return true;
        default:
            return false;
    }
}

std::string column_differs_sql(Oid type, const std::string& old_value, const std::string& new_value) {
    if (compares_exactly(type)) return old_value + " IS DISTINCT FROM " + new_value;
    // Still typed (far cheaper than text), plus what equality ignores: the scale of a numeric, the
    // sign of a float zero (its binary form tells 0 from -0).
    if (type == NUMERICOID)
        return "(" + old_value + " IS DISTINCT FROM " + new_value + " OR pg_catalog.scale(" + old_value +
               ") IS DISTINCT FROM pg_catalog.scale(" + new_value + "))";
    if (type == FLOAT8OID || type == FLOAT4OID) {
        const std::string send = type == FLOAT8OID ? "pg_catalog.float8send(" : "pg_catalog.float4send(";
        return send + old_value + ") IS DISTINCT FROM " + send + new_value + ")";
    }
    return old_value + "::text IS DISTINCT FROM " + new_value + "::text";
}

}  // namespace berqenas::sync
