// run_sync: limits (advisory locks), the job row (written autonomously so failures stay recorded),
// then, inside a subtransaction, each table: schema check, rows streamed into a new heap (full) or
// a staging table (incremental), journal, apply; full tables are swapped in last, together.
#include "sync/sync_runner.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <set>

#include "catalog/sync_catalog.hpp"
#include "common/json_writer.hpp"
#include "pg/guard.hpp"
#include "remote/identifier.hpp"
#include "remote/remote_connection.hpp"
#include "sync/autonomous.hpp"
#include "sync/bulk_loader.hpp"
#include "sync/engine/advisory_locks.hpp"
#include "sync/incremental_apply.hpp"
#include "sync/job_watch.hpp"
#include "sync/engine/capture_ddl.hpp"
#include "sync/engine/configured_tables.hpp"
#include "sync/engine/journal_key.hpp"
#include "sync/engine/remote_queries.hpp"
#include "sync/engine/schema_plan.hpp"
#include "sync/engine/sync_id.hpp"
#include "sync/progress.hpp"
#include "sync/row_difference.hpp"
#include "sync/session_connections.hpp"
#include "sync/sync_settings.hpp"

extern "C" {
#include "access/multixact.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/cluster.h"
#include "miscadmin.h"
#include "parser/parse_type.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"
}

namespace berqenas::sync {

using catalog::SyncConfig;
using catalog::SyncMode;

namespace {

using Clock = std::chrono::steady_clock;

std::string ms_since(Clock::time_point t) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count()) + " ms";
}

struct LogLine {
    std::string level;
    std::string table;
    std::string message;
};

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

struct ResolvedType {
    Oid oid = InvalidOid;
    int32 typmod = -1;
    std::string canonical;
};

ResolvedType resolve_local_type(const remote::RemoteColumn& c, const std::string& table) {
    ResolvedType r;
    for (const std::string* candidate : {&c.local_type, &c.fallback_type}) {
        if (candidate->empty()) continue;
        const std::string& name = *candidate;
        Oid oid = InvalidOid;
        int32 typmod = -1;
        pg::pg_call([&] { parseTypeString(name.c_str(), &oid, &typmod, true); });
        if (oid == InvalidOid) continue;
        char* text = pg::pg_call([&] { return format_type_with_typemod(oid, typmod); });
        r.oid = oid;
        r.typmod = typmod;
        r.canonical = text;
        return r;
    }
    throw Error(sqlstate::undefined_object, "column \"" + c.name + "\" of remote table \"" + table + "\" has type " + c.remote_type +
                             ", which maps to " + c.local_type + ", a type this database does not have",
                {}, "create the type locally (or its extension) and sync again");
}

WatermarkKind watermark_kind_of(Oid type, bool* supported) {
    *supported = true;
    switch (type) {
        case TIMESTAMPOID: return WatermarkKind::timestamp;
        case TIMESTAMPTZOID: return WatermarkKind::timestamptz;
        case DATEOID: return WatermarkKind::date;
        case INT2OID:
        case INT4OID:
        case INT8OID: return WatermarkKind::number;
        default: *supported = false; return WatermarkKind::number;
    }
}

struct TableStats {
    long long inserted = 0, updated = 0, deleted = 0, bytes = 0, rows_read = 0;
    std::string mode;
};

struct PendingSwap {
    Oid target = InvalidOid;
    Oid transient = InvalidOid;
    std::string name;
};

struct Context {
    const SyncConfig& cfg;
    const RunOptions& options;
    long long job_id = 0;
    std::string sync_id;
    remote::RemoteConnection* conn = nullptr;
    ProgressReport* progress = nullptr;
    std::vector<LogLine>* log = nullptr;
    std::vector<PendingSwap> swaps;
};

std::string key_equal(const std::vector<std::string>& key, const std::string& a, const std::string& b) {
    std::string out;
    for (size_t i = 0; i < key.size(); ++i)
        out += (i ? " AND " : "") + a + "." + quote_ident(key[i]) + " = " + b + "." + quote_ident(key[i]);
    return out;
}

// The journal key of a row found on either side of a join (a row may exist on one side only).
std::string either_side_key(const std::vector<std::string>& key, const std::string& a, const std::string& b) {
    std::vector<std::string> values;
    for (const auto& k : key) values.push_back("coalesce(" + a + "." + quote_ident(k) + ", " + b + "." + quote_ident(k) + ")");
    return journal_key_sql(key, values);
}

// Journal (when on) and counts of what applying `source` over `target` changes. full: rows of the
// target missing from source count as deleted (hard deletes); otherwise only source rows matter.
void diff_and_journal(pg::SpiSession& spi, Context& ctx, long long table_id, const std::string& target,
                      const std::string& source, const std::vector<std::string>& key, const std::string& soft_delete,
                      bool full, TableStats& st) {
    const std::string k0 = quote_ident(key[0]);
    const std::string soft = !soft_delete.empty() ? "(n." + quote_ident(soft_delete) + " IS TRUE AND o." +
                                                        quote_ident(soft_delete) + " IS NOT TRUE)"
                                                  : "false";
    // Both tables have the target's columns; a row differs when any column's value differs.
    std::string differs;
    for (auto& row : spi.execute("SELECT quote_ident(attname), atttypid FROM pg_catalog.pg_attribute "
                                 "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                                 {target}).rows)
        differs += (differs.empty() ? "" : " OR ") +
                   column_differs_sql(Oid(std::stoul(*row[1])), "o." + *row[0], "n." + *row[0]);
    std::string sql =
        "WITH d AS (SELECT " + either_side_key(key, "o", "n") + " AS key, o." + k0 + " IS NULL AS is_ins, n." + k0 +
        " IS NULL AS is_del, " + soft + " AS is_soft, CASE WHEN o." + k0 +
        " IS NULL THEN NULL ELSE to_jsonb(o) END AS old_row FROM " + target + " o " +
        (full ? "FULL JOIN " : "RIGHT JOIN ") + source + " n ON " + key_equal(key, "o", "n") + " WHERE o." + k0 +
        " IS NULL OR n." + k0 + " IS NULL OR " + differs + "), "
        "j AS (INSERT INTO berqenas.sync_journal (sync_job_id, sync_table_id, key, old_row) "
        "SELECT $1, $2, key, old_row FROM d WHERE $3) "
        "SELECT count(*) FILTER (WHERE is_ins), count(*) FILTER (WHERE NOT is_ins AND NOT is_del AND NOT is_soft), "
        "count(*) FILTER (WHERE is_del OR (is_soft AND NOT is_ins)) FROM d";
    auto r = spi.execute(sql, {pg::int8_param(ctx.job_id), pg::int8_param(table_id), pg::bool_param(SyncSettings::journal)});
    st.inserted = std::stoll(r.rows[0][0].value_or("0"));
    st.updated = std::stoll(r.rows[0][1].value_or("0"));
    st.deleted = std::stoll(r.rows[0][2].value_or("0"));
}

// The rows of a table without a primary key can only be journaled whole.
void journal_whole_table(pg::SpiSession& spi, Context& ctx, long long table_id, const std::string& target,
                         bool keep_rows) {
    if (SyncSettings::journal) catalog::journal_whole_table(spi, ctx.job_id, table_id, target, keep_rows);
}

long long remote_row_estimate(Context& ctx, const remote::RemoteTable& rt) {
    try {
        auto r = ctx.conn->query_text(row_estimate_sql(ctx.conn->kind(), rt));
        if (!r.rows.empty() && r.rows[0][0] && std::stoll(*r.rows[0][0]) >= 0) return std::stoll(*r.rows[0][0]);
    } catch (const Error& e) {
        if (e.sqlstate() == sqlstate::query_canceled) throw;
    }
    try {
        auto r = ctx.conn->query_text(row_count_sql(ctx.conn->kind(), rt));
        if (!r.rows.empty() && r.rows[0][0]) return std::stoll(*r.rows[0][0]);
    } catch (const Error& e) {
        if (e.sqlstate() == sqlstate::query_canceled) throw;
    }
    return -1;
}

TableStats sync_table(pg::SpiSession& spi, Context& ctx, const std::string& table_name) {
    const SyncConfig& cfg = ctx.cfg;
    const auto kind = ctx.conn->kind();
    const auto table_started = Clock::now();
    remote::RemoteTable rt = ctx.conn->describe_table(cfg.remote_schema, table_name);

    std::vector<PlannedColumn> planned;
    std::vector<std::string> column_names;
    std::map<std::string, ResolvedType> types;
    for (const auto& c : rt.columns) {
        ResolvedType t = resolve_local_type(c, table_name);
        planned.push_back({c.name, t.canonical, !c.nullable});
        column_names.push_back(c.name);
        types[c.name] = t;
    }

    const std::string local_schema = cfg.target_schema;
    const std::string local_table = table_name;
    const std::string target = qualified(local_schema, local_table);
    // Only a table Berqenas created for this registration, in the schema it claimed: anything else
    // of that name is refused (42501) before a row is written.
    auto existing = spi.execute("SELECT berqenas._sync_target_table($1, $2, $3, $4, $5)",
                                {pg::int8_param(cfg.remote_database_id), pg::text_param(cfg.remote_schema),
                                 pg::text_param(table_name), pg::text_param(local_schema), pg::text_param(local_table)})
                        .rows.at(0).at(0);
    std::optional<std::vector<LocalColumn>> local;
    if (existing) {
        local.emplace();
        for (auto& row : spi.execute("SELECT attname, pg_catalog.format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute "
                                     "WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                                     {*existing}).rows)
            local->push_back({*row[0], *row[1]});
    }
    // A table without a primary key cannot be matched row by row: it is copied whole every time.
    SchemaPlan plan = plan_schema(table_name, planned, rt.primary_key, local, local_schema, local_table, true);
    if (rt.primary_key.empty() && cfg.mode != SyncMode::full)
        ctx.log->push_back({"warning", table_name, "remote table \"" + table_name +
                                                       "\" has no primary key: copied in full on every sync"});
    for (const auto& statement : plan.statements) spi.execute(statement);
    if (plan.create) ctx.log->push_back({"info", table_name, "created local table " + target});
    for (const auto& c : plan.added_columns)
        ctx.log->push_back({"info", table_name, "added column " + c + " (new on the remote)"});

    // Which column incremental syncs follow, if the table has a usable one: the configured name as
    // the remote compares names (MSSQL: in any case), spelled as the remote declares it from here on.
    std::string ts_column;
    WatermarkKind wm_kind = WatermarkKind::number;
    const std::optional<size_t> ts_index = remote::find_identifier(kind, column_names, cfg.timestamp_column);
    if (ts_index && !rt.primary_key.empty()) {
        const std::string& ts_name = column_names[*ts_index];
        bool supported;
        wm_kind = watermark_kind_of(types[ts_name].oid, &supported);
        if (supported) ts_column = ts_name;
        else if (cfg.mode != SyncMode::full)
            ctx.log->push_back({"warning", table_name, "column \"" + ts_name + "\" of remote table \"" + table_name +
                                                           "\" has a type incremental syncs cannot follow: copied in full on every sync"});
    } else if (!rt.primary_key.empty() && cfg.mode != SyncMode::full) {
        ctx.log->push_back({"warning", table_name, "remote table \"" + table_name + "\" has no column \"" + cfg.timestamp_column +
                                                       "\": copied in full on every sync"});
    }
    const std::string key_array = pg::text_array_literal(rt.primary_key);
    auto table_row = spi.execute(
        "INSERT INTO berqenas.sync_tables AS t (remote_database_id, remote_schema, remote_table, local_schema, local_table, "
        "primary_key, timestamp_column, local_table_oid) VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8::regclass) "
        "ON CONFLICT (remote_database_id, remote_schema, remote_table) DO UPDATE SET local_schema = EXCLUDED.local_schema, "
        "local_table = EXCLUDED.local_table, primary_key = EXCLUDED.primary_key, timestamp_column = EXCLUDED.timestamp_column, "
        "local_table_oid = EXCLUDED.local_table_oid "
        "RETURNING t.id, CASE WHEN t.timestamp_column IS NOT DISTINCT FROM $7 THEN t.watermark END",
        {pg::int8_param(cfg.remote_database_id), pg::text_param(cfg.remote_schema), pg::text_param(table_name),
         pg::text_param(local_schema), pg::text_param(local_table), pg::text_param(key_array),
         ts_column.empty() ? pg::null_param(TEXTOID) : pg::text_param(ts_column), pg::text_param(target)});
    const long long table_id = std::stoll(*table_row.rows[0][0]);
    const std::optional<std::string> old_watermark = table_row.rows[0][1];

    const Oid target_oid = Oid(std::stoul(*spi.scalar("SELECT $1::regclass::oid", {target})));
    // Readers of a new table (now recorded as Berqenas's): berqenas_admin and the tenant's roles,
    // on this table only (the schema's readers were granted when it was claimed).
    if (plan.create)
        spi.execute("SELECT berqenas._grant_synced_reads($1, $2)",
                    {pg::int8_param(cfg.remote_database_id), pg::TypedParam{OIDOID, ObjectIdGetDatum(target_oid), false}});
    // A new column is filled in every row only by a full copy.
    const bool full = ctx.options.full || cfg.mode == SyncMode::full || plan.create || !plan.added_columns.empty() ||
                      ts_column.empty() || !old_watermark || rt.primary_key.empty();
    TableStats st;
    st.mode = full ? "full" : "incremental";
    // Soft deletes: a boolean is_deleted (MSSQL: in any case; incremental_apply finds it the same way).
    const std::optional<size_t> soft_index = remote::find_identifier(kind, column_names, "is_deleted");
    const std::string soft_delete =
        soft_index && types[column_names[*soft_index]].oid == BOOLOID ? column_names[*soft_index] : std::string();

    RemoteSelect select;
    long long expected = -1;
    // MSSQL n-type columns as their UTF-16 bytes, converted by us rather than db-lib's iconv.
    const bool utf16 = ctx.conn->casts_nvarchar_to_utf16();
    if (full) {
        select = select_all(kind, rt, column_names, utf16);
        expected = remote_row_estimate(ctx, rt);
    } else {
        // Re-read the overlap window: a remote transaction may commit late with an older timestamp.
        std::string since;
        const std::string overlap = std::to_string(SyncSettings::overlap_s);
        switch (wm_kind) {
            case WatermarkKind::timestamptz:
                since = *spi.scalar("SELECT to_char(($1::timestamptz - make_interval(secs => $2::int)) AT TIME ZONE 'UTC', "
                                    "'YYYY-MM-DD HH24:MI:SS.US')", {*old_watermark, overlap});
                break;
            case WatermarkKind::timestamp:
                since = *spi.scalar("SELECT to_char($1::timestamp - make_interval(secs => $2::int), 'YYYY-MM-DD HH24:MI:SS.US')",
                                    {*old_watermark, overlap});
                break;
            case WatermarkKind::date:
                since = *spi.scalar("SELECT to_char($1::date - ceil($2::int / 86400.0)::int, 'YYYY-MM-DD')",
                                    {*old_watermark, overlap});
                break;
            case WatermarkKind::number: since = std::to_string(std::stoll(*old_watermark)); break;
        }
        select = select_since(kind, rt, column_names, ts_column, wm_kind, since, utf16);
    }
    ctx.progress->start_table(table_name, expected);

    // Where the rows go: a new heap for the target (full), or straight into the target, batch by
    // batch, through one set-based statement that journals and upserts only what differs.
    Oid load_oid = target_oid;
    std::string load_name;
    std::optional<IncrementalApplier> applier;
    if (full) {
        load_oid = pg::pg_call([&] {
            Relation rel = table_open(target_oid, AccessShareLock);
            Oid tablespace = rel->rd_rel->reltablespace;
            Oid am = rel->rd_rel->relam;
            char persistence = rel->rd_rel->relpersistence;
            table_close(rel, NoLock);
            Oid created = make_new_heap(target_oid, tablespace, am, persistence, AccessShareLock);
            CommandCounterIncrement();
            return created;
        });
        load_name = *spi.scalar("SELECT $1::oid::regclass::text", {std::to_string(load_oid)});
    } else {
        applier.emplace(target_oid, target, column_names, rt.primary_key, soft_delete, ctx.job_id, table_id,
                        SyncSettings::journal);
    }

    LoaderTarget lt;
    lt.relid = load_oid;
    lt.columns = column_names;
    lt.watermark_column = ts_column;
    lt.frozen = full;
    lt.utf16 = select.utf16;
    if (applier) lt.sink = [&applier](TupleTableSlot* const* slots, int count) { applier->apply(slots, count); };
    auto stream = ctx.conn->open_stream(select.sql, SyncSettings::batch_rows, select.params);
    BulkLoader loader(lt, stream->columns());
    {
        std::vector<remote::RemoteValue> row;
        long long n = 0;
        while (stream->next(row)) {
            loader.add(row);
            if (++n % 1000 == 0) {
                pg::check_for_interrupts();
                ctx.progress->rows(n);
            }
        }
        stream->close();
        ctx.progress->rows(n);
    }
    loader.finish();
    st.rows_read = loader.rows();
    st.bytes = loader.bytes();
    pg::pg_call([] { CommandCounterIncrement(); });

    ctx.log->push_back({"debug", table_name, "rows streamed in " + ms_since(table_started)});
    const auto apply_started = Clock::now();
    ctx.progress->phase("applying");
    if (full) {
        bool had_rows = spi.scalar("SELECT EXISTS (SELECT 1 FROM " + target + ")") == std::optional<std::string>("t");
        if (!had_rows) {
            st.inserted = st.rows_read;
            journal_whole_table(spi, ctx, table_id, target, false);
        } else if (rt.primary_key.empty()) {
            // Without a key, rows are counted as a multiset: what appeared and what went.
            auto r = spi.execute("SELECT (SELECT count(*) FROM (SELECT ROW(n.*)::text FROM " + load_name +
                                 " n EXCEPT ALL SELECT ROW(o.*)::text FROM " + target + " o) a), "
                                 "(SELECT count(*) FROM (SELECT ROW(o.*)::text FROM " + target +
                                 " o EXCEPT ALL SELECT ROW(n.*)::text FROM " + load_name + " n) b)");
            st.inserted = std::stoll(*r.rows[0][0]);
            st.deleted = std::stoll(*r.rows[0][1]);
            journal_whole_table(spi, ctx, table_id, target, true);
        } else {
            diff_and_journal(spi, ctx, table_id, target, load_name, rt.primary_key, soft_delete, true, st);
        }
        ctx.swaps.push_back({target_oid, load_oid, table_name});
    } else {
        st.inserted = applier->counts().inserted;
        st.updated = applier->counts().updated;
        st.deleted = applier->counts().deleted;
        ctx.log->push_back({"debug", table_name, "of which applying batches: " +
                                                     std::to_string(int(applier->counts().seconds * 1000)) + " ms"});
    }

    // The new watermark: the largest value copied, never moving backwards.
    std::optional<std::string> watermark = loader.watermark();
    if (!ts_column.empty()) {
        if (watermark && old_watermark && !full) {
            const std::string type = types[ts_column].canonical;
            watermark = spi.scalar("SELECT greatest($1::" + type + ", $2::" + type + ")::text", {*watermark, *old_watermark});
        } else if (!watermark && !full) {
            watermark = old_watermark;
        }
    }
    catalog::record_table_synced(spi, table_id, ts_column.empty() ? std::nullopt : watermark, ctx.job_id);
    ctx.log->push_back({"debug", table_name, "applied in " + ms_since(apply_started)});
    ctx.log->push_back({"info", table_name,
                        st.mode + ": read " + std::to_string(st.rows_read) + " rows, inserted " +
                            std::to_string(st.inserted) + ", updated " + std::to_string(st.updated) + ", deleted " +
                            std::to_string(st.deleted)});
    ctx.progress->table_done();
    return st;
}

std::string log_json(const std::vector<LogLine>& lines) {
    std::string out = "[";
    for (size_t i = 0; i < lines.size(); ++i) {
        JsonObject o;
        o.add("level", lines[i].level).add("message", lines[i].message);
        if (lines[i].table.empty()) o.add_null("table");
        else o.add("table", lines[i].table);
        out += (i ? "," : "") + o.str();
    }
    return out + "]";
}

}  // namespace

void in_subtransaction(const std::function<void()>& body) {
    MemoryContext outer_context = CurrentMemoryContext;
    ResourceOwner outer_owner = CurrentResourceOwner;
    pg::pg_call([&] {
        BeginInternalSubTransaction(nullptr);
        MemoryContextSwitchTo(outer_context);
    });
    try {
        body();
    } catch (...) {
        pg::pg_call([&] {
            RollbackAndReleaseCurrentSubTransaction();
            MemoryContextSwitchTo(outer_context);
            CurrentResourceOwner = outer_owner;
        });
        throw;
    }
    pg::pg_call([&] {
        ReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(outer_context);
        CurrentResourceOwner = outer_owner;
    });
}

std::string run_sync(long long remote_database_id, const RunOptions& options) {
    const auto started = Clock::now();
    std::optional<SyncConfig> cfg_holder;
    catalog::RemoteDatabase db;
    std::string sync_id;
    double started_epoch = 0;
    bool needs_size_check = options.full;
    {
        pg::SpiSession spi;
        catalog::SyncSource source = catalog::load_sync_source(spi, remote_database_id);
        cfg_holder = std::move(source.config);
        db = std::move(source.database);
        // Limits first: nothing is recorded for a sync that was not allowed to start.
        acquire_database_lock(spi, *cfg_holder);
        acquire_tenant_slot(spi, *cfg_holder);
        // Rows left "running" by a session that ended (or rolled back) cannot still run: we hold the lock.
        // (An open realtime run is the realtime worker's, not a sync's.)
        catalog::fail_abandoned_jobs(spi, remote_database_id);
        // The sync id, held (advisory lock) until this transaction ends; the start time for the
        // job row, wherever it ends up being written.
        auto r = spi.execute_cached("SELECT berqenas._sync_job_claim($1), extract(epoch FROM clock_timestamp())::text, "
                                    "$2 OR NOT EXISTS (SELECT 1 FROM berqenas.sync_tables WHERE remote_database_id = $3 "
                                    "AND watermark IS NOT NULL)",
                                    {pg::text_param(make_sync_id(std::time(nullptr))),
                                     pg::bool_param(options.full || cfg_holder->mode == SyncMode::full),
                                     pg::int8_param(remote_database_id)});
        sync_id = *r.rows[0][0];
        started_epoch = std::stod(*r.rows[0][1]);
        needs_size_check = *r.rows[0][2] == "t";
    }
    const SyncConfig& cfg = *cfg_holder;
    // In realtime mode a sync() call is an incremental sync; mode 'realtime' names the worker's runs.
    const SyncMode mode = options.full ? SyncMode::full : cfg.mode == SyncMode::realtime ? SyncMode::incremental : cfg.mode;
    const std::string mode_name = catalog::sync_mode_name(mode);
    Context ctx{cfg, options};
    ctx.sync_id = sync_id;

    std::vector<LogLine> log;
    ctx.log = &log;
    log.push_back({"info", "", mode_name + " sync started (" + options.origin + ")"});
    std::map<std::string, TableStats> results;
    std::vector<std::string> tables;
    try {
        in_subtransaction([&] {
            pg::SpiSession spi;
            // The job row, in the sync's own subtransaction: a failure removes it, and the failure
            // is then recorded on its own (below); an abort that skips that path is caught by
            // job_watch.
            ctx.job_id = catalog::insert_running_job(spi, ctx.sync_id, remote_database_id, mode, started_epoch);
            if (!options.in_worker) record_job_on_abort(remote_database_id, mode_name, ctx.sync_id, started_epoch);
            const std::string job_recorded = "job recorded " + ms_since(started) + " after the call";
            const auto connect_started = Clock::now();
            SessionConnection conn = acquire_session_connection(remote_database_id, db.connection);
            ctx.log->push_back({"debug", "", job_recorded + (conn.reused() ? "; reused the session's remote connection ("
                                                                           : "; connected to the remote in ") +
                                                 ms_since(connect_started) + (conn.reused() ? ")" : "")});
            ctx.conn = conn.get();
            // berqenas.max_database_size, before any full copy (a first sync of a table is one).
            if (needs_size_check) {
                const long long limit = (long long)SyncSettings::max_database_size_mb * 1024 * 1024;
                std::optional<long long> size;
                try {
                    auto r = conn->query_text(database_size_sql(conn->kind()));
                    if (!r.rows.empty() && r.rows[0][0]) size = std::stoll(*r.rows[0][0]);
                } catch (const Error& e) {
                    if (e.sqlstate() == sqlstate::query_canceled) throw;
                    ctx.log->push_back({"warning", "", std::string("could not read the remote database size: ") + e.what()});
                }
                if (size && *size > limit)
                    throw Error(sqlstate::program_limit_exceeded,
                                "remote database \"" + cfg.name + "\" holds " + std::to_string(*size / (1024 * 1024)) +
                                    " MB, more than berqenas.max_database_size (" +
                                    std::to_string(SyncSettings::max_database_size_mb) + " MB)",
                                "a full sync copies the whole database; nothing was copied",
                                "raise berqenas.max_database_size or sync fewer tables");
            }
            // Every table from one remote snapshot, where the remote has one, so they agree with
            // each other; that read transaction ends once the tables are swapped in.
            const bool consistent_read = conn->begin_consistent_read();
            // Which tables: the configured ones (or all of the remote schema), narrowed by the call.
            std::vector<std::string> available = configured_tables(cfg.tables, cfg.remote_schema, *conn.get());
            if (cfg.tables) resolve_declared_names(available, cfg.remote_schema, *conn.get());
            if (options.tables) {
                for (const auto& t : *options.tables) {
                    const std::optional<size_t> i = remote::find_identifier(conn->kind(), available, t);
                    if (!i)
                        throw Error(sqlstate::undefined_table, "table \"" + t + "\" is not synced for remote database \"" + cfg.name + "\"",
                                    cfg.tables ? "configured tables: see berqenas.sync_configs" : "the remote schema has no such table",
                                    "call berqenas.configure_sync() with the table in its list");
                    tables.push_back(available[*i]);
                }
            } else {
                tables = available;
            }
            if (tables.empty()) ctx.log->push_back({"warning", "", "no tables to sync"});

            ProgressReport progress(remote_database_id, cfg.name, ctx.sync_id, mode_name, int(tables.size()));
            ctx.progress = &progress;

            for (const auto& t : tables) {
                try {
                    results[t] = sync_table(spi, ctx, t);
                } catch (const Error& e) {
                    if (e.sqlstate() == sqlstate::undefined_table && std::string(e.what()).find("does not exist") != std::string::npos)
                        throw Error(sqlstate::undefined_table, "remote table \"" + t + "\" does not exist in remote database \"" + cfg.name + "\"",
                                    e.detail(), "check berqenas.configure_sync()'s tables");
                    throw;
                }
            }
            progress.phase("swapping");
            // Full tables change files now, all together, in one short exclusive lock each. The swap
            // rebuilds their indexes; their sort gets berqenas.sync_index_build_memory, not
            // maintenance_work_mem, so a full sync's memory does not grow with the table.
            // The setting's text is made here: no C++ object may live inside pg_call's body.
            const std::string index_memory_kb =
                SyncSettings::index_build_memory_kb >= 0 ? std::to_string(SyncSettings::index_build_memory_kb) : "";
            for (const auto& swap : ctx.swaps) {
                Oid target = swap.target, transient = swap.transient;
                const char* kb = index_memory_kb.empty() ? nullptr : index_memory_kb.c_str();
                pg::pg_call([&] {
                    LockRelationOid(target, AccessExclusiveLock);
                    const int guc_level = NewGUCNestLevel();
                    if (kb != nullptr)
                        (void)set_config_option("maintenance_work_mem", kb, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
                                                true, 0, false);
                    finish_heap_swap(target, transient, false, false, false, true, RecentXmin, ReadNextMultiXactId(),
                                     RELPERSISTENCE_PERMANENT);
                    AtEOXact_GUC(true, guc_level);
                });
            }
            if (consistent_read) conn->commit();
            ctx.conn = nullptr;
            // The realtime worker keeps its own connection; a second one would sit idle for its lifetime.
            if (!options.in_worker) conn.keep();
        });
    } catch (const Error& e) {
        ctx.conn = nullptr;
        // Local data is back as it was (the subtransaction rolled back); record the failure.
        log.push_back({"error", "", e.what() + (e.detail().empty() ? std::string() : " (" + e.detail() + ")")});
        forget_job_on_abort();
        const std::vector<pg::SqlValue> params = catalog::failed_job_params(
            {remote_database_id, mode, ctx.sync_id, started_epoch, e.what(), e.sqlstate(), log_json(log)});
        const std::string sql = catalog::failed_job_sql();
        if (options.in_worker) {
            pg::SpiSession spi;
            spi.execute(sql, params);
            JsonObject out;
            out.add("sync_id", ctx.sync_id).add("status", "failed").add("error", e.what()).add("sqlstate", e.sqlstate());
            return out.str();
        }
        try {
            run_autonomous(sql, params);
        } catch (const Error& record_error) {
            if (record_error.sqlstate() == sqlstate::query_canceled) throw;
            throw Error(e.sqlstate(), e.what(), e.detail() + (e.detail().empty() ? "" : "; ") +
                                                    "the failure could not be recorded: " + record_error.what(),
                        e.hint());
        }
        throw;
    }

    // Success: the job row is finished in this transaction, together with the data.
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::string tables_json = "{";
    long long total = 0, bytes = 0;
    bool first = true;
    for (const auto& t : tables) {
        const TableStats& st = results[t];
        JsonObject o;
        o.add("inserted", st.inserted).add("updated", st.updated).add("deleted", st.deleted).add("bytes", st.bytes)
            .add("rows_read", st.rows_read).add("mode", st.mode);
        tables_json += (first ? "" : ",") + json_quote(t) + ":" + o.str();
        first = false;
        total += st.inserted + st.updated + st.deleted;
        bytes += st.bytes;
    }
    tables_json += "}";
    {
        pg::SpiSession spi;
        catalog::finish_job_succeeded(spi, ctx.job_id, tables_json, total, bytes, SyncSettings::journal);
        log.push_back({"info", "", "sync finished: " + std::to_string(total) + " rows changed in " +
                                       std::to_string(tables.size()) + " table(s)"});
        catalog::append_job_log(spi, ctx.job_id, log_json(log));
    }
    // Warnings reach the caller too (as WARNING and in the result), not only sync_logs.
    std::string warnings = "[";
    for (const auto& line : log) {
        if (line.level != "warning") continue;
        warnings += (warnings.size() > 1 ? "," : "") + json_quote(line.message);
        const char* text = line.message.c_str();
        pg::pg_call([&] { ereport(WARNING, (errmsg("%s", text))); });
    }
    warnings += "]";
    JsonObject out;
    char duration[32];
    snprintf(duration, sizeof duration, "%.3f", seconds);
    out.add("sync_id", ctx.sync_id).add("status", "succeeded").add_raw("tables", tables_json)
        .add("total_synced", total).add_raw("duration_seconds", duration);
    if (warnings.size() > 2) out.add_raw("warnings", warnings);
    return out.str();
}

}  // namespace berqenas::sync
