// ValueConverter: prepares the FDW's ColumnReader once per column, in the caller's memory context.
#include "sync/value_conversion.hpp"

namespace berqenas::sync {

ValueConverter::ValueConverter(Oid typid, int32 typmod, uint32_t remote_type_oid, bool utf16)
    : reader_(std::make_shared<convert::ColumnReader>()), remote_type_(remote_type_oid) {
    convert::ColumnReader* reader = reader_.get();
    pg::pg_call([&] { convert::prepare_reader(*reader, typid, typmod, CurrentMemoryContext); });
    reader->utf16 = utf16;
}

}  // namespace berqenas::sync
