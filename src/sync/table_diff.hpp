// What a sync changes in one table, found set-based: the rows of a new copy (or of a batch) joined
// to the table by its key, each differing row journaled with its old version and counted.
#pragma once

#include <string>
#include <vector>

#include "pg/spi.hpp"
#include "sync/sync_context.hpp"

namespace berqenas::sync {

// Journal (when berqenas.sync_journal is on) and counts (into st) of what applying `source` over
// `target` changes. full: rows of the target missing from source count as deleted (hard deletes);
// otherwise only source rows matter. soft_delete: the boolean column marking deleted rows ("": none).
void diff_and_journal(pg::SpiSession& spi, long long job_id, long long table_id, const std::string& target,
                      const std::string& source, const std::vector<std::string>& key, const std::string& soft_delete,
                      bool full, TableStats& st);

}  // namespace berqenas::sync
