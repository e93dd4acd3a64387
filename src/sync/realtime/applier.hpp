// Applying one table's captured changes in a realtime round: the change rows and each changed row's
// current state read in one remote query, applied with kept upsert/delete plans, journaled as changed.
#pragma once

#include <string>
#include <vector>

#include "catalog/sync_catalog.hpp"
#include "pg/spi.hpp"
#include "remote/remote_connection.hpp"
#include "sync/value_conversion.hpp"

extern "C" {
#include "executor/spi.h"
}

namespace berqenas::sync::realtime {

// What the worker keeps per table between rounds (rebuilt after a reconnect).
struct TableApplier {
    remote::RemoteTable remote;
    std::vector<std::string> columns;      // remote (= local) column names
    std::string fetch_sql;
    SPIPlanPtr upsert = nullptr;
    SPIPlanPtr remove = nullptr;
    std::vector<Oid> column_types;
    std::vector<Oid> key_types;
    std::vector<ValueConverter> key_converters;
    std::vector<ValueConverter> column_converters;
    bool converters_ready = false;
};

struct TableCounts {
    long long inserted = 0, updated = 0, deleted = 0;
};

// What applying one table's changes in one round did: counts, and (journal on) the [key, old row]
// of each row it really changed, in order, as jsonb Datums in the round's memory context.
struct TableRound {
    long long applied = 0;   // changes read and applied (including those that changed nothing)
    TableCounts counts;
    std::vector<Datum> keys, old_rows;
    std::vector<bool> old_row_null;
    long long changed() const { return counts.inserted + counts.updated + counts.deleted; }
};

// The applier of one captured table (its local table checked as Berqenas's own, 42501 otherwise).
TableApplier make_applier(remote::RemoteConnection& conn, pg::SpiSession& spi, const catalog::CapturedTable& table,
                          const std::string& remote_schema);
// Applies one batch (at most berqenas.realtime_batch) of the table's changes; applied_ids gets the
// change ids read, for deleting them on the remote once the round has committed. Converters are made
// in long_lived, the journal's Datums in round.
TableRound apply_table(TableApplier& applier, remote::RemoteConnection& conn, pg::SpiSession& spi,
                       const catalog::CapturedTable& table, MemoryContext long_lived, MemoryContext round,
                       std::vector<long long>& applied_ids);

}  // namespace berqenas::sync::realtime
