// Streams remote rows into a local relation at bulk-load speed: values are converted straight to
// Datums and written with table_multi_insert through a BulkInsertState, one batch at a time, in a
// memory context reset after every batch (memory is bounded by the batch, not the table).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pg/guard.hpp"
#include "remote/remote_value.hpp"
#include "remote/remote_connection.hpp"

extern "C" {
#include "executor/tuptable.h"
#include "utils/relcache.h"
}

namespace berqenas::sync {

struct LoaderTarget {
    Oid relid = InvalidOid;
    std::vector<std::string> columns;   // remote column names, in the order the stream returns them
    std::string watermark_column;       // "" when not tracked
    bool frozen = false;                // the relation was created in this (sub)transaction
    std::vector<bool> utf16;            // per column: its values are UTF-16LE bytes (RemoteSelect::utf16)
    // When set, each batch goes to sink (virtual tuples shaped like relid, values by attribute,
    // allocated in the batch context) instead of being inserted into relid.
    std::function<void(TupleTableSlot* const* slots, int count)> sink;
};

class BulkLoader {
public:
    // stream_columns: what the remote stream says about its columns (type codes for conversion).
    BulkLoader(const LoaderTarget& target, const std::vector<remote::StreamColumn>& stream_columns);
    ~BulkLoader();
    BulkLoader(const BulkLoader&) = delete;
    BulkLoader& operator=(const BulkLoader&) = delete;

    void add(const std::vector<remote::RemoteValue>& row);
    void finish();   // writes what is buffered and closes the relation

    long long rows() const { return rows_; }
    long long bytes() const { return bytes_; }
    // The largest value of the watermark column seen (text output of its local type).
    std::optional<std::string> watermark() const;

private:
    void flush();
    struct State;
    std::unique_ptr<State> state_;
    long long rows_ = 0;
    long long bytes_ = 0;
};

}  // namespace berqenas::sync
