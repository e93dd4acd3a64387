// start_realtime_worker and the launcher background worker (see launcher.hpp).
#include "sync/realtime/launcher.hpp"

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "pg/background_worker.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "sync/engine/advisory_locks.hpp"
#include "sync/realtime/worker_args.hpp"
#include "sync/realtime/worker_transaction.hpp"
#include "sync/sync_settings.hpp"

extern "C" {
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"

PGDLLEXPORT void berqenas_realtime_launcher_main(Datum arg);
}

namespace berqenas::sync {

bool start_realtime_worker(long long db_id) {
    pg::SpiSession spi;
    if (spi.execute("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) "
                    "AND classid = $1::oid AND objid = $2::oid AND objsubid = 2)",
                    {pg::int4_param(lock_class::worker), pg::int8_param(db_id)})
            .rows.at(0).at(0) == std::optional<std::string>("t"))
        return false;
    char name[BGW_MAXLEN];
    snprintf(name, sizeof name, "berqenas realtime %lld", db_id);
    // Restarted after 5 s if it dies; it stops for good by exiting with code 0.
    BackgroundWorker worker = pg::berqenas_worker("berqenas_realtime_main", "berqenas realtime", name, 5);
    realtime::WorkerArgs args{MyDatabaseId, GetUserId(), db_id};
    std::memcpy(worker.bgw_extra, &args, sizeof args);
    BackgroundWorkerHandle* handle = nullptr;
    bool ok = pg::pg_call([&] { return RegisterDynamicBackgroundWorker(&worker, &handle); });
    if (!ok) throw Error(sqlstate::configuration_limit_exceeded, "no background worker slot is free for realtime sync", {}, "raise max_worker_processes");
    return true;
}

void register_realtime_launcher() {
    BackgroundWorker worker = pg::berqenas_worker("berqenas_realtime_launcher_main", "berqenas realtime launcher");
    RegisterBackgroundWorker(&worker);
}

namespace {

// The launcher: starts a worker for each remote database in realtime mode, then exits.
void launcher_main() {
    realtime::begin_xact();
    std::vector<long long> ids;
    {
        pg::SpiSession spi;
        if (spi.scalar("SELECT to_regclass('berqenas.sync_configs') IS NOT NULL") == std::optional<std::string>("t"))
            for (auto& r : spi.execute("SELECT remote_database_id FROM berqenas.sync_configs WHERE sync_mode = 'realtime'").rows)
                ids.push_back(std::stoll(*r[0]));
        for (long long id : ids) start_realtime_worker(id);
    }
    realtime::commit_xact();
}

}  // namespace

}  // namespace berqenas::sync

// The launcher's C entry point: its body runs in pg::guarded_worker_main; an error is logged, and
// the launcher exits as it does when done.
void berqenas_realtime_launcher_main(Datum) {
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnection(berqenas::sync::SyncSettings::launcher_database, nullptr, 0);
    berqenas::pg::guarded_worker_main([] { berqenas::sync::launcher_main(); }, berqenas::pg::WorkerFailure::log);
    proc_exit(0);
}
