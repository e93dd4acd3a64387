// ANALYZE of a berqenas_fdw table. Every remote row streams past once (one SELECT of all the
// columns, fetched as a scan fetches them, a batch at a time) and PostgreSQL's reservoir keeps a
// sample of targrows of them, so the planner gets the table's row count and column statistics
// instead of guessing 1000 rows. Only the rows that go into the sample are converted; memory is
// the sample plus one row.
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "fdw/connection_cache.hpp"
#include "fdw/deparse.hpp"
#include "fdw/fdw_options.hpp"
#include "fdw/fdw_routines.hpp"
#include "fdw/remote_columns.hpp"
#include "fdw/scan_support.hpp"
#include "pg/memory_context.hpp"
#include "remote/sql_dialect.hpp"

extern "C" {
#include "access/htup_details.h"
#include "commands/vacuum.h"
#include "executor/tuptable.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/sampling.h"
}

namespace berqenas::fdw {

// Values cross the remote boundary through the shared conversion layer.
using namespace berqenas::convert;

bool analyze_foreign_table(Relation, BlockNumber* totalpages) {
    // The remote's pages mean nothing here: the planner sizes a foreign table by its row count,
    // which the sampling sets (pg_class.reltuples).
    *totalpages = 0;
    return true;
}

int acquire_sample_rows(Relation relation, int elevel, HeapTuple* rows, int targrows, double* totalrows,
                        double* totaldeadrows) {
    const Oid relid = pg::pg_call([&] { return RelationGetRelid(relation); });
    TableOptions table = table_options(relid);
    // As postgres_fdw does, the table owner's user mapping (ANALYZE may run as anyone allowed to).
    const Oid owner = relation->rd_rel->relowner;
    auto conn = get_connection(table.server_oid, owner);

    // Every column, fetched as a scan fetches it (UTF-16 bytes for MSSQL n-types, text for a
    // PostgreSQL remote's types of its own).
    const std::vector<std::string> utf16_selects = nchar_utf16_selects(table, owner);
    std::vector<int> attrs;
    for (const auto& c : table.columns)
        if (!c.dropped) attrs.push_back(c.attnum);
    remote::SelectParts parts;
    parts.columns = fetched_columns(table, attrs, utf16_selects);
    parts.from = remote_table_name(table);
    const std::string sql = remote::build_select(table.kind, parts);

    TupleDesc desc = RelationGetDescr(relation);
    const MemoryContext sample_context = CurrentMemoryContext;   // where ANALYZE wants the rows
    MemoryContext row_context = pg::pg_call([] {
        return AllocSetContextCreate(CurrentMemoryContext, "berqenas_fdw analyze row", ALLOCSET_SMALL_SIZES);
    });
    std::vector<ColumnReader> readers(attrs.size());
    for (size_t i = 0; i < attrs.size(); ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, attrs[i] - 1);
        prepare_reader(readers[i], att->atttypid, att->atttypmod, sample_context);
        readers[i].utf16 = !utf16_selects[size_t(attrs[i] - 1)].empty();
    }
    TupleTableSlot* slot = pg::pg_call([&] { return MakeSingleTupleTableSlot(desc, &TTSOpsVirtual); });

    ReservoirStateData reservoir;
    pg::pg_call([&] { reservoir_init_selection_state(&reservoir, targrows); });
    double seen = 0;        // rows read from the remote
    double to_skip = -1;    // rows to pass over before the next one replaces a sampled row
    int sampled = 0;

    auto stream = conn->open_stream(sql, table.fetch_size);
    std::vector<remote::RemoteValue> row;
    while (stream->next(row)) {
        pg::check_for_interrupts();
        // Which place in the sample this row takes, if any (decided before converting it): the
        // first targrows rows fill it, later ones replace a random one now and then.
        int into = -1;
        bool replacing = false;
        if (sampled < targrows) {
            into = sampled++;
        } else {
            pg::pg_call([&] {
                if (to_skip < 0) to_skip = reservoir_get_next_S(&reservoir, seen, targrows);
                if (to_skip <= 0) into = int(targrows * sampler_random_fract(&reservoir.randstate));
            });
            to_skip -= 1;
            replacing = into >= 0;
        }
        seen += 1;
        if (into >= 0) {
            // Converted in the row context (a value that cannot be converted names its column and
            // the row's key), then copied into the sample.
            pg::MemoryContextScope in_row(row_context);
            store_row(table, attrs, readers, stream->columns(), row, slot);
            pg::pg_call([&] {
                MemoryContextSwitchTo(sample_context);
                if (replacing) heap_freetuple(rows[into]);
                rows[into] = ExecCopySlotHeapTuple(slot);
                MemoryContextSwitchTo(row_context);
                ExecClearTuple(slot);
                MemoryContextReset(row_context);
            });
        }
        if (int64_t(seen) % 1000 == 0) pg::pg_call([] { vacuum_delay_point(); });
    }
    stream->close();
    pg::pg_call([&] {
        ExecDropSingleTupleTableSlot(slot);
        MemoryContextDelete(row_context);
        ereport(elevel, (errmsg("\"%s\": table contains %.0f rows, %d rows in sample", RelationGetRelationName(relation),
                                seen, sampled)));
    });
    *totalrows = seen;
    *totaldeadrows = 0;
    return sampled;
}

}  // namespace berqenas::fdw
