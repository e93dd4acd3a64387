// berqenas._bd_rollback: undoes one bidirectional run on both sides from its journal
// (sync_two_way_journal): each side's rows as they were, and the content both sides had agreed on.
// Refused when a later change to the same rows would be overwritten.
#include "catalog/sync_catalog.hpp"
#include "common/json_writer.hpp"
#include "pg/guard.hpp"
#include "pg/values.hpp"
#include "sync/bidirectional/two_way_sql.hpp"
#include "sync/bidirectional/two_way_table.hpp"
#include "sync/session_connections.hpp"
#include "sync/subtransaction.hpp"

namespace berqenas::sync {

using namespace two_way;

namespace {

struct Restored {
    long long cloud = 0, remote = 0;
};

// The rows of one table the run changed, back on both sides. rb: the run's journal of the table
// (n, k, cloud_written, cloud_old, remote_written, remote_old, agreed_old).
Restored restore_table(pg::SpiSession& spi, remote::RemoteConnection& conn, const TwoWayTable& t, const std::string& job_id,
                       const std::string& sync_id, const std::string& remote_now) {
    const remote::RemoteTable rt = conn.describe_table(t.remote_schema, t.remote_table);
    const Shape s = describe(spi, conn, rt, t);
    const std::string tid = to_s(t.id);
    const std::string rb = "pg_temp.berqenas_bd_rb_" + tid, old_rows = "pg_temp.berqenas_bd_rb_rows_" + tid;
    spi.execute("CREATE TEMP TABLE " + rb + " AS SELECT row_number() OVER () AS n, key AS k, cloud_written, cloud_old, "
                "remote_written, remote_old, agreed_old FROM berqenas.sync_two_way_journal WHERE sync_job_id = $1::bigint "
                "AND sync_table_id = $2::bigint",
                {job_id, tid});
    spi.execute("ANALYZE " + rb);

    // What may not be overwritten: a key a later run decided, or one changed on either side since
    // (its content is no longer what this run left, the agreed content).
    std::string changed;
    auto collect = [&](const std::string& sql) {
        for (auto& row : spi.execute(sql, {job_id, tid}).rows) changed += (changed.empty() ? "" : ", ") + *row[0];
    };
    collect("SELECT DISTINCT r.k::text FROM " + rb + " r JOIN berqenas.sync_two_way_journal j ON j.sync_table_id = $2::bigint "
            "AND j.key = r.k AND j.sync_job_id > $1::bigint LIMIT 10");
    const std::string agreed = "(SELECT st.content_hash FROM berqenas.sync_row_state st WHERE st.sync_table_id = $2::bigint AND st.key = r.k)";
    collect("SELECT r.k::text FROM " + rb + " r LEFT JOIN " + s.cloud + " c ON " + s.key_match("c", "r.k") + " WHERE $1::bigint > 0 AND " +
            "(CASE WHEN " + s.first_key("c") + " IS NOT NULL THEN " + s.content_hash("c") + " END) IS DISTINCT FROM " + agreed + " LIMIT 10");
    spi.execute("CREATE TEMP TABLE " + old_rows + " AS SELECT * FROM " + s.cloud + " LIMIT 0");
    std::string cols;
    for (const auto& c : s.columns) cols += (cols.empty() ? "" : ", ") + lid(c);
    // The remote's rows of those keys as they are now.
    {
        const std::string tmp = "pg_temp.berqenas_bd_rb_read_" + tid;
        spi.execute("CREATE TEMP TABLE " + tmp + " AS SELECT " + cols + " FROM " + s.cloud + " LIMIT 0");
        fetch_rows(spi, conn, rt, s, tmp, "FROM " + rb + " p WHERE true");
        collect("SELECT r.k::text FROM " + rb + " r LEFT JOIN " + tmp + " l ON " + s.key_match("l", "r.k") + " WHERE $1::bigint > 0 AND " +
                "(CASE WHEN " + s.first_key("l") + " IS NOT NULL THEN " + s.content_hash("l") + " END) IS DISTINCT FROM " + agreed + " LIMIT 10");
        spi.execute("DROP TABLE " + tmp);
    }
    if (!changed.empty())
        throw Error(sqlstate::object_not_in_prerequisite_state,
                    "cannot roll back sync \"" + sync_id + "\": rows of table \"" + rt.name + "\" changed after it",
                    "keys: " + changed + " (a later change would be overwritten)",
                    "sync them first (berqenas.bidirectional_sync), or leave the run as it is");

    Restored done;
    // The cloud: each row the run wrote back to its old version (or away, where it had none).
    std::string set, insert_cols, select_cols, key_cols;
    for (const auto& c : s.columns) {
        if (c == s.updated_at) continue;
        insert_cols += (insert_cols.empty() ? "" : ", ") + lid(c);
        select_cols += (select_cols.empty() ? "" : ", ") + std::string("o.") + lid(c);
        bool is_key = false;
        for (const auto& k : s.key) is_key = is_key || k == c;
        if (!is_key) set += (set.empty() ? "" : ", ") + lid(c) + " = EXCLUDED." + lid(c);
    }
    for (const auto& k : s.key) key_cols += (key_cols.empty() ? "" : ", ") + lid(k);
    done.cloud = spi.execute("DELETE FROM " + s.cloud + " c USING " + rb + " r WHERE " + s.key_match("c", "r.k") +
                             " AND r.cloud_written AND r.cloud_old IS NULL").processed;
    done.cloud += spi.execute("INSERT INTO " + s.cloud + " (" + insert_cols + ") SELECT " + select_cols + " FROM " + rb +
                              " r CROSS JOIN LATERAL jsonb_populate_record(NULL::" + s.cloud + ", r.cloud_old) o "
                              "WHERE r.cloud_written AND r.cloud_old IS NOT NULL ON CONFLICT (" + key_cols + ") DO " +
                              (set.empty() ? "NOTHING" : "UPDATE SET " + set)).processed;
    // The remote likewise, guarded like a run's writes.
    spi.execute("INSERT INTO " + old_rows + " SELECT o.* FROM " + rb + " r CROSS JOIN LATERAL jsonb_populate_record(NULL::" +
                s.cloud + ", r.remote_old) o WHERE r.remote_written AND r.remote_old IS NOT NULL");
    spi.execute("ALTER TABLE " + old_rows + " ADD COLUMN berqenas_n bigint");
    spi.execute("UPDATE " + old_rows + " o SET berqenas_n = r.n FROM " + rb + " r WHERE " + s.key_match("o", "r.k"));
    write_remote(conn, rt, s, remote_now,
                 "FROM " + rb + " p JOIN " + old_rows + " c ON c.berqenas_n = p.n WHERE true",
                 "FROM " + rb + " p WHERE p.remote_written AND p.remote_old IS NULL");
    done.remote = std::stoll(*spi.scalar("SELECT count(*) FROM " + rb + " WHERE remote_written"));

    // What both sides had agreed on before the run; the next run compares both sides whole (their
    // changes since may be older than the watermarks the run had moved).
    spi.execute("DELETE FROM berqenas.sync_row_state st USING " + rb + " r WHERE st.sync_table_id = $1::bigint AND st.key = r.k", {tid});
    spi.execute("INSERT INTO berqenas.sync_row_state (sync_table_id, key, content_hash) SELECT $1::bigint, r.k, r.agreed_old FROM " + rb +
                " r WHERE r.agreed_old IS NOT NULL",
                {tid});
    spi.execute("DELETE FROM berqenas.sync_tombstones tb USING " + rb + " r WHERE tb.sync_table_id = $1::bigint AND tb.key = r.k", {tid});
    spi.execute("UPDATE berqenas.sync_tables SET bd_cloud_watermark = NULL, bd_local_watermark = NULL, "
                "bd_agreed_rows = (SELECT count(*) FROM berqenas.sync_row_state WHERE sync_table_id = $1::bigint) WHERE id = $1::bigint",
                {tid});
    spi.execute("DELETE FROM berqenas.sync_two_way_journal WHERE sync_job_id = $1::bigint AND sync_table_id = $2::bigint", {job_id, tid});
    spi.execute("DROP TABLE " + rb + ", " + old_rows);
    return done;
}

std::string rollback(long long job_id) {
    catalog::SyncSource source;
    std::string sync_id;
    std::vector<TwoWayTable> tables;
    {
        pg::SpiSession spi;
        auto job = spi.execute("SELECT remote_database_id, sync_id FROM berqenas.sync_jobs WHERE id = $1::bigint", {to_s(job_id)});
        if (job.rows.empty()) throw Error(sqlstate::undefined_object, "sync job " + to_s(job_id) + " does not exist");
        source = catalog::load_sync_source(spi, std::stoll(*job.rows[0][0]));
        sync_id = *job.rows[0][1];
        for (auto& r : spi.execute("SELECT t.id, t.remote_schema, t.remote_table, t.local_table_oid::text FROM berqenas.sync_tables t "
                                   "WHERE t.id IN (SELECT DISTINCT sync_table_id FROM berqenas.sync_two_way_journal "
                                   "WHERE sync_job_id = $1::bigint) ORDER BY t.id",
                                   {to_s(job_id)})
                           .rows) {
            TwoWayTable t;
            t.id = std::stoll(*r[0]);
            t.remote_schema = *r[1];
            t.remote_table = *r[2];
            if (!r[3])
                throw Error(sqlstate::object_not_in_prerequisite_state,
                            "cannot roll back sync \"" + sync_id + "\": table \"" + t.remote_table + "\" has no cloud copy any more");
            t.local_oid = *r[3];
            tables.push_back(t);
        }
    }
    SessionConnection conn = acquire_session_connection(source.config.remote_database_id, source.database.connection);
    std::string tables_json = "{";
    in_subtransaction([&] {
        pg::SpiSession spi;
        for (const auto& t : tables) spi.execute("SELECT berqenas._sync_owned_table($1::bigint)", {to_s(t.id)});
        conn->begin();
        TwoWayRun clocks;
        read_clocks(spi, *conn.get(), clocks);
        for (const auto& t : tables) {
            Restored r;
            try {
                r = restore_table(spi, *conn.get(), t, to_s(job_id), sync_id, clocks.remote_now);
            } catch (const Error& e) {
                throw Error(e.sqlstate(), std::string(e.what()).rfind("cannot roll back", 0) == 0
                                              ? e.what()
                                              : "table \"" + t.remote_table + "\": " + e.what(),
                            e.detail(), e.hint());
            }
            JsonObject o;
            o.add("cloud_restored", r.cloud).add("remote_restored", r.remote);
            tables_json += std::string(tables_json.size() > 1 ? "," : "") + json_quote(t.remote_table) + ":" + o.str();
        }
        conn->commit();
        spi.execute("UPDATE berqenas.sync_jobs SET status = 'rolled_back' WHERE id = $1::bigint", {to_s(job_id)});
        spi.execute("SELECT berqenas._audit('rollback', $1::bigint, $2, jsonb_build_object('sync_id', $3::text, 'rolled_back', "
                    "jsonb_build_array($3::text), 'mode', 'bidirectional'))",
                    {to_s(source.config.remote_database_id), source.config.name, sync_id});
    });
    conn.keep();
    tables_json += "}";
    JsonObject out;
    out.add("sync_id", sync_id).add_raw("rolled_back", "[" + json_quote(sync_id) + "]").add_raw("tables", tables_json);
    return out.str();
}

// berqenas._bd_rollback(job_id bigint) returns jsonb (rollback() calls it for a bidirectional run,
// after its own checks and locks)
Datum bd_rollback(FunctionCallInfo fcinfo) { return pg::jsonb_datum(rollback(pg::int64_arg(fcinfo, 0))); }

}  // namespace

}  // namespace berqenas::sync

BERQENAS_SQL_FUNCTION(berqenas_bd_rollback, berqenas::sync::bd_rollback)
