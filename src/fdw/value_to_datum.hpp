// Remote values into local Datums (and local Datums into remote text/literals). Used by the FDW's
// scans and RETURNING, and by the sync engine's PostgreSQL-facing side.
#pragma once

#include <optional>
#include <string>

#include "pg/guard.hpp"
#include "remote/connection_params.hpp"
#include "remote/remote_value.hpp"

extern "C" {
#include "fmgr.h"
}

namespace berqenas::fdw {

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
};

// Looks the type's functions up (inside pg_call; FmgrInfos allocated in mcxt).
void prepare_reader(ColumnReader& reader, Oid local_type, int32 typmod, MemoryContext mcxt);

// Converts one value. remote_type_oid: for pg_binary, the remote column's type OID. May
// ereport: call it inside pg_call (it creates no C++ objects).
Datum value_to_datum(ColumnReader& reader, const remote::RemoteValue& value, uint32_t remote_type_oid, bool* isnull);

// Local values for the remote: PostgreSQL text (with DateStyle ISO etc. in force, see
// TransmissionModes) or a T-SQL literal. NULL → nullopt / "NULL".
std::optional<std::string> datum_to_text(Datum value, bool isnull, Oid type);
std::string datum_to_literal(remote::DatabaseKind kind, Datum value, bool isnull, Oid type);

// While alive, the GUCs that shape text output (DateStyle, IntervalStyle, extra_float_digits)
// are set to values every remote parses the same way.
class TransmissionModes {
public:
    TransmissionModes();
    ~TransmissionModes();
    TransmissionModes(const TransmissionModes&) = delete;
    TransmissionModes& operator=(const TransmissionModes&) = delete;

private:
    int nest_level_;
};

// True for types created by initdb (the same OID on every PostgreSQL 15 remote).
inline bool is_builtin_type(Oid type) { return type < 10000; }

}  // namespace berqenas::fdw
