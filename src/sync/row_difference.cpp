#include "sync/row_difference.hpp"

extern "C" {
#include "catalog/pg_type.h"
}

namespace berqenas::sync {

// Equal values of these types are also written alike, except numeric 1.0 / 1.00 and float 0 / -0,
// which are the same number. Others (json, interval, arrays, geometric and user types) have
// equal values written differently, or no equality at all.
bool compares_exactly(Oid type) {
    switch (type) {
        case BOOLOID: case INT2OID: case INT4OID: case INT8OID: case OIDOID:
        case FLOAT4OID: case FLOAT8OID: case NUMERICOID:
        case TEXTOID: case VARCHAROID: case BPCHAROID: case NAMEOID: case BYTEAOID: case UUIDOID:
        case DATEOID: case TIMEOID: case TIMESTAMPOID: case TIMESTAMPTZOID:
            return true;
        default:
            return false;
    }
}

std::string column_differs_sql(Oid type, const std::string& old_value, const std::string& new_value) {
    return compares_exactly(type) ? old_value + " IS DISTINCT FROM " + new_value
                                  : old_value + "::text IS DISTINCT FROM " + new_value + "::text";
}

}  // namespace berqenas::sync
