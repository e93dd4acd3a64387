// The realtime run's bookkeeping in sync_jobs and sync_journal (see run.hpp).
#include "sync/realtime/run.hpp"

#include <ctime>

#include "catalog/sync_catalog.hpp"
#include "common/json_writer.hpp"
#include "pg/guard.hpp"
#include "sync/engine/sync_id.hpp"
#include "sync/sync_settings.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

namespace berqenas::sync::realtime {

namespace {

std::string to_s(long long v) { return std::to_string(v); }

}  // namespace

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

void journal_table_round(MemoryContext round, long long job_id, long long table_id, const TableRound& tr) {
    if (tr.keys.empty()) return;
    const int n = int(tr.keys.size());
    SPIPlanPtr journal_insert = pg::kept_plan("INSERT INTO berqenas.sync_journal (sync_job_id, sync_table_id, entries) "
                                              "SELECT $1, $2, jsonb_agg(jsonb_build_array(u.k, u.o) ORDER BY u.n) "
                                              "FROM unnest($3, $4) WITH ORDINALITY AS u(k, o, n)",
                                              {INT8OID, INT8OID, JSONBARRAYOID, JSONBARRAYOID});
    pg::pg_call([&] {
        MemoryContext old = MemoryContextSwitchTo(round);
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

}  // namespace berqenas::sync::realtime
