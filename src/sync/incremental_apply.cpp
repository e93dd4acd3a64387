// IncrementalApplier: builds the batch statement once per table and sync, then runs it per batch
// with SPI_execute_plan, the batch's columns as array parameters built straight from the Datums.
#include "sync/incremental_apply.hpp"

#include <chrono>
#include <map>

#include "pg/spi.hpp"
#include "sync/engine/journal_key.hpp"
#include "sync/engine/schema_plan.hpp"
#include "sync/row_difference.hpp"

extern "C" {
#include "access/table.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

namespace berqenas::sync {

IncrementalApplier::IncrementalApplier(Oid target, const std::string& target_name, const std::vector<std::string>& columns,
                                       const std::vector<std::string>& key, const std::string& soft_delete, long long job_id,
                                       long long table_id, bool journal)
    : target_name_(target_name), job_id_(job_id), table_id_(table_id), journal_(journal) {
    std::map<std::string, std::pair<int, Oid>> attributes;
    Relation rel = pg::pg_call([&] { return table_open(target, AccessShareLock); });
    TupleDesc desc = RelationGetDescr(rel);
    for (int a = 0; a < desc->natts; ++a) {
        Form_pg_attribute att = TupleDescAttr(desc, a);
        if (!att->attisdropped) attributes[NameStr(att->attname)] = {a, att->atttypid};
    }
    pg::pg_call([&] { table_close(rel, NoLock); });

    std::map<std::string, size_t> position;
    std::string unnest_args, aliases, unpacked, insert_cols, select_cols, sets, update_sets, differs;
    for (size_t i = 0; i < columns.size(); ++i) {
        auto it = attributes.find(columns[i]);
        if (it == attributes.end())
            throw Error(sqlstate::internal_error, "column \"" + columns[i] + "\" is missing in " + target_name);
        Column c{};
        c.attno = it->second.first;
        c.type = it->second.second;
        Oid type = c.type;
        c.array_type = pg::pg_call([&] { return get_array_type(type); });
        c.as_text = c.array_type == InvalidOid;
        std::string cast;
        if (c.as_text) {
            c.array_type = TEXTARRAYOID;
            bool varlena;
            pg::pg_call([&] { getTypeOutputInfo(type, &c.output, &varlena); });
            const char* type_name = pg::pg_call([&] { return format_type_be(type); });
            cast = "::" + std::string(type_name);
            type = TEXTOID;
        }
        pg::pg_call([&] { get_typlenbyvalalign(type, &c.typlen, &c.byval, &c.align); });
        if (c.as_text) c.type = TEXTOID;
        columns_.push_back(c);
        arg_types_.push_back(c.array_type);
        position[columns[i]] = i;

        const std::string n = "n._c" + std::to_string(i + 1);
        const std::string q = quote_ident(columns[i]);
        unnest_args += (i ? ", $" : "$") + std::to_string(i + 1);
        aliases += (i ? ", _c" : "_c") + std::to_string(i + 1);
        unpacked += (i ? ", u._c" : "u._c") + std::to_string(i + 1) + cast + " AS _c" + std::to_string(i + 1);
        insert_cols += (i ? ", " : "") + q;
        select_cols += (i ? ", _c" : "_c") + std::to_string(i + 1);
        bool is_key = false;
        for (const auto& k : key) is_key = is_key || k == columns[i];
        if (!is_key) {
            sets += (sets.empty() ? "" : ", ") + q + " = EXCLUDED." + q;
            update_sets += (update_sets.empty() ? "" : ", ") + q + " = d._c" + std::to_string(i + 1);
        }
        // A row differs when any column's value differs (typed comparison: far cheaper than text).
        differs += (i ? " OR " : "") + column_differs_sql(it->second.second, "o." + q, n);
    }
    std::string join, update_join, keys;
    std::vector<std::string> key_values;
    for (size_t i = 0; i < key.size(); ++i) {
        const std::string q = quote_ident(key[i]);
        const std::string n = "n._c" + std::to_string(position.at(key[i]) + 1);
        join += (i ? " AND o." : "o.") + q + " = " + n;
        update_join += " AND t." + q + " = d._c" + std::to_string(position.at(key[i]) + 1);
        key_values.push_back(n);
        keys += (i ? ", " : "") + q;
    }
    const std::string key_json = journal_key_sql(key, key_values);
    // The old row as JSON, built column by column: to_jsonb(o) would look the row type up again
    // for every row. jsonb_build_object takes at most 50 pairs, so wide tables concatenate several.
    std::string old_json;
    {
        int pairs = 0;
        for (const auto& [name, attribute] : attributes) {
            (void)attribute;
            if (pairs % 50 == 0) old_json += std::string(pairs ? ") || " : "") + "jsonb_build_object(";
            const char* attname = name.c_str();
            old_json += std::string(pairs % 50 ? ", " : "") + pg::pg_call([&] { return quote_literal_cstr(attname); }) +
                        "::text, o." + quote_ident(name);
            ++pairs;
        }
        old_json += ")";
    }
    const std::string k0 = "o." + quote_ident(key[0]);
    // The soft-delete column, as sync_table matched it (is_deleted, or IS_DELETED on a remote whose
    // names ignore case): its position among the columns.
    std::optional<size_t> soft_index;
    for (size_t i = 0; i < columns.size() && !soft_delete.empty(); ++i)
        if (columns[i] == soft_delete) soft_index = i;
    const std::string soft = soft_index ? "(n._c" + std::to_string(*soft_index + 1) + " IS TRUE AND o." +
                                              quote_ident(columns[*soft_index]) + " IS NOT TRUE)"
                                        : "false";
    const size_t n = columns.size();
    const std::string p_job = "$" + std::to_string(n + 1), p_table = "$" + std::to_string(n + 2),
                      p_journal = "$" + std::to_string(n + 3);
    sql_ = "WITH n AS (SELECT " + unpacked + " FROM unnest(" + unnest_args + ") AS u(" + aliases + ")), "
           "d AS (SELECT n.*, o.ctid AS _bq_tid, " + k0 + " IS NULL AS _bq_ins, " + soft + " AS _bq_soft, CASE WHEN " + k0 +
           " IS NULL THEN NULL ELSE " + old_json + " END AS _bq_old, " + key_json + " AS _bq_key FROM n LEFT JOIN " +
           target_name + " o ON " + join + " WHERE " + k0 + " IS NULL OR " + differs + "), "
           "j AS (INSERT INTO berqenas.sync_journal (sync_job_id, sync_table_id, entries) SELECT " + p_job + ", " + p_table +
           ", jsonb_agg(jsonb_build_array(_bq_key, _bq_old)) FROM d WHERE " + p_journal + " HAVING count(*) > 0), "
           // Rows found by the join are updated at the address the join found them (no second key
           // lookup, no speculative insertion); only new rows go through INSERT, still with ON
           // CONFLICT in case one appeared meanwhile. A row another transaction changed in between
           // is skipped by such an UPDATE, so the rows updated are counted and checked in apply().
           + (update_sets.empty() ? std::string()
                                  : "up AS (UPDATE " + target_name + " t SET " + update_sets +
                                        " FROM d WHERE NOT d._bq_ins AND t.ctid = d._bq_tid" + update_join + " RETURNING 1), ") +
           "ins AS (INSERT INTO " + target_name + " AS t (" + insert_cols + ") SELECT " + select_cols +
           " FROM d WHERE d._bq_ins ON CONFLICT (" + keys + ") " + (sets.empty() ? "DO NOTHING" : "DO UPDATE SET " + sets) + ") "
           "SELECT count(*) FILTER (WHERE _bq_ins), count(*) FILTER (WHERE NOT _bq_ins AND NOT _bq_soft), "
           "count(*) FILTER (WHERE _bq_soft AND NOT _bq_ins), " +
           (update_sets.empty() ? std::string("count(*) FILTER (WHERE NOT _bq_ins)") : std::string("(SELECT count(*) FROM up)")) +
           ", count(*) FILTER (WHERE NOT _bq_ins) FROM d";
    arg_types_.push_back(INT8OID);
    arg_types_.push_back(INT8OID);
    arg_types_.push_back(BOOLOID);
}

void IncrementalApplier::apply(TupleTableSlot* const* slots, int count) {
    if (count == 0) return;
    const int nargs = int(arg_types_.size());
    const int ncols = int(columns_.size());
    int64 result[5] = {0, 0, 0, 0, 0};
    const auto started = std::chrono::steady_clock::now();
    // One generic plan per statement text, kept for the session: the batch statement is the same
    // for every sync of a table, and re-planning it per batch cost more than a batch of small changes.
    if (plan_ == nullptr) plan_ = pg::kept_plan(sql_, arg_types_, true);
    pg::pg_call([&] {
        MemoryContext batch = CurrentMemoryContext;
        Datum* args = static_cast<Datum*>(palloc(sizeof(Datum) * nargs));
        char* nulls = static_cast<char*>(palloc(nargs));
        Datum* values = static_cast<Datum*>(palloc(sizeof(Datum) * count));
        bool* isnull = static_cast<bool*>(palloc(sizeof(bool) * count));
        int dims[1] = {count}, lbs[1] = {1};
        for (int r = 0; r < count; ++r) slot_getallattrs(slots[r]);
        for (int c = 0; c < ncols; ++c) {
            const Column& col = columns_[size_t(c)];
            for (int r = 0; r < count; ++r) {
                values[r] = slots[r]->tts_values[col.attno];
                isnull[r] = slots[r]->tts_isnull[col.attno];
                if (col.as_text && !isnull[r]) values[r] = CStringGetTextDatum(OidOutputFunctionCall(col.output, values[r]));
            }
            args[c] = PointerGetDatum(construct_md_array(values, isnull, 1, dims, lbs, col.type, col.typlen,
                                                         col.byval, col.align));
            nulls[c] = ' ';
        }
        args[ncols] = Int64GetDatum(job_id_);
        args[ncols + 1] = Int64GetDatum(table_id_);
        args[ncols + 2] = BoolGetDatum(journal_);
        nulls[ncols] = nulls[ncols + 1] = nulls[ncols + 2] = ' ';
        int rc = SPI_execute_plan(plan_, args, nulls, false, 0);
        MemoryContextSwitchTo(batch);
        if (rc != SPI_OK_SELECT || SPI_processed != 1) elog(ERROR, "applying a batch failed: %s", SPI_result_code_string(rc));
        for (int i = 0; i < 5; ++i) {
            bool null;
            Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1, &null);
            result[i] = null ? 0 : DatumGetInt64(d);
        }
        SPI_freetuptable(SPI_tuptable);
    });
    if (result[3] != result[4])
        throw Error(sqlstate::serialization_failure,
                    std::to_string(result[4] - result[3]) + " row(s) of " + target_name_ +
                        " were changed by another transaction while this sync applied them; nothing of this sync was kept",
                    {}, "run the sync again");
    counts_.inserted += result[0];
    counts_.updated += result[1];
    counts_.deleted += result[2];
    counts_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

}  // namespace berqenas::sync
