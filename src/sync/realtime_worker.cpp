// Realtime sync. Capture objects on the remote (engine/capture_ddl) record the keys of changed rows;
// one background worker per remote database reads them (woken by NOTIFY on PostgreSQL, polling on
// MSSQL), re-reads each changed row's current state in the same query, applies it locally with
// prepared upserts/deletes, commits, and only then deletes the applied changes on the remote. A
// crash between the two re-applies them, which is harmless (applying current state is idempotent).
#include "sync/realtime_worker.hpp"

#include <libpq-fe.h>

#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <optional>

#include "catalog/remote_database.hpp"
#include "common/json_writer.hpp"
#include "pg/background_worker.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "remote/pg_connection.hpp"
#include "remote/remote_connection.hpp"
#include "sync/engine/capture_ddl.hpp"
#include "sync/engine/schema_plan.hpp"
#include "sync/sync_runner.hpp"
#include "sync/sync_settings.hpp"
#include "sync/value_conversion.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"

PGDLLEXPORT void berqenas_realtime_main(Datum arg);
PGDLLEXPORT void berqenas_realtime_launcher_main(Datum arg);
}

namespace berqenas::sync {

namespace {

constexpr int lock_class_worker = 20400;   // pg_advisory_lock(20400, remote database id), held by the worker

struct WorkerArgs {
    Oid database;
    Oid role;
    int64 remote_database_id;
};

std::string to_s(long long v) { return std::to_string(v); }

// The capture-enabled tables of one remote database, as recorded in berqenas.sync_tables.
struct CapturedTable {
    long long id = 0;
    std::string remote_table;
    std::string local_schema;
    std::string local_table;
    bool copied = false;
};

std::vector<CapturedTable> captured_tables(pg::SpiSession& spi, long long db_id) {
    std::vector<CapturedTable> out;
    for (auto& r : spi.execute("SELECT id, remote_table, local_schema, local_table, last_synced_at IS NOT NULL "
                               "FROM berqenas.sync_tables WHERE remote_database_id = $1::bigint AND capture_table IS NOT NULL "
                               "ORDER BY id",
                               {to_s(db_id)}).rows)
        out.push_back({std::stoll(*r[0]), *r[1], *r[2], *r[3], *r[4] == "t"});
    return out;
}

std::vector<std::string> configured_tables(pg::SpiSession& spi, const SyncConfig& cfg, remote::RemoteConnection& conn) {
    if (cfg.tables) return *cfg.tables;
    std::vector<std::string> out;
    for (auto& t : conn.list_tables(cfg.remote_schema))
        if (t.rfind("berqenas_cdc_", 0) != 0) out.push_back(t);
    return out;
}

}  // namespace

std::string install_capture(long long db_id, bool install) {
    pg::SpiSession spi;
    SyncConfig cfg = load_sync_config(spi, db_id);
    catalog::RemoteDatabase db = catalog::load_remote_database(spi, db_id);
    auto conn = remote::connect(db.connection);
    std::string out = "[";
    bool first = true;
    if (install) {
        // Every table is checked (key, existence) before anything is installed on the remote.
        std::vector<std::pair<remote::RemoteTable, CaptureObjects>> plans;
        for (const auto& table : configured_tables(spi, cfg, *conn)) {
            remote::RemoteTable rt = conn->describe_table(cfg.remote_schema, table);
            plans.emplace_back(rt, capture_objects(conn->kind(), rt));
        }
        for (const auto& [rt, objects] : plans) {
            const std::string& table = rt.name;
            for (const auto& statement : objects.install) conn->execute(statement);
            const std::string key_array = pg::text_array_literal(rt.primary_key);
            spi.execute("INSERT INTO berqenas.sync_tables AS t (remote_database_id, remote_schema, remote_table, local_schema, "
                        "local_table, primary_key, capture_table, capture_trigger) VALUES ($1::bigint, $2, $3, $4, $3, $5::text[], $6, $7) "
                        "ON CONFLICT (remote_database_id, remote_schema, remote_table) DO UPDATE SET capture_table = EXCLUDED.capture_table, "
                        "capture_trigger = EXCLUDED.capture_trigger",
                        {to_s(db_id), cfg.remote_schema, table, cfg.target_schema, key_array, objects.change_table, objects.trigger});
            JsonObject o;
            o.add("table", table).add("change_table", objects.change_table).add("trigger", objects.trigger);
            out += (first ? "" : ",") + o.str();
            first = false;
        }
    } else {
        for (auto& r : spi.execute("SELECT remote_table, capture_table FROM berqenas.sync_tables "
                                   "WHERE remote_database_id = $1::bigint AND capture_table IS NOT NULL ORDER BY id",
                                   {to_s(db_id)}).rows) {
            remote::RemoteTable rt;
            rt.schema = cfg.remote_schema;
            rt.name = *r[0];
            rt.primary_key = {"_"};   // only names matter for removal
            rt.columns.push_back({});
            rt.columns[0].name = "_";
            CaptureObjects objects = capture_objects(conn->kind(), rt);
            for (const auto& statement : objects.remove) conn->execute(statement);
            JsonObject o;
            o.add("table", *r[0]).add("removed", *r[1]);
            out += (first ? "" : ",") + o.str();
            first = false;
        }
        spi.execute("UPDATE berqenas.sync_tables SET capture_table = NULL, capture_trigger = NULL "
                    "WHERE remote_database_id = $1::bigint", {to_s(db_id)});
    }
    return out + "]";
}

bool start_realtime_worker(long long db_id) {
    pg::SpiSession spi;
    if (spi.scalar("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND granted "
                   "AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) "
                   "AND classid = $1::int::oid AND objid = $2::bigint::oid AND objsubid = 2)",
                   {std::to_string(lock_class_worker), to_s(db_id)}) == std::optional<std::string>("t"))
        return false;
    char name[BGW_MAXLEN];
    snprintf(name, sizeof name, "berqenas realtime %lld", db_id);
    // Restarted after 5 s if it dies; it stops for good by exiting with code 0.
    BackgroundWorker worker = pg::berqenas_worker("berqenas_realtime_main", "berqenas realtime", name, 5);
    WorkerArgs args{MyDatabaseId, GetUserId(), db_id};
    std::memcpy(worker.bgw_extra, &args, sizeof args);
    BackgroundWorkerHandle* handle = nullptr;
    bool ok = pg::pg_call([&] { return RegisterDynamicBackgroundWorker(&worker, &handle); });
    if (!ok) throw Error("53400", "no background worker slot is free for realtime sync", {}, "raise max_worker_processes");
    return true;
}

void register_realtime_launcher() {
    BackgroundWorker worker = pg::berqenas_worker("berqenas_realtime_launcher_main", "berqenas realtime launcher");
    RegisterBackgroundWorker(&worker);
}

namespace {

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

struct Worker {
    long long db_id = 0;
    std::unique_ptr<remote::RemoteConnection> conn;
    std::map<long long, TableApplier> tables;
    MemoryContext long_lived = nullptr;   // plans' and converters' lookups
    MemoryContext round = nullptr;
    bool listening = false;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

void begin_xact() {
    pg::pg_call([] {
        SetCurrentStatementStartTimestamp();
        StartTransactionCommand();
        PushActiveSnapshot(GetTransactionSnapshot());
    });
}

void commit_xact() {
    pg::pg_call([] {
        PopActiveSnapshot();
        CommitTransactionCommand();
    });
}

TableApplier& applier_for(Worker& w, pg::SpiSession& spi, const CapturedTable& t, const SyncConfig& cfg) {
    auto it = w.tables.find(t.id);
    if (it != w.tables.end()) return it->second;
    TableApplier a;
    a.remote = w.conn->describe_table(cfg.remote_schema, t.remote_table);
    for (const auto& c : a.remote.columns) a.columns.push_back(c.name);
    a.fetch_sql = capture_fetch_sql(w.conn->kind(), a.remote, a.columns, SyncSettings::realtime_batch);
    const std::string target = qualified(t.local_schema, t.local_table);
    // Local column types, by name.
    std::map<std::string, Oid> local_types;
    for (auto& r : spi.execute("SELECT attname, atttypid FROM pg_catalog.pg_attribute WHERE attrelid = $1::regclass "
                               "AND attnum > 0 AND NOT attisdropped", {target}).rows)
        local_types[*r[0]] = Oid(std::stoul(*r[1]));
    std::string cols, params, sets, keys, where;
    for (size_t i = 0; i < a.columns.size(); ++i) {
        auto lt = local_types.find(a.columns[i]);
        if (lt == local_types.end())
            throw Error("42703", "local table " + target + " has no column \"" + a.columns[i] + "\"", {},
                        "run berqenas.sync() once so the local table follows the remote's shape");
        a.column_types.push_back(lt->second);
        const std::string c = quote_ident(a.columns[i]);
        cols += (i ? ", " : "") + c;
        params += (i ? ", $" : "$") + std::to_string(i + 1);
        bool is_key = false;
        for (const auto& k : a.remote.primary_key) is_key = is_key || k == a.columns[i];
        if (!is_key) sets += (sets.empty() ? "" : ", ") + c + " = EXCLUDED." + c;
    }
    for (size_t i = 0; i < a.remote.primary_key.size(); ++i) {
        const std::string k = quote_ident(a.remote.primary_key[i]);
        keys += (i ? ", " : "") + k;
        where += (i ? " AND " : "") + k + " = $" + std::to_string(i + 1);
        a.key_types.push_back(local_types[a.remote.primary_key[i]]);
    }
    const std::string upsert = "INSERT INTO " + target + " AS t (" + cols + ") VALUES (" + params + ") ON CONFLICT (" +
                               keys + ") " +
                               (sets.empty() ? "DO NOTHING"
                                             : "DO UPDATE SET " + sets +
                                                   " WHERE ROW(t.*)::text IS DISTINCT FROM ROW(EXCLUDED.*)::text");
    const std::string remove = "DELETE FROM " + target + " WHERE " + where;
    std::vector<Oid>& ct = a.column_types;
    std::vector<Oid>& kt = a.key_types;
    a.upsert = pg::pg_call([&] {
        SPIPlanPtr p = SPI_prepare(upsert.c_str(), int(ct.size()), ct.data());
        if (p) SPI_keepplan(p);
        return p;
    });
    a.remove = pg::pg_call([&] {
        SPIPlanPtr p = SPI_prepare(remove.c_str(), int(kt.size()), kt.data());
        if (p) SPI_keepplan(p);
        return p;
    });
    if (!a.upsert || !a.remove) throw Error(sqlstate::internal_error, "could not prepare the realtime apply of " + target);
    return w.tables.emplace(t.id, std::move(a)).first->second;
}

// Applies one batch of changes of one table; returns how many were applied.
long long apply_table(Worker& w, pg::SpiSession& spi, const CapturedTable& t, const SyncConfig& cfg,
                      std::vector<long long>& applied_ids) {
    TableApplier& a = applier_for(w, spi, t, cfg);
    auto stream = w.conn->open_stream(a.fetch_sql, SyncSettings::realtime_batch);
    const auto& stream_columns = stream->columns();
    const size_t nkeys = a.remote.primary_key.size();
    if (!a.converters_ready) {
        MemoryContext old = MemoryContextSwitchTo(w.long_lived);
        for (size_t i = 0; i < nkeys; ++i)
            a.key_converters.emplace_back(a.key_types[i], -1, stream_columns.size() > 2 + i ? stream_columns[2 + i].type_code : 0);
        for (size_t i = 0; i < a.columns.size(); ++i)
            a.column_converters.emplace_back(a.column_types[i], -1,
                                             stream_columns.size() > 2 + nkeys + i ? stream_columns[2 + nkeys + i].type_code : 0);
        MemoryContextSwitchTo(old);
        a.converters_ready = true;
    }
    std::vector<remote::RemoteValue> row;
    std::vector<Datum> values(std::max(a.columns.size(), nkeys));
    std::vector<char> nulls(values.size());
    long long n = 0;
    MemoryContext round = w.round;
    while (stream->next(row)) {
        applied_ids.push_back(row[0].kind == remote::ValueKind::int64 ? row[0].i : 0);
        if (row[0].kind != remote::ValueKind::int64) {
            // PostgreSQL sends bigint in binary (8 bytes, network order).
            int64_t v = 0;
            for (char ch : row[0].bytes) v = (v << 8) | static_cast<unsigned char>(ch);
            applied_ids.back() = v;
        }
        const bool present = row[2 + nkeys].kind != remote::ValueKind::null || a.columns.empty();
        // The current row's key columns are NULL when the row no longer exists: a delete.
        bool row_exists = false;
        for (size_t i = 0; i < a.columns.size(); ++i)
            for (const auto& k : a.remote.primary_key)
                if (k == a.columns[i] && row[2 + nkeys + i].kind != remote::ValueKind::null) row_exists = true;
        (void)present;
        pg::pg_call([&] {
            MemoryContext old = MemoryContextSwitchTo(round);
            if (row_exists) {
                for (size_t i = 0; i < a.columns.size(); ++i) {
                    bool isnull;
                    values[i] = a.column_converters[i].convert(row[2 + nkeys + i], &isnull);
                    nulls[i] = isnull ? 'n' : ' ';
                }
                SPI_execute_plan(a.upsert, values.data(), nulls.data(), false, 0);
            } else {
                for (size_t i = 0; i < nkeys; ++i) {
                    bool isnull;
                    values[i] = a.key_converters[i].convert(row[2 + i], &isnull);
                    nulls[i] = isnull ? 'n' : ' ';
                }
                SPI_execute_plan(a.remove, values.data(), nulls.data(), false, 0);
            }
            MemoryContextSwitchTo(old);
        });
        ++n;
    }
    stream->close();
    if (n > 0)
        spi.execute("UPDATE berqenas.sync_tables SET realtime_applied = realtime_applied + $2::bigint, "
                    "realtime_applied_at = clock_timestamp() WHERE id = $1::bigint",
                    {to_s(t.id), to_s(n)});
    return n;
}

void wait_for_changes(Worker& w) {
    const int timeout = SyncSettings::realtime_poll_ms;
    auto* pg = dynamic_cast<remote::PgConnection*>(w.conn.get());
    int events;
    if (pg && w.listening) {
        pgsocket sock = PQsocket(pg->native());
        events = pg::pg_call([&] {
            return WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_SOCKET_READABLE | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, sock,
                                     timeout, PG_WAIT_EXTENSION);
        });
        PQconsumeInput(pg->native());
        while (PGnotify* n = PQnotifies(pg->native())) PQfreemem(n);
    } else {
        events = pg::pg_call([&] {
            return WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout, PG_WAIT_EXTENSION);
        });
    }
    if (events & WL_LATCH_SET) pg::pg_call([] { ResetLatch(MyLatch); });
}

// One round: returns false when the worker should stop (realtime was turned off).
bool run_round(Worker& w) {
    std::vector<std::pair<long long, std::vector<long long>>> to_delete;   // table id -> applied change ids
    std::map<long long, remote::RemoteTable> remote_of;
    long long applied = 0;
    bool stop = false;
    begin_xact();
    {
        pg::SpiSession spi;
        SyncConfig cfg = load_sync_config(spi, w.db_id);
        // configure_sync starts us before its transaction commits: give it a moment.
        if (cfg.mode != "realtime" && std::chrono::steady_clock::now() - w.started >= std::chrono::seconds(10)) {
            stop = true;
        } else if (cfg.mode == "realtime") {
            if (!w.conn || !w.conn->is_usable()) {
                w.tables.clear();
                w.listening = false;
                catalog::RemoteDatabase db = catalog::load_remote_database(spi, w.db_id);
                w.conn = remote::connect(db.connection);
                if (w.conn->kind() == remote::DatabaseKind::postgresql) {
                    w.conn->execute(std::string("LISTEN ") + capture_channel);
                    w.listening = true;
                }
            }
            auto tables = captured_tables(spi, w.db_id);
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
                tables = captured_tables(spi, w.db_id);
            }
            for (const auto& t : tables) {
                if (!t.copied) continue;
                std::vector<long long> ids;
                applied += apply_table(w, spi, t, cfg, ids);
                if (!ids.empty()) {
                    to_delete.emplace_back(t.id, std::move(ids));
                    remote_of[t.id] = w.tables[t.id].remote;
                }
            }
        }
    }
    commit_xact();
    if (stop) return false;
    pg::pg_call([&] { MemoryContextReset(w.round); });
    // Applied locally and committed: now the remote may forget those changes.
    for (auto& [table_id, ids] : to_delete) {
        for (size_t from = 0; from < ids.size(); from += 1000) {
            std::vector<long long> chunk(ids.begin() + long(from), ids.begin() + long(std::min(ids.size(), from + 1000)));
            w.conn->execute(capture_delete_sql(w.conn->kind(), remote_of[table_id], chunk));
        }
    }
    if (applied == 0) wait_for_changes(w);
    return true;
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
        if (spi.scalar("SELECT pg_catalog.pg_try_advisory_lock($1::int, $2::int)",
                       {std::to_string(lock_class_worker), to_s(db_id)}) != std::optional<std::string>("t")) {
            pg::pg_call([&] { elog(LOG, "berqenas realtime: another worker already serves remote database %lld", db_id); });
            return;   // the SpiSession and transaction end with the process
        }
        std::string name = *spi.scalar("SELECT name FROM berqenas.remote_database_registry WHERE id = $1::bigint", {to_s(db_id)});
        std::string appname = "berqenas realtime " + name;
        pg::pg_call([&] { pgstat_report_appname(appname.c_str()); });
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
            const bool gone = e.sqlstate() == "42704" || e.sqlstate() == "42P01" || e.sqlstate() == "3F000";
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

// The launcher: starts a worker for each remote database in realtime mode, then exits.
void launcher_main() {
    begin_xact();
    std::vector<long long> ids;
    {
        pg::SpiSession spi;
        if (spi.scalar("SELECT to_regclass('berqenas.sync_configs') IS NOT NULL") == std::optional<std::string>("t"))
            for (auto& r : spi.execute("SELECT remote_database_id FROM berqenas.sync_configs WHERE sync_mode = 'realtime'").rows)
                ids.push_back(std::stoll(*r[0]));
        for (long long id : ids) start_realtime_worker(id);
    }
    commit_xact();
}

}  // namespace

}  // namespace berqenas::sync

// C entry points: the C++ bodies run under a guard; an error leaves as ereport(ERROR), which ends
// the worker (the postmaster restarts a realtime worker after bgw_restart_time).
namespace {
void report_and_exit(const char* sqlstate, const char* message) {
    ereport(ERROR, (errcode(MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2], sqlstate[3], sqlstate[4])),
                    errmsg_internal("%s", message)));
}
}  // namespace

void berqenas_realtime_main(Datum) {
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    berqenas::sync::WorkerArgs args;
    std::memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof args);
    BackgroundWorkerInitializeConnectionByOid(args.database, args.role, 0);
    char sqlstate[6] = "XX000";
    char message[1024] = "";
    bool failed = false;
    try {
        berqenas::sync::realtime_main(args.remote_database_id);
    } catch (const berqenas::Error& e) {
        strlcpy(sqlstate, e.sqlstate().c_str(), sizeof sqlstate);
        strlcpy(message, e.what(), sizeof message);
        failed = true;
    } catch (const std::exception& e) {
        strlcpy(message, e.what(), sizeof message);
        failed = true;
    }
    if (failed) report_and_exit(sqlstate, message);
    proc_exit(0);
}

void berqenas_realtime_launcher_main(Datum) {
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnection(berqenas::sync::SyncSettings::launcher_database, nullptr, 0);
    char message[1024] = "";
    bool failed = false;
    try {
        berqenas::sync::launcher_main();
    } catch (const std::exception& e) {
        strlcpy(message, e.what(), sizeof message);
        failed = true;
    }
    if (failed) elog(LOG, "berqenas realtime launcher: %s", message);
    proc_exit(0);
}
