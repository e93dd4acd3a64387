// Progress slots in shared memory: claimed by a syncing backend, read by berqenas._sync_progress().
#include "sync/progress.hpp"

#include <cstring>

#include "pg/guard.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
}

namespace berqenas::sync {

namespace {

constexpr int slot_count = 64;

struct Slot {
    slock_t mutex;
    int pid;   // 0: free
    Oid database;
    int64 remote_database_id;
    char remote_name[64];
    char sync_id[80];
    char mode[16];
    char phase[32];
    char table[128];
    int tables_done;
    int tables_total;
    int64 rows_done;
    int64 rows_expected;   // -1: unknown
    TimestampTz started_at;
};

struct Shared {
    slock_t mutex;
    Slot slots[slot_count];
};

Shared* shared = nullptr;
bool exit_hook_installed = false;
int owned_slot = -1;

void copy(char* dest, size_t size, const std::string& src) { strlcpy(dest, src.c_str(), size); }

void release_slot(int, Datum) {
    if (shared == nullptr || owned_slot < 0) return;
    Slot& s = shared->slots[owned_slot];
    SpinLockAcquire(&s.mutex);
    s.pid = 0;
    SpinLockRelease(&s.mutex);
    owned_slot = -1;
}

}  // namespace

size_t progress_shmem_size() { return MAXALIGN(sizeof(Shared)); }

void progress_shmem_init() {
    bool found = false;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    shared = static_cast<Shared*>(ShmemInitStruct("berqenas sync progress", sizeof(Shared), &found));
    if (!found) {
        std::memset(shared, 0, sizeof(Shared));
        SpinLockInit(&shared->mutex);
        for (auto& s : shared->slots) SpinLockInit(&s.mutex);
    }
    LWLockRelease(AddinShmemInitLock);
}

ProgressReport::ProgressReport(long long remote_database_id, const std::string& remote_name, const std::string& sync_id,
                               const std::string& mode, int tables_total) {
    if (shared == nullptr || owned_slot >= 0) return;   // absent, or nested (keep the outer one)
    if (!exit_hook_installed) {
        pg::pg_call([] { before_shmem_exit(release_slot, 0); });
        exit_hook_installed = true;
    }
    SpinLockAcquire(&shared->mutex);
    for (int i = 0; i < slot_count; ++i) {
        if (shared->slots[i].pid == 0) {
            shared->slots[i].pid = MyProcPid;
            slot_ = i;
            break;
        }
    }
    SpinLockRelease(&shared->mutex);
    if (slot_ < 0) return;   // more syncs than slots: this one is not shown
    owned_slot = slot_;
    Slot& s = shared->slots[slot_];
    TimestampTz now = GetCurrentTimestamp();
    SpinLockAcquire(&s.mutex);
    s.database = MyDatabaseId;
    s.remote_database_id = remote_database_id;
    copy(s.remote_name, sizeof s.remote_name, remote_name);
    copy(s.sync_id, sizeof s.sync_id, sync_id);
    copy(s.mode, sizeof s.mode, mode);
    copy(s.phase, sizeof s.phase, "starting");
    s.table[0] = '\0';
    s.tables_done = 0;
    s.tables_total = tables_total;
    s.rows_done = 0;
    s.rows_expected = -1;
    s.started_at = now;
    SpinLockRelease(&s.mutex);
}

ProgressReport::~ProgressReport() {
    if (slot_ < 0) return;
    release_slot(0, 0);
}

void ProgressReport::start_table(const std::string& table, long long rows_expected) {
    if (slot_ < 0) return;
    Slot& s = shared->slots[slot_];
    SpinLockAcquire(&s.mutex);
    copy(s.table, sizeof s.table, table);
    copy(s.phase, sizeof s.phase, "copying");
    s.rows_done = 0;
    s.rows_expected = rows_expected;
    SpinLockRelease(&s.mutex);
}

void ProgressReport::rows(long long rows_done) {
    if (slot_ < 0) return;
    Slot& s = shared->slots[slot_];
    SpinLockAcquire(&s.mutex);
    s.rows_done = rows_done;
    SpinLockRelease(&s.mutex);
}

void ProgressReport::phase(const char* phase) {
    if (slot_ < 0) return;
    Slot& s = shared->slots[slot_];
    SpinLockAcquire(&s.mutex);
    strlcpy(s.phase, phase, sizeof s.phase);
    SpinLockRelease(&s.mutex);
}

void ProgressReport::table_done() {
    if (slot_ < 0) return;
    Slot& s = shared->slots[slot_];
    SpinLockAcquire(&s.mutex);
    s.tables_done++;
    SpinLockRelease(&s.mutex);
}

bool sync_running(long long remote_database_id) {
    if (shared == nullptr) return false;
    for (auto& s : shared->slots) {
        SpinLockAcquire(&s.mutex);
        bool match = s.pid != 0 && s.database == MyDatabaseId && s.remote_database_id == remote_database_id;
        SpinLockRelease(&s.mutex);
        if (match) return true;
    }
    return false;
}

namespace {

// berqenas._sync_progress() returns setof (pid, remote_database, sync_id, mode, phase, table_name,
// tables_done, tables_total, rows_done, rows_expected, started_at)
Datum sync_progress(FunctionCallInfo fcinfo) {
    pg::require_preloaded("berqenas.sync_progress");
    if (shared == nullptr)
        throw Error(sqlstate::object_not_in_prerequisite_state, "berqenas.sync_progress has no shared memory");
    pg::pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    for (int i = 0; i < slot_count; ++i) {
        Slot copy_of;
        Slot& s = shared->slots[i];
        SpinLockAcquire(&s.mutex);
        std::memcpy(&copy_of, &s, sizeof(Slot));
        SpinLockRelease(&s.mutex);
        if (copy_of.pid == 0 || copy_of.database != MyDatabaseId) continue;
        pg::pg_call([&] {
            Datum values[11];
            bool nulls[11] = {false};
            values[0] = Int32GetDatum(copy_of.pid);
            values[1] = CStringGetTextDatum(copy_of.remote_name);
            values[2] = CStringGetTextDatum(copy_of.sync_id);
            values[3] = CStringGetTextDatum(copy_of.mode);
            values[4] = CStringGetTextDatum(copy_of.phase);
            values[5] = CStringGetTextDatum(copy_of.table);
            nulls[5] = copy_of.table[0] == '\0';
            values[6] = Int32GetDatum(copy_of.tables_done);
            values[7] = Int32GetDatum(copy_of.tables_total);
            values[8] = Int64GetDatum(copy_of.rows_done);
            values[9] = Int64GetDatum(copy_of.rows_expected);
            nulls[9] = copy_of.rows_expected < 0;
            values[10] = TimestampTzGetDatum(copy_of.started_at);
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        });
    }
    return (Datum)0;
}

}  // namespace

}  // namespace berqenas::sync

BERQENAS_SQL_FUNCTION(berqenas_sync_progress, berqenas::sync::sync_progress)
