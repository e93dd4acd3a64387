// Local Datums into what a remote reads: PostgreSQL text under fixed transmission settings, or a
// literal in the remote's style. The FDW's pushed-down constants, parameters and writes go through here.
#include "convert/outbound.hpp"

#include "common/error.hpp"
#include "remote/dialect.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
}

namespace berqenas::convert {

TransmissionModes::TransmissionModes() {
    nest_level_ = pg::pg_call([] {
        int level = NewGUCNestLevel();
        if (DateStyle != USE_ISO_DATES)
            (void) set_config_option("datestyle", "ISO", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
        if (IntervalStyle != INTSTYLE_POSTGRES)
            (void) set_config_option("intervalstyle", "postgres", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
        if (extra_float_digits < 3)
            (void) set_config_option("extra_float_digits", "3", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
        return level;
    });
}

TransmissionModes::~TransmissionModes() {
    try {
        int level = nest_level_;
        pg::pg_call([&] { AtEOXact_GUC(true, level); });
    } catch (...) {
        // Restoring GUCs cannot fail in practice; an abort restores them anyway.
    }
}

std::optional<std::string> datum_to_text(Datum value, bool isnull, Oid type) {
    if (isnull) return std::nullopt;
    char* text = pg::pg_call([&] {
        Oid out_fn;
        bool varlena;
        getTypeOutputInfo(type, &out_fn, &varlena);
        return OidOutputFunctionCall(out_fn, value);
    });
    std::string out(text);
    pfree(text);
    return out;
}

namespace {

// LiteralStyle::text: the value's text, quoted; the remote reads it as the statement's type.
std::string text_literal(const remote::Quoting& q, Datum value, bool isnull, Oid type) {
    if (isnull) return "NULL";
    return q.text(*datum_to_text(value, false, type));
}

// LiteralStyle::typed: each built-in type in the form the remote reads unambiguously.
std::string typed_literal(const remote::Quoting& q, Datum value, bool isnull, Oid type) {
    if (isnull) return "NULL";
    auto cast = [&](const std::string& text, const char* to) { return "CAST(" + q.text(text) + " AS " + to + ")"; };
    switch (type) {
        case BOOLOID: return q.boolean(DatumGetBool(value));
        case INT2OID: return std::to_string(DatumGetInt16(value));
        case INT4OID: return std::to_string(DatumGetInt32(value));
        case INT8OID: return std::to_string(DatumGetInt64(value));
        case FLOAT4OID:
        case FLOAT8OID:
        case NUMERICOID: {
            std::string text = *datum_to_text(value, false, type);
            if (text == "NaN" || text == "Infinity" || text == "-Infinity")
                throw Error(sqlstate::numeric_value_out_of_range, std::string(q.product) + " has no " + text + " value", {},
                            "filter the row or change the value");
            return type == NUMERICOID ? text : "CAST(" + text + " AS " + q.float_type + ")";
        }
        case BYTEAOID: {
            bytea* b = pg::pg_call([&] { return DatumGetByteaPP(value); });
            return q.binary(std::string_view(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b)));
        }
        case DATEOID: return cast(*datum_to_text(value, false, type), q.date_type);
        case TIMEOID: return cast(*datum_to_text(value, false, type), q.time_type);
        case TIMESTAMPOID: return cast(*datum_to_text(value, false, type), q.timestamp_type);
        case TIMESTAMPTZOID:
            // The instant as UTC wall time with an explicit +00:00 offset, whatever our TimeZone.
            return cast(*datum_to_text(value, false, TIMESTAMPOID) + " +00:00", q.timestamptz_type);
        default:
            return q.text(*datum_to_text(value, false, type));
    }
}

}  // namespace

LiteralWriter::LiteralWriter(const remote::Quoting& quoting)
    : quoting_(&quoting), write_(quoting.literals == remote::LiteralStyle::typed ? typed_literal : text_literal) {}

}  // namespace berqenas::convert
