// Local Datums into what a remote reads: PostgreSQL text under fixed transmission settings, or a
// T-SQL literal. The FDW's pushed-down constants, parameters and writes go through here.
#include "convert/outbound.hpp"

#include "remote/sql_dialect.hpp"

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

std::string datum_to_literal(remote::DatabaseKind kind, Datum value, bool isnull, Oid type) {
    using remote::DatabaseKind;
    if (isnull) return "NULL";
    if (kind == DatabaseKind::postgresql) {
        std::string text = *datum_to_text(value, false, type);
        return remote::quote_literal(kind, text);
    }
    switch (type) {
        case BOOLOID: return remote::boolean_literal(kind, DatumGetBool(value));
        case INT2OID: return std::to_string(DatumGetInt16(value));
        case INT4OID: return std::to_string(DatumGetInt32(value));
        case INT8OID: return std::to_string(DatumGetInt64(value));
        case FLOAT4OID:
        case FLOAT8OID:
        case NUMERICOID: {
            std::string text = *datum_to_text(value, false, type);
            if (text == "NaN" || text == "Infinity" || text == "-Infinity")
                throw Error("22003", "SQL Server has no " + text + " value", {}, "filter the row or change the value");
            return type == NUMERICOID ? text : "CAST(" + text + " AS float)";
        }
        case BYTEAOID: {
            bytea* b = pg::pg_call([&] { return DatumGetByteaPP(value); });
            return remote::binary_literal(kind, std::string_view(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b)));
        }
        case DATEOID:
            return "CAST(" + remote::quote_literal(kind, *datum_to_text(value, false, type)) + " AS date)";
        case TIMEOID:
            return "CAST(" + remote::quote_literal(kind, *datum_to_text(value, false, type)) + " AS time)";
        case TIMESTAMPOID:
            return "CAST(" + remote::quote_literal(kind, *datum_to_text(value, false, type)) + " AS datetime2)";
        case TIMESTAMPTZOID: {
            // The instant as UTC wall time with an explicit +00:00 offset, whatever our TimeZone.
            std::string utc = *datum_to_text(value, false, TIMESTAMPOID);
            return "CAST(" + remote::quote_literal(kind, utc + " +00:00") + " AS datetimeoffset)";
        }
        default:
            return remote::quote_literal(kind, *datum_to_text(value, false, type));
    }
}

}  // namespace berqenas::convert
