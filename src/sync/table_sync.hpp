// One table of a sync: its shape checked and followed locally, its rows streamed from the remote into
// a new heap (full, swapped in by the run) or applied in batches past the watermark (incremental).
#pragma once

#include <string>

#include "pg/spi.hpp"
#include "sync/sync_context.hpp"

namespace berqenas::sync {

// Syncs one remote table (by its declared name) and returns what it changed.
TableStats sync_table(pg::SpiSession& spi, Context& ctx, const std::string& table_name);

}  // namespace berqenas::sync
