// TableApplier: the statements of one captured table, built once per connection, and one round's
// batch of its changes applied through them (see applier.hpp).
#include "sync/realtime/applier.hpp"

#include <map>

#include "pg/guard.hpp"
#include "pg/memory_context.hpp"
#include "sync/engine/capture_ddl.hpp"
#include "sync/engine/conflict_policy.hpp"
#include "sync/engine/journal_key.hpp"
#include "sync/engine/schema_plan.hpp"
#include "sync/row_difference.hpp"
#include "sync/sync_settings.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
}

namespace berqenas::sync::realtime {

using catalog::CapturedTable;

TableApplier make_applier(remote::RemoteConnection& conn, pg::SpiSession& spi, const CapturedTable& t,
                          const std::string& remote_schema) {
    // The realtime rounds apply the remote's rows as they are (conflict_policy: one-way).
    require_remote_version_applies(one_way_strategy, "a realtime round");
    TableApplier a;
    a.remote = conn.describe_table(remote_schema, t.remote_table);
    for (const auto& c : a.remote.columns) a.columns.push_back(c.name);
    a.fetch_sql = capture_fetch_sql(conn.kind(), a.remote, a.columns, SyncSettings::realtime_batch);
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
    return a;
}

// Applies one batch of changes of one table (one round's worth).
TableRound apply_table(TableApplier& a, remote::RemoteConnection& conn, pg::SpiSession& spi, const CapturedTable& t,
                       MemoryContext long_lived, MemoryContext round, std::vector<long long>& applied_ids) {
    auto stream = conn.open_stream(a.fetch_sql, SyncSettings::realtime_batch);
    const auto& stream_columns = stream->columns();
    const size_t nkeys = a.remote.primary_key.size();
    if (!a.converters_ready) {
        pg::MemoryContextScope in_long_lived(long_lived);
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

}  // namespace berqenas::sync::realtime
