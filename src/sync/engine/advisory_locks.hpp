// Every advisory lock class Berqenas takes (the first key of pg_advisory_*lock(int, int)), in one
// place. The SQL side reads the same numbers from berqenas._lock_class(name) (30_sync.sql); the
// unit test advisory_locks_test checks that both sides agree. Pure C++.
#pragma once

#include "common/pure_cpp.hpp"

namespace berqenas::sync::lock_class {

// (database, remote database id), transaction-level: one sync of a remote database at a time;
// rollback() takes it too, so it waits for a running sync.
inline constexpr int database = 20260;
// (sync_id, hashtext(sync id)), transaction-level: a sync id whose job row is not committed yet
// (_sync_job_claim), so a concurrent sync skips it instead of waiting on the unique index.
inline constexpr int sync_id = 20261;
// (apply, remote database id): shared by each realtime round that applies changes; rollback()
// takes it exclusively, so it waits for the round in flight and the next round waits for it.
inline constexpr int apply = 20262;
// (tenant_slots + slot, tenant id), transaction-level, slot < berqenas.max_concurrent_syncs_per_tenant:
// a tenant's concurrent syncs (at most max_tenant_slots, so they never reach worker's class).
inline constexpr int tenant_slots = 20300;
// (worker, remote database id), session-level: held by the realtime worker of that database.
inline constexpr int worker = 20400;
// berqenas.max_concurrent_syncs_per_tenant's upper bound: the slots' classes stay below worker's.
inline constexpr int max_tenant_slots = 100;
static_assert(tenant_slots + max_tenant_slots <= worker, "tenant slot lock classes would reach the worker's");

}  // namespace berqenas::sync::lock_class
