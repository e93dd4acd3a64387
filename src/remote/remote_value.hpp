// A value as a driver hands it over: already in a native form (no text round trip) wherever the
// protocol has one. The PostgreSQL side (src/convert/inbound) turns each kind into a Datum of
// the local column's type.
#pragma once

#include "common/pure_cpp.hpp"

#include <cstdint>
#include <string_view>

namespace berqenas::remote {

enum class ValueKind : uint8_t {
    null,
    boolean,        // i != 0
    int64,          // i
    float64,        // f
    decimal,        // i: unscaled value, scale: digits after the point (-1234500, 4 = -123.45) (numeric, money)
    decimal_text,   // bytes: exact decimal digits, e.g. "-123.4500" (numeric too large for decimal)
    text,           // bytes: UTF-8
    binary,         // bytes: raw bytes (varbinary, image, rowversion, bytea)
    date,           // i: days since 2000-01-01 (PostgreSQL's epoch)
    time,           // i: microseconds since midnight
    timestamp,      // i: microseconds since 2000-01-01 00:00:00, no zone
    timestamptz,    // i: microseconds since 2000-01-01 00:00:00 UTC
    uuid,           // bytes: 16 bytes in RFC 4122 order
    pg_binary,      // bytes: PostgreSQL binary send format of the remote column's own type
};

// Valid until the stream advances.
struct RemoteValue {
    ValueKind kind = ValueKind::null;
    int16_t scale = 0;   // decimal only
    int64_t i = 0;
    double f = 0;
    std::string_view bytes;
};

}  // namespace berqenas::remote
