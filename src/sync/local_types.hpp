// The local type of a remote column (the type mapping's name, or its fallback, as this database
// knows it), and how an incremental sync's watermark of that type compares.
#pragma once

#include <string>

#include "pg/guard.hpp"
#include "remote/table_schema.hpp"
#include "sync/engine/remote_queries.hpp"

namespace berqenas::sync {

struct ResolvedType {
    Oid oid = InvalidOid;
    int32 typmod = -1;
    std::string canonical;
};

// 42704 when neither the mapped type nor its fallback exists here.
ResolvedType resolve_local_type(const remote::RemoteColumn& column, const std::string& table);
// *supported: false for a type incremental syncs cannot follow.
WatermarkKind watermark_kind_of(Oid type, bool* supported);

}  // namespace berqenas::sync
