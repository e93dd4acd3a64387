// RemoteValue -> Datum of one local column, for the sync loader and the realtime applier: a thin
// holder around the shared ColumnReader (src/convert/inbound), so sync and the FDW convert every
// value the same way.
#pragma once

#include <memory>

#include "convert/inbound.hpp"
#include "pg/guard.hpp"
#include "remote/remote_value.hpp"

namespace berqenas::sync {

class ValueConverter {
public:
    // remote_type_oid: the stream column's type_code (PostgreSQL remotes), 0 otherwise. utf16:
    // the column was selected as its UTF-16LE bytes (an MSSQL n-type, see RemoteSelect::utf16).
    ValueConverter(Oid typid, int32 typmod, uint32_t remote_type_oid, bool utf16 = false);
    // Must run inside pg::pg_call (conversions may ereport); allocates in CurrentMemoryContext.
    Datum convert(const remote::RemoteValue& value, bool* isnull) const {
        return convert::value_to_datum(*reader_, value, remote_type_, isnull);
    }
    Oid type() const { return reader_->local_type; }

private:
    std::shared_ptr<convert::ColumnReader> reader_;
    uint32_t remote_type_;
};

}  // namespace berqenas::sync
