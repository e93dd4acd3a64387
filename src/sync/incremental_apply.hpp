// Applies one batch of an incremental sync to its target table in one set-based statement: the
// batch is passed as one array per column, joined to the target by its key (index probes), and
// only rows that really differ are journaled (one journal row per batch) and upserted.
#pragma once

#include <string>
#include <vector>

#include "pg/guard.hpp"

extern "C" {
#include "executor/spi.h"
#include "executor/tuptable.h"
}

namespace berqenas::sync {

struct ApplyCounts {
    long long inserted = 0, updated = 0, deleted = 0;
    double seconds = 0;   // spent applying
};

class IncrementalApplier {
public:
    // columns: every column of the target (the stream's columns); key: the primary key columns;
    // soft_delete: the boolean column that marks a row deleted, one of columns ("": none).
    // Needs an SPI connection for as long as it applies.
    IncrementalApplier(Oid target, const std::string& target_name, const std::vector<std::string>& columns,
                       const std::vector<std::string>& key, const std::string& soft_delete, long long job_id,
                       long long table_id, bool journal);
    // slots: virtual tuples shaped like the target (values by attribute number).
    void apply(TupleTableSlot* const* slots, int count);
    const ApplyCounts& counts() const { return counts_; }

private:
    struct Column {
        int attno;   // 0-based
        Oid type, array_type;
        int16 typlen;
        bool byval;
        char align;
        bool as_text;   // no array type (e.g. an array column): passed as text[], cast back in SQL
        Oid output;     // its output function, when as_text
    };
    std::vector<Column> columns_;
    std::string target_name_;
    std::string sql_;
    std::vector<Oid> arg_types_;
    SPIPlanPtr plan_ = nullptr;
    long long job_id_, table_id_;
    bool journal_;
    ApplyCounts counts_;
};

}  // namespace berqenas::sync
