// sync_table: schema plan, sync_tables row, the full copy or the incremental read, journal and
// watermark, for one table (see table_sync.hpp).
#include "sync/table_sync.hpp"

#include <map>
#include <optional>

#include "remote/identifier.hpp"
#include "sync/bulk_loader.hpp"
#include "sync/engine/remote_queries.hpp"
#include "sync/engine/schema_plan.hpp"
#include "sync/incremental_apply.hpp"
#include "sync/local_types.hpp"
#include "sync/sync_settings.hpp"
#include "sync/table_diff.hpp"
#include "sync/watermark_window.hpp"

extern "C" {
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/cluster.h"
#include "utils/builtins.h"
#include "utils/rel.h"
}

namespace berqenas::sync {

using catalog::SyncConfig;
using catalog::SyncMode;

namespace {

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

}  // namespace

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
        const std::string since = overlap_start(wm_kind, *old_watermark, SyncSettings::overlap_s);
        select = select_since(kind, rt, column_names, ts_column, wm_kind, since, utf16);
    }
    ctx.progress->start_table(table_name, expected);

    // The remote's rows replace the local ones as they are (full: swapped in whole; incremental:
    // upserted set-based): the conflict policy must say that the remote's version always applies.
    require_remote_version_applies(ctx.strategy, full ? "a full sync" : "an incremental sync");

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
            diff_and_journal(spi, ctx.job_id, table_id, target, load_name, rt.primary_key, soft_delete, true, st);
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

}  // namespace berqenas::sync
