// Realtime sync. Capture objects on the remote (engine/capture_ddl) record the keys of changed rows;
// one background worker per remote database reads them (woken by NOTIFY on PostgreSQL, polling on
// MSSQL), re-reads each changed row's current state in the same query, applies it locally with
// prepared upserts/deletes, commits, and only then deletes the applied changes on the remote. A
// crash between the two re-applies them, which is harmless (applying current state is idempotent).
// What a round changes is recorded as a realtime run (a sync_jobs row, mode 'realtime', one per
// remote database and window) with the old rows journaled, one journal row per table and round, in
// the round's transaction; rollback() can then undo it, and refuses to undo an earlier sync under it.
#include "sync/realtime_worker.hpp"

#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <optional>

#include "catalog/sync_catalog.hpp"
#include "common/json_writer.hpp"
#include "pg/background_worker.hpp"
#include "pg/guard.hpp"
#include "pg/memory_context.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "remote/remote_connection.hpp"
#include "sync/engine/advisory_locks.hpp"
#include "sync/engine/capture_ddl.hpp"
#include "sync/engine/configured_tables.hpp"
#include "sync/engine/journal_key.hpp"
#include "sync/engine/schema_plan.hpp"
#include "sync/engine/sync_id.hpp"
#include "sync/row_difference.hpp"
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
#include "utils/array.h"
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

using catalog::CapturedTable;
using catalog::SyncConfig;
using catalog::SyncMode;

namespace {

constexpr long long prune_chunk_rows = 5000;   // journal rows pruned per transaction, between rounds

struct WorkerArgs {
    Oid database;
    Oid role;
    int64 remote_database_id;
};

std::string to_s(long long v) { return std::to_string(v); }

}  // namespace

std::string install_capture(long long db_id, bool install) {
    pg::SpiSession spi;
    catalog::SyncSource source = catalog::load_sync_source(spi, db_id);
    const SyncConfig& cfg = source.config;
    auto conn = remote::connect(source.database.connection);
    std::string out = "[";
    bool first = true;
    if (install) {
        // Every table is checked (key, existence) before anything is installed on the remote.
        std::vector<std::pair<remote::RemoteTable, CaptureObjects>> plans;
        for (const auto& table : configured_tables(cfg.tables, cfg.remote_schema, *conn)) {
            remote::RemoteTable rt = conn->describe_table(cfg.remote_schema, table);
            plans.emplace_back(rt, capture_objects(conn->kind(), rt));
        }
        for (const auto& [rt, objects] : plans) {
            const std::string& table = rt.name;
            for (const auto& statement : objects.install) conn->execute(statement);
            catalog::record_capture(spi, db_id, cfg.remote_schema, table, cfg.target_schema, rt.primary_key,
                                    objects.change_table, objects.trigger);
            JsonObject o;
            o.add("table", table).add("change_table", objects.change_table).add("trigger", objects.trigger);
            out += (first ? "" : ",") + o.str();
            first = false;
        }
    } else {
        for (const auto& [remote_table, change_table] : catalog::capture_objects_of(spi, db_id)) {
            remote::RemoteTable rt;
            rt.schema = cfg.remote_schema;
            rt.name = remote_table;
            rt.primary_key = {"_"};   // only names matter for removal
            rt.columns.push_back({});
            rt.columns[0].name = "_";
            CaptureObjects objects = capture_objects(conn->kind(), rt);
            for (const auto& statement : objects.remove) conn->execute(statement);
            JsonObject o;
            o.add("table", remote_table).add("removed", change_table);
            out += (first ? "" : ",") + o.str();
            first = false;
        }
        catalog::forget_capture(spi, db_id);
    }
    return out + "]";
}

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
    WorkerArgs args{MyDatabaseId, GetUserId(), db_id};
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

struct TableCounts {
    long long inserted = 0, updated = 0, deleted = 0;
};

// The open realtime run, as this worker last committed it. A run opens with the first change that
// really changes a local row, and closes after berqenas.realtime_run_interval or once it holds
// berqenas.realtime_run_changes changes, when realtime is turned off, or when the worker restarts.
struct RealtimeRun {
    long long job_id = 0;   // 0: none open
    std::string sync_id;
    long long changes = 0;
    std::map<std::string, TableCounts> tables;
    bool journal_off = false;   // some round ran with berqenas.sync_journal off: not rollback-able
};

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

// What applying one table's changes in one round did: counts, and (journal on) the [key, old row]
// of each row it really changed, in order, as jsonb Datums in the round's memory context.
struct TableRound {
    long long applied = 0;   // changes read and applied (including those that changed nothing)
    TableCounts counts;
    std::vector<Datum> keys, old_rows;
    std::vector<bool> old_row_null;
    long long changed() const { return counts.inserted + counts.updated + counts.deleted; }
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
    // Only the table Berqenas created for this registration (42501 when another took its name).
    spi.execute("SELECT berqenas._sync_owned_table($1)", {pg::int8_param(t.id)});
    // Local column types, by name.
    std::map<std::string, Oid> local_types;
    for (auto& r : spi.execute("SELECT attname, atttypid FROM pg_catalog.pg_attribute WHERE attrelid = $1::regclass "
                               "AND attnum > 0 AND NOT attisdropped", {target}).rows)
        local_types[*r[0]] = Oid(std::stoul(*r[1]));
    std::string cols, params, sets, differs, keys, where;
    for (size_t i = 0; i < a.columns.size(); ++i) {
        auto lt = local_types.find(a.columns[i]);
        if (lt == local_types.end())
            throw Error(sqlstate::undefined_column, "local table " + target + " has no column \"" + a.columns[i] + "\"", {},
                        "run berqenas.sync() once so the local table follows the remote's shape");
        a.column_types.push_back(lt->second);
        const std::string c = quote_ident(a.columns[i]);
        cols += (i ? ", " : "") + c;
        params += (i ? ", $" : "$") + std::to_string(i + 1);
        bool is_key = false;
        for (const auto& k : a.remote.primary_key) is_key = is_key || k == a.columns[i];
        if (!is_key) {
            sets += (sets.empty() ? "" : ", ") + c + " = EXCLUDED." + c;
            differs += (differs.empty() ? "" : " OR ") + column_differs_sql(lt->second, "t." + c, "EXCLUDED." + c);
        }
    }
    // The journal's key (journal_key_sql), as every sync writes it.
    std::string lookup;
    std::vector<std::string> new_key_values, old_key_values;
    for (size_t i = 0; i < a.remote.primary_key.size(); ++i) {
        const std::string& name = a.remote.primary_key[i];
        const std::string k = quote_ident(name);
        size_t pos = 0;
        while (pos < a.columns.size() && a.columns[pos] != name) ++pos;
        const std::string column_param = "$" + std::to_string(pos + 1);
        keys += (i ? ", " : "") + k;
        where += (i ? " AND " : "") + k + " = $" + std::to_string(i + 1);
        lookup += (i ? " AND o." : "o.") + k + " = " + column_param;
        new_key_values.push_back(column_param);
        old_key_values.push_back("t." + k);
        a.key_types.push_back(local_types[name]);
    }
    const std::string new_key = journal_key_sql(a.remote.primary_key, new_key_values);
    const std::string old_key = journal_key_sql(a.remote.primary_key, old_key_values);
    // Both return one row (key, old row) only when they really changed the local row: an upsert of
    // a row equal to the local one, or a delete of a row already gone, is not journaled.
    const std::string upsert = "WITH o AS (SELECT to_jsonb(o) AS old FROM " + target + " o WHERE " + lookup +
                               "), u AS (INSERT INTO " + target + " AS t (" + cols + ") VALUES (" + params +
                               ") ON CONFLICT (" + keys + ") " +
                               (sets.empty() ? "DO NOTHING"
                                             : "DO UPDATE SET " + sets + " WHERE " + differs) +
                               " RETURNING 1) SELECT " + new_key + ", (SELECT o.old FROM o) FROM u";
    const std::string remove = "DELETE FROM " + target + " AS t WHERE " + where + " RETURNING " + old_key + ", to_jsonb(t)";
    // Kept for the process: a reconnect rebuilds this applier with the same statements.
    a.upsert = pg::kept_plan(upsert, a.column_types);
    a.remove = pg::kept_plan(remove, a.key_types);
    return w.tables.emplace(t.id, std::move(a)).first->second;
}

// Applies one batch of changes of one table (one round's worth).
TableRound apply_table(Worker& w, pg::SpiSession& spi, const CapturedTable& t, const SyncConfig& cfg,
                       std::vector<long long>& applied_ids) {
    TableApplier& a = applier_for(w, spi, t, cfg);
    auto stream = w.conn->open_stream(a.fetch_sql, SyncSettings::realtime_batch);
    const auto& stream_columns = stream->columns();
    const size_t nkeys = a.remote.primary_key.size();
    if (!a.converters_ready) {
        pg::MemoryContextScope in_long_lived(w.long_lived);
        for (size_t i = 0; i < nkeys; ++i)
            a.key_converters.emplace_back(a.key_types[i], -1, stream_columns.size() > 2 + i ? stream_columns[2 + i].type_code : 0);
        for (size_t i = 0; i < a.columns.size(); ++i)
            a.column_converters.emplace_back(a.column_types[i], -1,
                                             stream_columns.size() > 2 + nkeys + i ? stream_columns[2 + nkeys + i].type_code : 0);
        a.converters_ready = true;
    }
    std::vector<remote::RemoteValue> row;
    std::vector<Datum> values(std::max(a.columns.size(), nkeys));
    std::vector<char> nulls(values.size());
    TableRound out;
    const bool journal = SyncSettings::journal;
    MemoryContext round = w.round;
    while (stream->next(row)) {
        applied_ids.push_back(row[0].kind == remote::ValueKind::int64 ? row[0].i : 0);
        if (row[0].kind != remote::ValueKind::int64) {
            // PostgreSQL sends bigint in binary (8 bytes, network order).
            int64_t v = 0;
            for (char ch : row[0].bytes) v = (v << 8) | static_cast<unsigned char>(ch);
            applied_ids.back() = v;
        }
        // The current row's key columns are NULL when the row no longer exists: a delete.
        bool row_exists = false;
        for (size_t i = 0; i < a.columns.size(); ++i)
            for (const auto& k : a.remote.primary_key)
                if (k == a.columns[i] && row[2 + nkeys + i].kind != remote::ValueKind::null) row_exists = true;
        // 0: nothing changed; 1: inserted; 2: updated; 3: deleted. The key and old row, when it
        // changed, are copied into the round's context before SPI's result goes.
        int outcome = 0;
        Datum key = 0, old_row = 0;
        bool old_null = true;
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
            MemoryContextSwitchTo(round);
            if (SPI_processed == 1 && SPI_tuptable != nullptr) {
                HeapTuple tuple = SPI_tuptable->vals[0];
                TupleDesc desc = SPI_tuptable->tupdesc;
                bool key_null;
                Datum k = SPI_getbinval(tuple, desc, 1, &key_null);
                Datum o = SPI_getbinval(tuple, desc, 2, &old_null);
                outcome = !row_exists ? 3 : old_null ? 1 : 2;
                if (journal) {
                    key = PointerGetDatum(PG_DETOAST_DATUM_COPY(k));
                    if (!old_null) old_row = PointerGetDatum(PG_DETOAST_DATUM_COPY(o));
                }
            }
            if (SPI_tuptable != nullptr) SPI_freetuptable(SPI_tuptable);
            MemoryContextSwitchTo(old);
        });
        switch (outcome) {
            case 1: ++out.counts.inserted; break;
            case 2: ++out.counts.updated; break;
            case 3: ++out.counts.deleted; break;
            default: break;
        }
        if (outcome != 0 && journal) {
            out.keys.push_back(key);
            out.old_rows.push_back(old_row);
            out.old_row_null.push_back(old_null);
        }
        ++out.applied;
    }
    stream->close();
    if (out.applied > 0) catalog::count_realtime_applied(spi, t.id, out.applied);
    return out;
}

// --- The realtime run (see RealtimeRun) ------------------------------------------------------

std::string run_tables_json(const RealtimeRun& run) {
    std::string out = "{";
    bool first = true;
    for (const auto& [table, c] : run.tables) {
        JsonObject o;
        o.add("inserted", c.inserted).add("updated", c.updated).add("deleted", c.deleted).add("mode", "realtime");
        out += (first ? "" : ",") + json_quote(table) + ":" + o.str();
        first = false;
    }
    if (run.journal_off) out += std::string(first ? "" : ",") + "\"_journal\":\"off\"";
    return out + "}";
}

void close_run(pg::SpiSession& spi, RealtimeRun& run, const std::string& why) {
    if (!run.job_id) return;
    TableCounts total;
    for (const auto& [table, c] : run.tables) {
        total.inserted += c.inserted;
        total.updated += c.updated;
        total.deleted += c.deleted;
    }
    catalog::close_realtime_run(spi, run.job_id,
                                "realtime run closed (" + why + "): inserted " + to_s(total.inserted) + ", updated " +
                                    to_s(total.updated) + ", deleted " + to_s(total.deleted));
    run = RealtimeRun{};
}

// At the start of a round: forget a run that is no longer open (rolled back, or its database's
// history removed) and close one whose window is over.
void refresh_run(pg::SpiSession& spi, RealtimeRun& run) {
    if (!run.job_id) return;
    const auto state = catalog::realtime_run_state(spi, run.job_id, SyncSettings::realtime_run_interval_s);
    if (!state || state->status != "running") {
        run = RealtimeRun{};
    } else if (state->window_over) {
        close_run(spi, run, "its window of " + std::to_string(SyncSettings::realtime_run_interval_s) + " s ended");
    } else if (run.changes >= SyncSettings::realtime_run_changes) {
        close_run(spi, run, "it reached " + to_s(run.changes) + " changes");
    }
}

void open_run_if_needed(pg::SpiSession& spi, long long db_id, RealtimeRun& run) {
    if (run.job_id) return;
    auto [job_id, sync_id] = catalog::open_realtime_run(spi, db_id, make_sync_id(std::time(nullptr)));
    run = RealtimeRun{};
    run.job_id = job_id;
    run.sync_id = sync_id;
}

// One journal row for one table's changes of one round: entries = [[key, old_row], ...] in the
// order applied, as incremental syncs write them.
void journal_table_round(Worker& w, long long job_id, long long table_id, const TableRound& tr) {
    if (tr.keys.empty()) return;
    const int n = int(tr.keys.size());
    SPIPlanPtr journal_insert = pg::kept_plan("INSERT INTO berqenas.sync_journal (sync_job_id, sync_table_id, entries) "
                                              "SELECT $1, $2, jsonb_agg(jsonb_build_array(u.k, u.o) ORDER BY u.n) "
                                              "FROM unnest($3, $4) WITH ORDINALITY AS u(k, o, n)",
                                              {INT8OID, INT8OID, JSONBARRAYOID, JSONBARRAYOID});
    pg::pg_call([&] {
        MemoryContext old = MemoryContextSwitchTo(w.round);
        bool* old_nulls = static_cast<bool*>(palloc(sizeof(bool) * n));
        for (int i = 0; i < n; ++i) old_nulls[i] = tr.old_row_null[size_t(i)];
        int dims[1] = {n}, lbs[1] = {1};
        ArrayType* keys = construct_md_array(const_cast<Datum*>(tr.keys.data()), nullptr, 1, dims, lbs, JSONBOID, -1,
                                             false, TYPALIGN_INT);
        ArrayType* olds = construct_md_array(const_cast<Datum*>(tr.old_rows.data()), old_nulls, 1, dims, lbs, JSONBOID, -1,
                                             false, TYPALIGN_INT);
        Datum args[4] = {Int64GetDatum(job_id), Int64GetDatum(table_id), PointerGetDatum(keys), PointerGetDatum(olds)};
        const char arg_nulls[4] = {' ', ' ', ' ', ' '};
        int rc = SPI_execute_plan(journal_insert, args, arg_nulls, false, 0);
        MemoryContextSwitchTo(old);
        if (rc != SPI_OK_INSERT) elog(ERROR, "journaling a realtime round failed: %s", SPI_result_code_string(rc));
    });
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
                TableRound tr = apply_table(w, spi, t, cfg, ids);
                applied += tr.applied;
                if (tr.changed() > 0) {
                    open_run_if_needed(spi, w.db_id, run);
                    journal_table_round(w, run.job_id, t.id, tr);
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

// C entry points: the C++ bodies run in pg::guarded_worker_main. A realtime worker's error leaves
// as ereport(ERROR), which ends it (the postmaster restarts it after bgw_restart_time); the
// launcher's is logged, and the launcher exits as it does when done.
void berqenas_realtime_main(Datum) {
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    berqenas::sync::WorkerArgs args;
    std::memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof args);
    BackgroundWorkerInitializeConnectionByOid(args.database, args.role, 0);
    berqenas::pg::guarded_worker_main([&] { berqenas::sync::realtime_main(args.remote_database_id); });
    proc_exit(0);
}

void berqenas_realtime_launcher_main(Datum) {
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnection(berqenas::sync::SyncSettings::launcher_database, nullptr, 0);
    berqenas::pg::guarded_worker_main([] { berqenas::sync::launcher_main(); }, berqenas::pg::WorkerFailure::log);
    proc_exit(0);
}
