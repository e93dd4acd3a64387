// acquire_database_lock / acquire_tenant_slot: try the lock, sleep on the latch, try again until
// the sync's wait timeout (see limits.hpp; lock classes in engine/advisory_locks.hpp).
#include "sync/limits.hpp"

#include <chrono>

#include "pg/guard.hpp"
#include "sync/engine/advisory_locks.hpp"
#include "sync/sync_settings.hpp"

extern "C" {
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/wait_event.h"
}

namespace berqenas::sync {

using catalog::SyncConfig;

namespace {

using Clock = std::chrono::steady_clock;

void sleep_ms(int ms) {
    pg::pg_call([&] {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ms, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
    });
    pg::check_for_interrupts();
}

bool try_lock(pg::SpiSession& spi, int key1, long long key2) {
    auto r = spi.execute_cached("SELECT pg_catalog.pg_try_advisory_xact_lock($1, $2::int)",
                                {pg::int4_param(key1), pg::int8_param(key2)});
    return r.rows.at(0).at(0) == std::optional<std::string>("t");
}

}  // namespace

// One sync per remote database: wait (berqenas.sync_wait_timeout) or refuse with 55P03.
void acquire_database_lock(pg::SpiSession& spi, const SyncConfig& cfg) {
    const int timeout = SyncSettings::sync_wait_timeout_s;
    auto deadline = Clock::now() + std::chrono::seconds(timeout < 0 ? 0 : timeout);
    while (!try_lock(spi, lock_class::database, cfg.remote_database_id)) {
        if (timeout == 0 || (timeout > 0 && Clock::now() >= deadline))
            throw Error(sqlstate::lock_not_available, "remote database \"" + cfg.name + "\" is already being synced",
                        timeout == 0 ? "another session holds its sync lock"
                                     : "it was still busy after " + std::to_string(timeout) + " s",
                        "see berqenas.sync_progress; SET berqenas.sync_wait_timeout to wait (seconds, -1: no limit)");
        sleep_ms(100);
    }
}

// At most berqenas.max_concurrent_syncs_per_tenant syncs of one tenant's databases at a time.
void acquire_tenant_slot(pg::SpiSession& spi, const SyncConfig& cfg) {
    const int slots = SyncSettings::max_concurrent_syncs_per_tenant;
    const long long tenant = cfg.tenant_id.value_or(0);
    const int timeout = SyncSettings::sync_wait_timeout_s;
    auto deadline = Clock::now() + std::chrono::seconds(timeout < 0 ? 0 : timeout);
    for (;;) {
        for (int slot = 0; slot < slots; ++slot)
            if (try_lock(spi, lock_class::tenant_slots + slot, tenant)) return;
        if (timeout == 0 || (timeout > 0 && Clock::now() >= deadline)) {
            std::string who = cfg.tenant_id ? "tenant \"" + cfg.tenant_name + "\"" : "remote databases without a tenant";
            throw Error(sqlstate::configuration_limit_exceeded, who + " already has " + std::to_string(slots) + " sync(s) running",
                        "berqenas.max_concurrent_syncs_per_tenant is " + std::to_string(slots),
                        "wait for one to finish (see berqenas.sync_progress) or raise the limit");
        }
        sleep_ms(100);
    }
}

}  // namespace berqenas::sync
