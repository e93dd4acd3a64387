// resolve_local_type / watermark_kind_of (see local_types.hpp).
#include "sync/local_types.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"
}

namespace berqenas::sync {

ResolvedType resolve_local_type(const remote::RemoteColumn& c, const std::string& table) {
    ResolvedType r;
    for (const std::string* candidate : {&c.local_type, &c.fallback_type}) {
        if (candidate->empty()) continue;
        const std::string& name = *candidate;
        Oid oid = InvalidOid;
        int32 typmod = -1;
        pg::pg_call([&] { parseTypeString(name.c_str(), &oid, &typmod, true); });
        if (oid == InvalidOid) continue;
        char* text = pg::pg_call([&] { return format_type_with_typemod(oid, typmod); });
        r.oid = oid;
        r.typmod = typmod;
        r.canonical = text;
        return r;
    }
    throw Error(sqlstate::undefined_object, "column \"" + c.name + "\" of remote table \"" + table + "\" has type " + c.remote_type +
                             ", which maps to " + c.local_type + ", a type this database does not have",
                {}, "create the type locally (or its extension) and sync again");
}

WatermarkKind watermark_kind_of(Oid type, bool* supported) {
    *supported = true;
    switch (type) {
        case TIMESTAMPOID: return WatermarkKind::timestamp;
        case TIMESTAMPTZOID: return WatermarkKind::timestamptz;
        case DATEOID: return WatermarkKind::date;
        case INT2OID:
        case INT4OID:
        case INT8OID: return WatermarkKind::number;
        default: *supported = false; return WatermarkKind::number;
    }
}

}  // namespace berqenas::sync
