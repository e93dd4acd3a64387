// Remote values into local Datums of one column's type, shared by the FDW (scans, RETURNING,
// ANALYZE) and sync (loader, realtime applier) so both convert every value the same way.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "convert/row_arena.hpp"
#include "pg/guard.hpp"
#include "remote/connection_params.hpp"
#include "remote/remote_value.hpp"

extern "C" {
#include "fmgr.h"
#include "catalog/pg_type_d.h"
#include "datatype/timestamp.h"
#include "utils/timestamp.h"
#include "utils/date.h"
#include "port/pg_bswap.h"
}

namespace berqenas::convert {

// How one column becomes a Datum of the local type; prepared once (prepare_reader), plain data.
struct ColumnReader {
    Oid local_type = InvalidOid;
    int32 typmod = -1;
    Oid local_ioparam = InvalidOid;
    FmgrInfo local_input;
    FmgrInfo local_recv;
    bool has_local_recv = false;
    // pg_binary cells of another (built-in) remote type: its receive and output functions.
    Oid remote_type = InvalidOid;
    Oid remote_ioparam = InvalidOid;
    FmgrInfo remote_recv;
    FmgrInfo remote_out;
    MemoryContext mcxt = nullptr;   // where the FmgrInfos live
    // An MSSQL nvarchar/nchar/ntext column read as varbinary: its binary values are UTF-16LE text.
    bool utf16 = false;
    // Worked out by prepare_reader for the per-value paths: the numeric typmod's scale and the
    // magnitude bound of its precision (0: no typmod; UINT64_MAX over precision 18, which every
    // int64 fits), and whether a text value can be stored as UTF-8 as it is.
    int32 numeric_scale = -1;
    uint64_t numeric_bound = 0;
    bool text_as_utf8 = false;
    // A scan's readers: where numerics and texts are built (reset by the scan at each row).
    // nullptr: palloc in the current memory context.
    RowArena* arena = nullptr;
};

// Looks the type's functions up (inside pg_call; FmgrInfos allocated in mcxt).
void prepare_reader(ColumnReader& reader, Oid local_type, int32 typmod, MemoryContext mcxt);

// The kinds store_plain_value (below) does not take: value_to_datum's out-of-line part.
Datum convert_other_value(ColumnReader& reader, const remote::RemoteValue& value, uint32_t remote_type_oid, bool* isnull);

// Two conversions store_plain_value calls out of line. Inside pg_call.
// A numeric of the reader's typmod from an unscaled value and its scale (0..38).
Datum numeric_from_unscaled(ColumnReader& reader, int64_t unscaled, int scale);
// An MSSQL n-type value read as varbinary (UTF-16LE) into the reader's type.
Datum utf16_to_datum(ColumnReader& reader, std::string_view bytes);

// A PostgreSQL remote's binary value of the local column's own fixed-width type, decoded in place
// of its receive function (the send formats are network-order integers and IEEE floats). Values a
// receive function would refuse or adjust (out of range, a timestamp typmod below 6) and every
// other type return false, for the receive function to handle.
inline bool store_pg_binary(const ColumnReader& r, std::string_view bytes, Datum* value) {
    auto load = [&](auto* out) {
        if (bytes.size() != sizeof *out) return false;
        memcpy(out, bytes.data(), sizeof *out);
        return true;
    };
    uint16 u16;
    uint32 u32;
    uint64 u64;
    switch (r.local_type) {
        case BOOLOID:
            if (bytes.size() != 1) return false;
            *value = BoolGetDatum(bytes[0] != 0);
            return true;
        case INT2OID:
            if (!load(&u16)) return false;
            *value = Int16GetDatum(int16(pg_ntoh16(u16)));
            return true;
        case INT4OID:
            if (!load(&u32)) return false;
            *value = Int32GetDatum(int32(pg_ntoh32(u32)));
            return true;
        case INT8OID:
            if (!load(&u64)) return false;
            *value = Int64GetDatum(int64(pg_ntoh64(u64)));
            return true;
        case FLOAT4OID: {
            if (!load(&u32)) return false;
            u32 = pg_ntoh32(u32);
            float4 f;
            memcpy(&f, &u32, sizeof f);
            *value = Float4GetDatum(f);
            return true;
        }
        case FLOAT8OID: {
            if (!load(&u64)) return false;
            u64 = pg_ntoh64(u64);
            float8 f;
            memcpy(&f, &u64, sizeof f);
            *value = Float8GetDatum(f);
            return true;
        }
        case DATEOID: {
            if (!load(&u32)) return false;
            DateADT d = DateADT(pg_ntoh32(u32));
            if (!DATE_NOT_FINITE(d) && !IS_VALID_DATE(d)) return false;
            *value = DateADTGetDatum(d);
            return true;
        }
        case TIMESTAMPOID:
        case TIMESTAMPTZOID: {
            if (r.typmod >= 0 && r.typmod < MAX_TIMESTAMP_PRECISION) return false;
            if (!load(&u64)) return false;
            Timestamp t = Timestamp(pg_ntoh64(u64));
            if (!TIMESTAMP_NOT_FINITE(t) && !IS_VALID_TIMESTAMP(t)) return false;
            *value = TimestampGetDatum(t);
            return true;
        }
        default:
            return false;
    }
}

// The usual conversions, dispatched inline: NULL; integers, floats, booleans and timestamps going
// to their own local type; decimals to numeric; UTF-16 to text; a PostgreSQL remote's binary
// values of the same fixed-width type (store_pg_binary). remote_type_oid: as for value_to_datum.
// Returns false (storing nothing) for everything else (convert_other_value's). May ereport: call
// it inside pg_call.
inline bool store_plain_value(ColumnReader& r, const remote::RemoteValue& v, uint32_t remote_type_oid, Datum* value,
                              bool* isnull) {
    using remote::ValueKind;
    switch (v.kind) {
        case ValueKind::pg_binary:
            if (remote_type_oid != r.local_type || !store_pg_binary(r, v.bytes, value)) return false;
            break;
        case ValueKind::null:
            *value = Datum(0);
            *isnull = true;
            return true;
        case ValueKind::int64:
            if (r.local_type == INT8OID) {
                *value = Int64GetDatum(v.i);
            } else if (r.local_type == INT4OID && v.i >= PG_INT32_MIN && v.i <= PG_INT32_MAX) {
                *value = Int32GetDatum(int32(v.i));
            } else {
                return false;
            }
            break;
        case ValueKind::float64:
            if (r.local_type != FLOAT8OID) return false;
            *value = Float8GetDatum(v.f);
            break;
        case ValueKind::boolean:
            if (r.local_type != BOOLOID) return false;
            *value = BoolGetDatum(v.i != 0);
            break;
        case ValueKind::timestamp:
            if (r.local_type != TIMESTAMPOID || !IS_VALID_TIMESTAMP(v.i)) return false;
            *value = TimestampGetDatum(v.i);
            break;
        case ValueKind::decimal:
            if (r.local_type != NUMERICOID || v.scale < 0 || v.scale > 38) return false;
            *value = numeric_from_unscaled(r, v.i, v.scale);
            break;
        case ValueKind::binary:
            if (!r.utf16) return false;
            *value = utf16_to_datum(r, v.bytes);
            break;
        default:
            return false;
    }
    *isnull = false;
    return true;
}

// Converts one value: the usual kinds inline (store_plain_value), the rest out of line.
// remote_type_oid: for pg_binary, the remote column's type OID. May ereport: call it inside
// pg_call (it creates no C++ objects). Always inlined: a call per value showed in bulk reads.
__attribute__((always_inline)) inline Datum value_to_datum(ColumnReader& reader, const remote::RemoteValue& value, uint32_t remote_type_oid,
                            bool* isnull) {
    Datum d;
    if (store_plain_value(reader, value, remote_type_oid, &d, isnull)) return d;
    return convert_other_value(reader, value, remote_type_oid, isnull);
}

// True for types created by initdb (the same OID on every PostgreSQL 15 remote).
inline bool is_builtin_type(Oid type) { return type < 10000; }

}  // namespace berqenas::convert
