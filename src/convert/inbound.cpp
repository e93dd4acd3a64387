// Remote values into local Datums without text round trips for the native kinds: the FDW's scans
// and RETURNING, and sync's loader and realtime applier, convert through here.
#include "convert/inbound.hpp"

#include <cinttypes>
#include <cstdio>

#include "remote/mssql/mssql_values.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/float.h"
}

namespace berqenas::convert {

namespace {

// 10^0 .. 10^18.
constexpr int64_t kPow10[19] = {1LL,
                                1LL * 10,
                                1LL * 100,
                                1LL * 1000,
                                1LL * 10000,
                                1LL * 100000,
                                1LL * 1000000,
                                1LL * 10000000,
                                1LL * 100000000,
                                1LL * 1000000000,
                                1LL * 10000000000,
                                1LL * 100000000000,
                                1LL * 1000000000000,
                                1LL * 10000000000000,
                                1LL * 100000000000000,
                                1LL * 1000000000000000,
                                1LL * 10000000000000000,
                                1LL * 100000000000000000,
                                1LL * 1000000000000000000};

}  // namespace

void prepare_reader(ColumnReader& r, Oid local_type, int32 typmod, MemoryContext mcxt) {
    r.local_type = local_type;
    r.typmod = typmod;
    r.mcxt = mcxt;
    r.remote_type = InvalidOid;
    r.numeric_scale = -1;
    r.numeric_bound = 0;
    if (local_type == NUMERICOID && typmod >= int32(VARHDRSZ)) {
        int32 precision = ((typmod - VARHDRSZ) >> 16) & 0xffff;
        r.numeric_scale = ((((typmod - VARHDRSZ) & 0x7ff) ^ 1024) - 1024);
        r.numeric_bound = precision >= 1 && precision <= 18 ? uint64_t(kPow10[precision]) : UINT64_MAX;
    }
    pg::pg_call([&] {
        r.text_as_utf8 =
            (local_type == TEXTOID || (local_type == VARCHAROID && typmod < 0)) && GetDatabaseEncoding() == PG_UTF8;
        Oid input_fn, recv_fn;
        getTypeInputInfo(local_type, &input_fn, &r.local_ioparam);
        fmgr_info_cxt(input_fn, &r.local_input, mcxt);
        HeapTuple tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(local_type));
        if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for type %u", local_type);
        recv_fn = ((Form_pg_type) GETSTRUCT(tuple))->typreceive;
        ReleaseSysCache(tuple);
        r.has_local_recv = OidIsValid(recv_fn);
        if (r.has_local_recv) fmgr_info_cxt(recv_fn, &r.local_recv, mcxt);
    });
}

namespace {

// Memory for a value being built: the reader's row arena when it has room, else palloc.
inline __attribute__((always_inline)) void* value_memory(const ColumnReader& r, size_t n) {
    if (r.arena != nullptr)
        if (void* p = r.arena->take(n)) return p;
    return palloc(n);
}

// The helpers below run inside pg_call (called from value_to_datum): C-style, may ereport.

Datum receive(FmgrInfo* fn, const std::string_view& bytes, Oid ioparam, int32 typmod) {
    StringInfoData buf;
    // libpq ends every value with a NUL, so the buffer is a valid StringInfo as receive functions expect.
    buf.data = const_cast<char*>(bytes.data());
    buf.len = int(bytes.size());
    buf.maxlen = buf.len + 1;
    buf.cursor = 0;
    Datum d = ReceiveFunctionCall(fn, &buf, ioparam, typmod);
    if (buf.cursor != buf.len)
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION), errmsg("incorrect binary data format")));
    return d;
}

Datum from_cstring(ColumnReader& r, char* text) { return InputFunctionCall(&r.local_input, text, r.local_ioparam, r.typmod); }

// UTF-8 bytes from the remote → server encoding, NUL-terminated, palloc'd.
char* server_text(const std::string_view& bytes) {
    char* converted = pg_any_to_server(bytes.data(), int(bytes.size()), PG_UTF8);
    if (converted == bytes.data()) return pnstrdup(bytes.data(), bytes.size());
    return converted;
}

}  // namespace

// UTF-16LE converted straight into the text datum when the column is text and the database UTF-8
// (our conversion only writes valid UTF-8, so there is nothing to verify), else into a C string
// for the local type's input function.
Datum utf16_to_datum(ColumnReader& r, std::string_view bytes) {
    namespace mssql = remote::mssql;
    size_t capacity = mssql::utf8_capacity(bytes.size());
    if (capacity + VARHDRSZ + 1 > MaxAllocSize)
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("an nvarchar value of %zu bytes is too long for text", bytes.size())));
    char* buf = static_cast<char*>(value_memory(r, VARHDRSZ + capacity + 1));
    mssql::Utf16Result res =
        mssql::utf16le_to_utf8(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), buf + VARHDRSZ);
    if (res.status != mssql::Utf16Status::ok) {
        // No C++ objects here (this may longjmp): the message is put together in C.
        ereport(ERROR, (errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
                        errmsg("invalid UTF-16 in an nvarchar value read as varbinary: %s %zu",
                               mssql::utf16_problem(res.status), res.bad_offset),
                        errhint("if the remote is an older Babelfish, whose varbinary casts give UTF-8, set the "
                                "server option nvarchar_transfer 'text'")));
    }
    if (r.text_as_utf8) {
        SET_VARSIZE(buf, VARHDRSZ + res.length);
        return PointerGetDatum(buf);
    }
    buf[VARHDRSZ + res.length] = '\0';
    return from_cstring(r, server_text(std::string_view(buf + VARHDRSZ, res.length)));
}

namespace {

// "-123.4500" → -1234500 and scale 4, when the digits fit in an int64 (18 of them).
bool parse_small_decimal(std::string_view s, int64_t* unscaled, int* scale, int* significant_digits) {
    size_t i = 0;
    bool negative = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
    int64_t v = 0;
    int significant = 0, digits = 0, sc = -1;
    for (; i < s.size(); ++i) {
        char c = s[i];
        if (c == '.') {
            if (sc >= 0) return false;
            sc = 0;
            continue;
        }
        if (c < '0' || c > '9') return false;
        if (significant > 0 || c != '0') ++significant;
        if (significant > 18) return false;
        v = v * 10 + (c - '0');
        ++digits;
        if (sc >= 0) ++sc;
    }
    if (digits == 0) return false;
    *unscaled = negative ? -v : v;
    *scale = sc < 0 ? 0 : sc;
    *significant_digits = significant;
    return true;
}

// An integral decimal ("42", "-7.000") → its value; false when it has a fraction or overflows.
bool parse_integral_decimal(std::string_view s, int64_t* out) {
    size_t i = 0;
    bool negative = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
    uint64_t v = 0;
    size_t start = i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
        if (v > (uint64_t(PG_INT64_MAX) + 1) / 10) return false;
        v = v * 10 + uint64_t(s[i] - '0');
    }
    if (i == start) return false;
    if (i < s.size()) {
        if (s[i] != '.') return false;
        for (++i; i < s.size(); ++i)
            if (s[i] != '0') return false;
    }
    if (v > uint64_t(PG_INT64_MAX) + (negative ? 1 : 0)) return false;
    *out = negative ? int64_t(0 - v) : int64_t(v);
    return true;
}


// A numeric in PostgreSQL's short on-disk format (numeric.c's NumericShort, which pg_upgrade keeps
// stable): a uint16 header — 0x8000, sign 0x2000, display scale << 7, weight in 7 bits — then the
// base-10000 digit groups, most significant first, with no leading or trailing zero groups, exactly
// as numeric.c's make_result writes them. About a quarter of int64_div_fast_to_numeric's work,
// which goes through a NumericVar. Scale 0..63; other values go the long way.
constexpr uint16 kNumericShort = 0x8000;
constexpr uint16 kNumericShortSign = 0x2000;
constexpr int kNumericShortDscaleShift = 7;
constexpr uint16 kNumericShortWeightSign = 0x0040;
constexpr uint16 kNumericShortWeightMask = 0x003F;

// Base-10000 groups of magnitude, least significant first; returns how many.
template <typename U>
int base10000_groups(U magnitude, uint16* groups) {
    int n = 0;
    while (magnitude != 0) {
        groups[n++] = uint16(uint64_t(magnitude % 10000));
        magnitude /= 10000;
    }
    return n;
}

Datum numeric_short(const ColumnReader& r, int64_t unscaled, int scale) {
    bool negative = unscaled < 0;
    uint64_t magnitude = negative ? uint64_t(0) - uint64_t(unscaled) : uint64_t(unscaled);
    // The fraction fills whole groups of 4 digits (no caller passes a negative scale).
    static constexpr uint64_t kPadFactor[4] = {1, 10, 100, 1000};
    unsigned pad = (4u - (unsigned(scale) & 3u)) & 3u;
    uint64_t factor = kPadFactor[pad];
    int fraction_groups = int((unsigned(scale) + pad) >> 2);
    uint16 groups[8];   // < 2^63 * 1000 < 10^22: 6 groups at most
    // 64-bit division by a constant is a multiplication; 128-bit only for the rare huge values.
    int n = magnitude <= UINT64_MAX / 1000 ? base10000_groups(magnitude * factor, groups)
                                           : base10000_groups((unsigned __int128) magnitude * factor, groups);
    int weight = n - 1 - fraction_groups;
    int low = 0;
    while (low < n && groups[low] == 0) ++low;
    int ndigits = n - low;
    if (ndigits == 0) {
        weight = 0;
        negative = false;
    }
    if (weight < -64 || weight > 63 || scale > 63) return NumericGetDatum(int64_div_fast_to_numeric(unscaled, scale));
    size_t len = VARHDRSZ + sizeof(uint16) + size_t(ndigits) * sizeof(int16);
    char* p = static_cast<char*>(value_memory(r, len));
    SET_VARSIZE(p, len);
    uint16 header = uint16(kNumericShort | (negative ? kNumericShortSign : 0) | (uint16(scale) << kNumericShortDscaleShift) |
                           (weight < 0 ? kNumericShortWeightSign : 0) | (uint16(weight) & kNumericShortWeightMask));
    memcpy(p + VARHDRSZ, &header, sizeof header);
    for (int i = 0; i < ndigits; ++i) {
        int16 digit = int16(groups[n - 1 - i]);
        memcpy(p + VARHDRSZ + sizeof header + size_t(i) * sizeof digit, &digit, sizeof digit);
    }
    return PointerGetDatum(p);
}

}  // namespace

// Built directly when the value already has the column's scale and fits its precision, else
// rounded and checked by numeric() itself.
Datum numeric_from_unscaled(ColumnReader& r, int64_t unscaled, int scale) {
    Datum d = numeric_short(r, unscaled, scale);
    if (r.numeric_bound == 0) return d;   // no typmod
    uint64_t magnitude = unscaled < 0 ? uint64_t(0) - uint64_t(unscaled) : uint64_t(unscaled);
    if (scale == r.numeric_scale && magnitude < r.numeric_bound) return d;
    return DirectFunctionCall2(numeric, d, Int32GetDatum(r.typmod));
}

namespace {

Datum via_output(ColumnReader& r, Datum natural, PGFunction out) {
    char* text = DatumGetCString(DirectFunctionCall1(out, natural));
    return from_cstring(r, text);
}

}  // namespace

// The kinds store_plain_value leaves here (the usual ones, NULL among them, never arrive).
Datum convert_other_value(ColumnReader& r, const remote::RemoteValue& v, uint32_t remote_type_oid, bool* isnull) {
    using remote::ValueKind;
    *isnull = false;
    char buf[64];
    switch (v.kind) {
        case ValueKind::null:
            *isnull = true;
            return Datum(0);
        case ValueKind::pg_binary:
            if (remote_type_oid == r.local_type && r.has_local_recv)
                return receive(&r.local_recv, v.bytes, r.local_ioparam, r.typmod);
            if (!is_builtin_type(remote_type_oid))
                ereport(ERROR, (errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
                                errmsg("remote type with OID %u is not a built-in type", remote_type_oid),
                                errhint("declare the local column with a type of its own (not a built-in one), so the "
                                        "value is sent as text, or cast it in a query option")));
            if (r.remote_type != remote_type_oid) {
                Oid recv_fn, out_fn;
                bool varlena;
                getTypeBinaryInputInfo(remote_type_oid, &recv_fn, &r.remote_ioparam);
                getTypeOutputInfo(remote_type_oid, &out_fn, &varlena);
                fmgr_info_cxt(recv_fn, &r.remote_recv, r.mcxt);
                fmgr_info_cxt(out_fn, &r.remote_out, r.mcxt);
                r.remote_type = remote_type_oid;
            }
            {
                Datum d = receive(&r.remote_recv, v.bytes, r.remote_ioparam, -1);
                return from_cstring(r, OutputFunctionCall(&r.remote_out, d));
            }
        case ValueKind::boolean:
            return from_cstring(r, const_cast<char*>(v.i ? "true" : "false"));
        case ValueKind::int64:
            switch (r.local_type) {
                case INT4OID:   // in range: store_plain_value's
                    if (v.i < PG_INT32_MIN || v.i > PG_INT32_MAX)
                        ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("integer out of range")));
                    return Int32GetDatum(int32(v.i));
                case INT2OID:
                    if (v.i < PG_INT16_MIN || v.i > PG_INT16_MAX)
                        ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("smallint out of range")));
                    return Int16GetDatum(int16(v.i));
                case BOOLOID: return BoolGetDatum(v.i != 0);
                default:
                    snprintf(buf, sizeof buf, "%" PRId64, v.i);
                    return from_cstring(r, buf);
            }
        case ValueKind::float64:
            if (r.local_type == FLOAT4OID) return Float4GetDatum(float4(v.f));
            return from_cstring(r, float8out_internal(v.f));
        case ValueKind::decimal: {
            // Unscaled + scale from the driver: no digits to parse for numeric or integer columns.
            int64_t unscaled = v.i;
            int scale = v.scale;
            // (To numeric with a scale of 0..38: store_plain_value's.)
            if ((r.local_type == INT8OID || r.local_type == INT4OID || r.local_type == INT2OID) && scale >= 0 &&
                scale <= 18 && unscaled % kPow10[scale] == 0) {
                int64_t integral = unscaled / kPow10[scale];
                if (r.local_type == INT8OID) return Int64GetDatum(integral);
                if (r.local_type == INT4OID && integral >= PG_INT32_MIN && integral <= PG_INT32_MAX)
                    return Int32GetDatum(int32(integral));
                if (r.local_type == INT2OID && integral >= PG_INT16_MIN && integral <= PG_INT16_MAX)
                    return Int16GetDatum(int16(integral));
            }
            // Anything else (float, text, money, an integer out of range): the local type's input.
            if (scale < 0 || scale > 38)
                ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION), errmsg("decimal scale %d out of range", scale)));
            bool negative = unscaled < 0;
            size_t n = remote::mssql::scaled_to_chars(buf, negative,
                                                      negative ? uint64_t(0) - uint64_t(unscaled) : uint64_t(unscaled), scale);
            buf[n] = '\0';
            return from_cstring(r, buf);
        }
        case ValueKind::decimal_text: {
            // Exact digits: built straight into a numeric (or integer) when they fit an int64,
            // else parsed by numeric's own input function. ASCII only, so no encoding step.
            int64_t unscaled;
            int scale, significant;
            if (r.local_type == NUMERICOID && parse_small_decimal(v.bytes, &unscaled, &scale, &significant) &&
                (scale % 4 == 0 || (unscaled < PG_INT64_MAX / 1000 && unscaled > PG_INT64_MIN / 1000)))
                return numeric_from_unscaled(r, unscaled, scale);
            if ((r.local_type == INT8OID || r.local_type == INT4OID || r.local_type == INT2OID) &&
                parse_integral_decimal(v.bytes, &unscaled)) {
                if (r.local_type == INT8OID) return Int64GetDatum(unscaled);
                if (r.local_type == INT4OID && unscaled >= PG_INT32_MIN && unscaled <= PG_INT32_MAX)
                    return Int32GetDatum(int32(unscaled));
                if (r.local_type == INT2OID && unscaled >= PG_INT16_MIN && unscaled <= PG_INT16_MAX)
                    return Int16GetDatum(int16(unscaled));
            }
            if (v.bytes.size() < sizeof buf) {
                memcpy(buf, v.bytes.data(), v.bytes.size());
                buf[v.bytes.size()] = '\0';
                return from_cstring(r, buf);
            }
            return from_cstring(r, server_text(v.bytes));
        }
        case ValueKind::text:
            if (r.text_as_utf8) {
                // Same encoding: verify and copy, no input function needed.
                pg_verify_mbstr(PG_UTF8, v.bytes.data(), int(v.bytes.size()), false);
                return PointerGetDatum(cstring_to_text_with_len(v.bytes.data(), int(v.bytes.size())));
            }
            return from_cstring(r, server_text(v.bytes));
        case ValueKind::binary: {   // (UTF-16 bytes: store_plain_value's)
            bytea* b = (bytea*) palloc(VARHDRSZ + v.bytes.size());
            SET_VARSIZE(b, VARHDRSZ + v.bytes.size());
            memcpy(VARDATA(b), v.bytes.data(), v.bytes.size());
            if (r.local_type == BYTEAOID) return PointerGetDatum(b);
            return via_output(r, PointerGetDatum(b), byteaout);
        }
        case ValueKind::date: {
            if (v.i < PG_INT32_MIN || v.i > PG_INT32_MAX)
                ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("date out of range")));
            DateADT d = DateADT(v.i);
            if (r.local_type == DATEOID) return DateADTGetDatum(d);
            if (r.local_type == TIMESTAMPOID) return DirectFunctionCall1(date_timestamp, DateADTGetDatum(d));
            return via_output(r, DateADTGetDatum(d), date_out);
        }
        case ValueKind::time:
            if (r.local_type == TIMEOID) return TimeADTGetDatum(v.i);
            return via_output(r, TimeADTGetDatum(v.i), time_out);
        case ValueKind::timestamp:
            if (!IS_VALID_TIMESTAMP(v.i))
                ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("timestamp out of range")));
            // (To timestamp: store_plain_value's.)
            if (r.local_type == TIMESTAMPTZOID) return DirectFunctionCall1(timestamp_timestamptz, TimestampGetDatum(v.i));
            if (r.local_type == DATEOID) return DirectFunctionCall1(timestamp_date, TimestampGetDatum(v.i));
            return via_output(r, TimestampGetDatum(v.i), timestamp_out);
        case ValueKind::timestamptz:
            if (!IS_VALID_TIMESTAMP(v.i))
                ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("timestamp out of range")));
            if (r.local_type == TIMESTAMPTZOID) return TimestampTzGetDatum(v.i);
            if (r.local_type == TIMESTAMPOID) return DirectFunctionCall1(timestamptz_timestamp, TimestampTzGetDatum(v.i));
            return via_output(r, TimestampTzGetDatum(v.i), timestamptz_out);
        case ValueKind::uuid: {
            if (v.bytes.size() != UUID_LEN)
                ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION), errmsg("uuid must be 16 bytes")));
            pg_uuid_t* u = (pg_uuid_t*) palloc(sizeof(pg_uuid_t));
            memcpy(u->data, v.bytes.data(), UUID_LEN);
            if (r.local_type == UUIDOID) return UUIDPGetDatum(u);
            return via_output(r, UUIDPGetDatum(u), uuid_out);
        }
    }
    ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("unknown remote value kind %d", int(v.kind))));
    return Datum(0);
}

}  // namespace berqenas::convert
