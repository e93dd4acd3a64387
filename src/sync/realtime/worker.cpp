// The realtime worker, one per remote database in realtime mode. Each round reads the changes the
// remote's capture objects recorded (woken by NOTIFY on PostgreSQL, polling on MSSQL), applies them
// locally (realtime/applier), records them in the open realtime run (realtime/run), commits, and
// only then deletes the applied changes on the remote: a crash between the two re-applies them,
// which is harmless (applying current state is idempotent). Failed rounds in a row share one
// failed run; journal pruning runs between rounds.
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <optional>

#include "catalog/sync_catalog.hpp"
#include "common/json_writer.hpp"
#include "pg/background_worker.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "remote/remote_connection.hpp"
#include "sync/engine/advisory_locks.hpp"
#include "sync/engine/capture_ddl.hpp"
#include "sync/engine/sync_id.hpp"
#include "sync/realtime/applier.hpp"
#include "sync/realtime/run.hpp"
#include "sync/realtime/worker_args.hpp"
#include "sync/realtime/worker_transaction.hpp"
#include "sync/sync_runner.hpp"
#include "sync/sync_settings.hpp"

extern "C" {
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/wait_event.h"

PGDLLEXPORT void berqenas_realtime_main(Datum arg);
}

namespace berqenas::sync::realtime {

using catalog::CapturedTable;
using catalog::SyncConfig;
using catalog::SyncMode;

namespace {

constexpr long long prune_chunk_rows = 5000;   // journal rows pruned per transaction, between rounds

// Failed rounds in a row with the same error share one failed run (its finished_at and
// "_failed_rounds" follow the retries), so an unreachable remote does not add a row per retry.
struct FailureStreak {
    long long job_id = 0;
    std::string sqlstate, message;
    long long rounds = 0;
};

struct Worker {
    long long db_id = 0;
    std::unique_ptr<remote::RemoteConnection> conn;
    std::map<long long, TableApplier> tables;
    MemoryContext long_lived = nullptr;   // plans' and converters' lookups
    MemoryContext round = nullptr;
    bool listening = false;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    RealtimeRun run;
    FailureStreak failure;
    std::chrono::steady_clock::time_point next_prune = std::chrono::steady_clock::now();
};

// The table's applier, made on first use after each (re)connect.
TableApplier& applier_for(Worker& w, pg::SpiSession& spi, const CapturedTable& t, const SyncConfig& cfg) {
    auto it = w.tables.find(t.id);
    if (it != w.tables.end()) return it->second;
    return w.tables.emplace(t.id, make_applier(*w.conn, spi, t, cfg.remote_schema)).first->second;
}

void wait_for_changes(Worker& w) {
    const int timeout = SyncSettings::realtime_poll_ms;
    int events;
    if (w.conn && w.listening) {
        pgsocket sock = w.conn->notification_socket();
        events = pg::pg_call([&] {
            return WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_SOCKET_READABLE | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, sock,
                                     timeout, PG_WAIT_EXTENSION);
        });
        w.conn->consume_notifications();
    } else {
        events = pg::pg_call([&] {
            return WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout, PG_WAIT_EXTENSION);
        });
    }
    if (events & WL_LATCH_SET) pg::pg_call([] { ResetLatch(MyLatch); });
}

void hold_apply_lock(pg::SpiSession& spi, long long db_id) {
    spi.execute_cached("SELECT pg_catalog.pg_advisory_xact_lock_shared($1, $2::int)",
                       {pg::int4_param(lock_class::apply), pg::int8_param(db_id)});
}

// Journal pruning (berqenas.journal_retention) in small transactions between rounds, so a large
// backlog never holds up applying changes for long. A failure is logged and tried again later.
void prune_journal_if_due(Worker& w) {
    const auto now = std::chrono::steady_clock::now();
    if (now < w.next_prune) return;
    long long deleted = 0;
    try {
        begin_xact();
        {
            pg::SpiSession spi;
            auto r = spi.execute_cached("SELECT berqenas._sync_journal_prune($1)", {pg::int8_param(prune_chunk_rows)});
            deleted = std::stoll(r.rows.at(0).at(0).value_or("0"));
        }
        commit_xact();
    } catch (const Error& e) {
        if (e.sqlstate() == sqlstate::query_canceled) throw;
        std::string message = e.what();
        pg::pg_call([&] {
            AbortCurrentTransaction();
            elog(WARNING, "berqenas realtime: pruning the sync journal failed: %s", message.c_str());
        });
    }
    // More to prune: the next chunk soon; otherwise look again in a minute.
    w.next_prune = now + (deleted >= prune_chunk_rows ? std::chrono::seconds(1) : std::chrono::seconds(60));
}

// One round: returns false when the worker should stop (realtime was turned off).
bool run_round(Worker& w) {
    std::vector<std::pair<long long, std::vector<long long>>> to_delete;   // table id -> applied change ids
    std::map<long long, remote::RemoteTable> remote_of;
    long long applied = 0;
    bool stop = false;
    // The run as this round leaves it; it becomes the worker's only once the round has committed.
    RealtimeRun run = w.run;
    begin_xact();
    {
        pg::SpiSession spi;
        const SyncConfig cfg = catalog::load_sync_config(spi, w.db_id);
        // configure_sync starts us before its transaction commits: give it a moment.
        if (cfg.mode != SyncMode::realtime && std::chrono::steady_clock::now() - w.started >= std::chrono::seconds(10)) {
            stop = true;
            if (run.job_id) {
                hold_apply_lock(spi, w.db_id);
                refresh_run(spi, run);
                close_run(spi, run, "realtime sync was turned off");
            }
        } else if (cfg.mode == SyncMode::realtime) {
            hold_apply_lock(spi, w.db_id);
            refresh_run(spi, run);
            if (!w.conn || !w.conn->is_usable()) {
                w.tables.clear();
                w.listening = false;
                catalog::RemoteDatabase db = catalog::load_remote_database(spi, w.db_id);
                w.conn = remote::connect(db.connection);
                w.listening = w.conn->listen(capture_channel);
            }
            auto tables = catalog::captured_tables(spi, w.db_id);
            std::vector<std::string> uncopied;
            for (const auto& t : tables)
                if (!t.copied) uncopied.push_back(t.remote_table);
            if (!uncopied.empty()) {
                // The initial copy; changes captured meanwhile are applied afterwards (idempotently).
                RunOptions options;
                options.tables = uncopied;
                options.full = true;
                options.origin = "realtime worker";
                options.in_worker = true;
                std::string result = run_sync(w.db_id, options);
                pg::pg_call([&] { elog(LOG, "berqenas realtime: initial copy: %s", result.c_str()); });
                tables = catalog::captured_tables(spi, w.db_id);
            }
            bool recorded = false;
            for (const auto& t : tables) {
                if (!t.copied) continue;
                std::vector<long long> ids;
                TableRound tr = apply_table(applier_for(w, spi, t, cfg), *w.conn, spi, t, w.long_lived, w.round, ids);
                applied += tr.applied;
                if (tr.changed() > 0) {
                    open_run_if_needed(spi, w.db_id, run);
                    journal_table_round(w.round, run.job_id, t.id, tr);
                    TableCounts& c = run.tables[t.remote_table];
                    c.inserted += tr.counts.inserted;
                    c.updated += tr.counts.updated;
                    c.deleted += tr.counts.deleted;
                    run.changes += tr.changed();
                    run.journal_off = run.journal_off || !SyncSettings::journal;
                    recorded = true;
                }
                if (!ids.empty()) {
                    to_delete.emplace_back(t.id, std::move(ids));
                    remote_of[t.id] = w.tables[t.id].remote;
                }
            }
            if (recorded) catalog::update_realtime_run(spi, run.job_id, run.changes, run_tables_json(run));
        }
    }
    commit_xact();
    w.run = run;
    w.failure = FailureStreak{};
    if (stop) return false;
    pg::pg_call([&] { MemoryContextReset(w.round); });
    // Applied locally and committed: now the remote may forget those changes.
    for (auto& [table_id, ids] : to_delete) {
        for (size_t from = 0; from < ids.size(); from += 1000) {
            std::vector<long long> chunk(ids.begin() + long(from), ids.begin() + long(std::min(ids.size(), from + 1000)));
            w.conn->execute(capture_delete_sql(w.conn->kind(), remote_of[table_id], chunk));
        }
    }
    prune_journal_if_due(w);
    if (applied == 0) wait_for_changes(w);
    return true;
}

// A failed round changed nothing (its transaction rolled back); it is recorded as a failed
// realtime run, or, when the previous round failed the same way, added to that one.
void record_failure(Worker& w, const Error& e) {
    const bool same = w.failure.job_id && w.failure.sqlstate == e.sqlstate() && w.failure.message == e.what();
    FailureStreak next = same ? w.failure : FailureStreak{0, e.sqlstate(), e.what(), 0};
    ++next.rounds;
    RealtimeRun run = w.run;
    try {
        begin_xact();
        {
            pg::SpiSession spi;
            if (!same) {
                JsonObject line;
                line.add("level", "error")
                    .add("message", std::string("realtime round failed: ") + e.what() +
                                        (e.detail().empty() ? "" : " (" + e.detail() + ")"));
                line.add_null("table");
                next.job_id = catalog::insert_failed_round(spi, w.db_id, make_sync_id(std::time(nullptr)), e.what(),
                                                           e.sqlstate(), "[" + line.str() + "]");
            }
            if (next.job_id) catalog::update_failed_rounds(spi, next.job_id, next.rounds);
            // The open run's window still ends on time while rounds fail (e.g. the remote is down).
            if (run.job_id) {
                hold_apply_lock(spi, w.db_id);
                refresh_run(spi, run);
            }
        }
        commit_xact();
        w.failure = next;
        w.run = run;
    } catch (const Error& record_error) {
        if (record_error.sqlstate() == sqlstate::query_canceled) throw;
        std::string message = record_error.what();
        pg::pg_call([&] {
            AbortCurrentTransaction();
            elog(WARNING, "berqenas realtime: could not record a failed round: %s", message.c_str());
        });
    }
}

void realtime_main(long long db_id) {
    Worker w;
    w.db_id = db_id;
    w.long_lived = pg::pg_call([] {
        return AllocSetContextCreate(TopMemoryContext, "berqenas realtime", ALLOCSET_DEFAULT_SIZES);
    });
    w.round = pg::pg_call([] {
        return AllocSetContextCreate(TopMemoryContext, "berqenas realtime round", ALLOCSET_DEFAULT_SIZES);
    });
    begin_xact();
    {
        pg::SpiSession spi;
        if (spi.execute("SELECT pg_catalog.pg_try_advisory_lock($1, $2::int)",
                        {pg::int4_param(lock_class::worker), pg::int8_param(db_id)})
                .rows.at(0).at(0) != std::optional<std::string>("t")) {
            pg::pg_call([&] { elog(LOG, "berqenas realtime: another worker already serves remote database %lld", db_id); });
            return;   // the SpiSession and transaction end with the process
        }
        std::string name = *spi.execute("SELECT name FROM berqenas.remote_database_registry WHERE id = $1",
                                        {pg::int8_param(db_id)}).rows.at(0).at(0);
        std::string appname = "berqenas realtime " + name;
        pg::pg_call([&] { pgstat_report_appname(appname.c_str()); });
        // A run left open by this worker's previous life holds only committed rounds: it ends here.
        catalog::close_realtime_runs(spi, db_id, "the realtime worker restarted");
    }
    commit_xact();
    for (;;) {
        pg::check_for_interrupts();
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            pg::pg_call([] { ProcessConfigFile(PGC_SIGHUP); });
        }
        try {
            if (!run_round(w)) break;
        } catch (const Error& e) {
            if (e.sqlstate() == sqlstate::query_canceled) throw;
            // Unregistered, or the extension dropped: nothing left to serve.
            const bool gone = e.sqlstate() == sqlstate::undefined_object || e.sqlstate() == sqlstate::undefined_table ||
                              e.sqlstate() == sqlstate::invalid_schema_name;
            if (gone && std::chrono::steady_clock::now() - w.started >= std::chrono::seconds(10)) {
                pg::pg_call([] { AbortCurrentTransaction(); });
                break;
            }
            std::string message = e.what();
            std::string detail = e.detail();
            pg::pg_call([&] {
                AbortCurrentTransaction();
                if (!gone) elog(WARNING, "berqenas realtime (remote database %lld): %s%s%s", db_id, message.c_str(),
                     detail.empty() ? "" : ": ", detail.c_str());
            });
            if (!gone) record_failure(w, e);
            w.conn.reset();
            w.tables.clear();
            pg::pg_call([&] {
                MemoryContextReset(w.long_lived);
                MemoryContextReset(w.round);
            });
            pg::pg_call([] {
                (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000, PG_WAIT_EXTENSION);
                ResetLatch(MyLatch);
            });
        }
    }
    pg::pg_call([&] { elog(LOG, "berqenas realtime: remote database %lld is no longer in realtime mode; stopping", db_id); });
}

}  // namespace

}  // namespace berqenas::sync::realtime

// The worker's C entry point: its body runs in pg::guarded_worker_main. An error leaves as
// ereport(ERROR), which ends it (the postmaster restarts it after bgw_restart_time).
void berqenas_realtime_main(Datum) {
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    berqenas::sync::realtime::WorkerArgs args;
    std::memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof args);
    BackgroundWorkerInitializeConnectionByOid(args.database, args.role, 0);
    berqenas::pg::guarded_worker_main([&] { berqenas::sync::realtime::realtime_main(args.remote_database_id); });
    proc_exit(0);
}
