// The limits a sync must pass before anything is recorded: one sync per remote database, and at
// most berqenas.max_concurrent_syncs_per_tenant per tenant (transaction-level advisory locks).
#pragma once

#include "catalog/sync_catalog.hpp"
#include "pg/spi.hpp"

namespace berqenas::sync {

// Waits (berqenas.sync_wait_timeout) or refuses with 55P03.
void acquire_database_lock(pg::SpiSession& spi, const catalog::SyncConfig& cfg);
// Waits (berqenas.sync_wait_timeout) or refuses with 53400.
void acquire_tenant_slot(pg::SpiSession& spi, const catalog::SyncConfig& cfg);

}  // namespace berqenas::sync
