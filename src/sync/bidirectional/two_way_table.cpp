// sync_two_way_table: read the remote's changed rows into a temporary table, list every key that
// may have changed on either side, decide each one with the conflict policy, then write both sides
// set-based (cloud) and in batches of literal rows (remote). See two_way_table.hpp.
#include "sync/bidirectional/two_way_table.hpp"

#include <functional>
#include <map>

#include "convert/outbound.hpp"
#include "remote/identifier.hpp"
#include "sync/bulk_loader.hpp"
#include "sync/engine/remote_queries.hpp"
#include "sync/sync_settings.hpp"

extern "C" {
#include "utils/builtins.h"
}

namespace berqenas::sync {

namespace {

constexpr int decision_batch = 5000;   // plan rows decided per round trip
constexpr int push_batch = 500;        // rows per remote statement (T-SQL allows 1000 VALUES rows)

// Names and values in the cloud's own SQL (PostgreSQL's quoting, whatever the remote's kind).
std::string lid(const std::string& name) {
    const char* q = pg::pg_call([&] { return quote_identifier(name.c_str()); });
    return std::string(q);
}

std::string llit(const std::string& value) {
    char* q = pg::pg_call([&] { return quote_literal_cstr(value.c_str()); });
    std::string out(q);
    pg::pg_call([&] { pfree(q); });
    return out;
}

std::string to_s(long long v) { return std::to_string(v); }

// Everything one table's run needs to write its SQL.
struct Shape {
    std::string cloud;                              // the cloud copy, qualified and quoted
    std::vector<std::string> columns;               // remote column names (the cloud copy has the same)
    std::map<std::string, std::string> local_type;  // cloud copy column → format_type
    std::vector<std::string> key;                   // primary key columns
    std::vector<std::string> content;               // columns the content hash covers
    std::string updated_at, created_at, is_deleted; // their names on this table ("" created_at: none)
    std::string local_rows, gone, cand, plan;       // temporary tables of this run

    // jsonb_build_object('k', a."k", ...): a key as berqenas.sync_row_state holds it.
    std::string key_json(const std::string& a) const {
        std::string out = "jsonb_build_object(";
        for (size_t i = 0; i < key.size(); ++i) out += (i ? ", " : "") + llit(key[i]) + ", " + a + "." + lid(key[i]);
        return out + ")";
    }
    // a."k" = (j ->> 'k')::type AND ...: a row matched to a key held as jsonb (index-friendly).
    std::string key_match(const std::string& a, const std::string& json) const {
        std::string out;
        for (size_t i = 0; i < key.size(); ++i)
            out += (i ? " AND " : "") + a + "." + lid(key[i]) + " = (" + json + " ->> " + llit(key[i]) + ")::" +
                   local_type.at(key[i]);
        return out;
    }
    // The content hash of a row: every column but the bookkeeping ones (each side keeps its own
    // updated_at; created_at travels with inserts), as one 64-bit hash of the row's text.
    std::string content_hash(const std::string& a) const {
        std::string out = "pg_catalog.hashtextextended(ROW(";
        for (size_t i = 0; i < content.size(); ++i) out += (i ? ", " : "") + a + "." + lid(content[i]);
        return out + ")::text, 0)";
    }
    std::string first_key(const std::string& a) const { return a + "." + lid(key[0]); }
};

std::optional<long long> opt_ll(const pg::SqlValue& v) {
    if (!v) return std::nullopt;
    return std::stoll(*v);
}

// The remote's columns, and the bookkeeping columns found as the remote compares names.
Shape describe(pg::SpiSession& spi, remote::RemoteConnection& conn, const remote::RemoteTable& rt,
               const TwoWayTable& t) {
    Shape s;
    s.cloud = *spi.scalar("SELECT $1::oid::regclass::text", {t.local_oid});
    for (auto& row : spi.execute("SELECT attname, pg_catalog.format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute "
                                 "WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped",
                                 {t.local_oid})
                         .rows)
        s.local_type[*row[0]] = *row[1];
    for (const auto& c : rt.columns) {
        if (!s.local_type.count(c.name))
            throw Error(sqlstate::object_not_in_prerequisite_state,
                        "column \"" + c.name + "\" of remote table \"" + rt.name + "\" is missing from its cloud copy " + s.cloud,
                        "a two-way sync writes every column to both sides",
                        "add the column to the cloud copy with ALTER TABLE, then run the sync again");
        s.columns.push_back(c.name);
    }
    s.key = rt.primary_key;
    auto find = [&](const char* name) -> std::string {
        auto i = remote::find_identifier(conn.kind(), s.columns, name);
        return i ? s.columns[*i] : std::string();
    };
    s.updated_at = find("updated_at");
    s.created_at = find("created_at");
    s.is_deleted = find("is_deleted");
    if (s.updated_at.empty() || s.is_deleted.empty())
        throw Error(sqlstate::object_not_in_prerequisite_state,
                    "remote table \"" + rt.name + "\" is not prepared for two-way sync",
                    "it needs the columns updated_at and is_deleted and the trigger that keeps updated_at current",
                    "SELECT berqenas.prepare_table('<name>', '" + rt.name + "')");
    const std::string& ts_type = s.local_type[s.updated_at];
    if (ts_type.rfind("timestamp", 0) != 0 || ts_type.find("with time zone") != std::string::npos)
        throw Error(sqlstate::object_not_in_prerequisite_state,
                    "column \"" + s.updated_at + "\" of table \"" + rt.name + "\" is " + ts_type +
                        "; two-way sync follows a timestamp without time zone (datetime2)");
    for (const auto& c : s.columns)
        if (c != s.updated_at && c != s.created_at) s.content.push_back(c);
    const std::string suffix = to_s(t.id);
    s.local_rows = "pg_temp.berqenas_bd_remote_" + suffix;
    s.gone = "pg_temp.berqenas_bd_gone_" + suffix;
    s.plan = "pg_temp.berqenas_bd_plan_" + suffix;
    s.cand = "pg_temp.berqenas_bd_cand_" + suffix;
    return s;
}

// Streams a remote SELECT into a temporary table shaped like the cloud copy's columns.
long long load(pg::SpiSession& spi, remote::RemoteConnection& conn, const Shape& s, const std::string& into,
               const std::vector<std::string>& columns, const RemoteSelect& select) {
    std::string list;
    for (size_t i = 0; i < columns.size(); ++i) list += (i ? ", " : "") + lid(columns[i]);
    spi.execute("CREATE TEMP TABLE " + into + " AS SELECT " + list + " FROM " + s.cloud + " LIMIT 0");
    LoaderTarget lt;
    lt.relid = Oid(std::stoul(*spi.scalar("SELECT $1::regclass::oid", {into})));
    lt.columns = columns;
    lt.utf16 = select.utf16;
    auto stream = conn.open_stream(select.sql, SyncSettings::batch_rows, select.params);
    BulkLoader loader(lt, stream->columns());
    std::vector<remote::RemoteValue> row;
    long long n = 0;
    while (stream->next(row)) {
        loader.add(row);
        if (++n % 1000 == 0) pg::check_for_interrupts();
    }
    stream->close();
    loader.finish();
    pg::pg_call([] { CommandCounterIncrement(); });
    return loader.rows();
}

// Rows of a query as Datums, one batch at a time (the cloud rows a run writes to the remote).
void for_each_tuple(const std::string& sql, const std::function<void(HeapTuple, TupleDesc)>& fn) {
    pg::pg_call([&] {
        if (SPI_execute(sql.c_str(), false, 0) != SPI_OK_SELECT) elog(ERROR, "berqenas: two-way read failed");
    });
    SPITupleTable* table = SPI_tuptable;
    const uint64 n = SPI_processed;
    try {
        for (uint64 i = 0; i < n; ++i) fn(table->vals[i], table->tupdesc);
    } catch (...) {
        pg::pg_call([&] { SPI_freetuptable(table); });
        throw;
    }
    pg::pg_call([&] { SPI_freetuptable(table); });
}

// One column of a tuple as text (SPI_getvalue: the type's output function).
std::string tuple_text(HeapTuple tuple, TupleDesc desc, int attno) {
    char* v = pg::pg_call([&] { return SPI_getvalue(tuple, desc, attno); });
    if (v == nullptr) return {};
    std::string out(v);
    pg::pg_call([&] { pfree(v); });
    return out;
}

// A value of the cloud for a remote column: the kind's literal, cast to the remote's own type so
// that VALUES lists type as the table does (PostgreSQL reads bare literals as text there).
std::string remote_value(const convert::LiteralWriter& literal, const remote::Dialect& d, const remote::RemoteColumn& c,
                         HeapTuple tuple, TupleDesc desc, int attno) {
    bool isnull = false;
    Datum value = pg::pg_call([&] { return SPI_getbinval(tuple, desc, attno, &isnull); });
    Oid type = pg::pg_call([&] { return SPI_gettypeid(desc, attno); });
    return "CAST(" + literal(value, isnull, type) + " AS " + d.column_type_ddl(c) + ")";
}

const remote::RemoteColumn& remote_column(const remote::RemoteTable& rt, const std::string& name) {
    for (const auto& c : rt.columns)
        if (c.name == name) return c;
    throw Error(sqlstate::internal_error, "remote column \"" + name + "\" vanished");
}

// A batch of remote statements under a savepoint. When one fails, its rows are tried one by one
// (each under a savepoint of its own) so that the error names the row the remote refused; the
// remote transaction is left as it was before the batch either way.
class RemoteBatch {
public:
    RemoteBatch(remote::RemoteConnection& conn, std::string table) : conn_(conn), d_(conn.dialect()), table_(std::move(table)) {}

    // statements(rows) gives the statements writing those rows and how many rows they must affect.
    void run(const std::vector<std::vector<std::string>>& rows, const std::vector<std::string>& keys,
             const std::function<std::vector<std::string>(const std::vector<std::vector<std::string>>&)>& statements) {
        conn_.execute(d_.savepoint_sql("berqenas_bd"));
        try {
            long long written = 0;
            for (const auto& sql : statements(rows)) written += conn_.execute(sql);
            expect(written, rows.size(), {});
        } catch (const Error& e) {
            if (e.sqlstate() == sqlstate::query_canceled || !conn_.is_usable()) throw;
            conn_.execute(d_.rollback_to_savepoint_sql("berqenas_bd"));
            for (size_t i = 0; i < rows.size(); ++i) {
                try {
                    long long written = 0;
                    for (const auto& sql : statements({rows[i]})) written += conn_.execute(sql);
                    expect(written, 1, keys[i]);
                } catch (const Error& one) {
                    if (one.sqlstate() == sqlstate::query_canceled) throw;
                    throw Error(one.sqlstate(), "key " + keys[i] + ": " + one.what(), one.detail(),
                                one.hint().empty() ? "nothing of this run was kept on either side" : one.hint());
                }
            }
            throw;   // every row passed alone: the batch's own error stands
        }
        const std::string release = d_.release_savepoint_sql("berqenas_bd");
        if (!release.empty()) conn_.execute(release);
    }

private:
    // A short count: a remote row changed after the run read the remote's clock (the guard did not
    // match), or a row to insert appeared meanwhile. 40001: nothing is kept, the next run decides again.
    void expect(long long written, size_t expected, const std::string& key) {
        if (written == (long long)expected) return;
        throw Error(sqlstate::serialization_failure,
                    "rows of remote table \"" + table_ + "\" changed while the two-way sync wrote them",
                    (key.empty() ? "" : "key " + key + ": ") + std::to_string(expected) + " rows to write, " +
                        std::to_string(written) + " written",
                    "nothing of this run was kept; the next run takes the new changes into account");
    }
    remote::RemoteConnection& conn_;
    const remote::Dialect& d_;
    std::string table_;
};

// The cloud's winning versions to the remote: upserts (every column but updated_at, which the
// remote's own default and trigger set) and deletes, each refused when the remote row changed
// after the run read the remote's clock.
void write_remote(remote::RemoteConnection& conn, const remote::RemoteTable& rt, const Shape& s, const TwoWayRun& run) {
    const remote::Dialect& d = conn.dialect();
    convert::TransmissionModes modes;
    const convert::LiteralWriter literal(d.quoting());
    std::vector<std::string> push;
    for (const auto& c : s.columns)
        if (c != s.updated_at) push.push_back(c);
    const std::string table = d.qualified_name(rt.schema, rt.name);
    const std::string guard = d.quote_identifier(rt.name) + "." + d.quote_identifier(s.updated_at) + " <= CAST(" +
                              d.quote_literal(run.remote_now) + " AS " +
                              d.column_type_ddl(remote_column(rt, s.updated_at)) + ")";
    RemoteBatch batch(conn, rt.name);
    std::string cols;
    for (size_t i = 0; i < push.size(); ++i) cols += (i ? ", " : "") + std::string("c.") + lid(push[i]);
    long long last = 0;
    for (;;) {
        std::vector<std::vector<std::string>> rows;
        std::vector<std::string> keys;
        for_each_tuple("SELECT p.n, p.k::text, " + cols + " FROM " + s.plan + " p JOIN " + s.cloud + " c ON " +
                           s.key_match("c", "p.k") + " WHERE p.action = 'to_local' AND p.cloud_present AND p.n > " + to_s(last) +
                           " ORDER BY p.n LIMIT " + std::to_string(push_batch),
                       [&](HeapTuple tuple, TupleDesc desc) {
                           last = std::stoll(tuple_text(tuple, desc, 1));
                           keys.push_back(tuple_text(tuple, desc, 2));
                           std::vector<std::string> row;
                           for (size_t i = 0; i < push.size(); ++i)
                               row.push_back(remote_value(literal, d, remote_column(rt, push[i]), tuple, desc, int(i) + 3));
                           rows.push_back(std::move(row));
                       });
        if (rows.empty()) break;
        batch.run(rows, keys, [&](const std::vector<std::vector<std::string>>& some) {
            auto up = d.build_upsert(rt.schema, rt.name, push, s.key, some);
            std::vector<std::string> out;
            if (!up.update.empty()) out.push_back(up.update + " AND " + guard);
            out.push_back(up.insert);
            return out;
        });
        pg::check_for_interrupts();
    }
    std::string key_values;
    for (size_t i = 0; i < s.key.size(); ++i)
        key_values += (i ? ", " : "") + std::string("(p.k ->> ") + llit(s.key[i]) + ")::" + s.local_type.at(s.key[i]);
    last = 0;
    for (;;) {
        std::vector<std::vector<std::string>> matches;
        std::vector<std::string> keys;
        for_each_tuple("SELECT p.n, p.k::text, " + key_values + " FROM " + s.plan +
                           " p WHERE p.action = 'to_local' AND NOT p.cloud_present AND p.n > " + to_s(last) +
                           " ORDER BY p.n LIMIT " + std::to_string(push_batch),
                       [&](HeapTuple tuple, TupleDesc desc) {
                           last = std::stoll(tuple_text(tuple, desc, 1));
                           keys.push_back(tuple_text(tuple, desc, 2));
                           std::string m;
                           for (size_t i = 0; i < s.key.size(); ++i)
                               m += (i ? " AND " : "") + d.quote_identifier(s.key[i]) + " = " +
                                    remote_value(literal, d, remote_column(rt, s.key[i]), tuple, desc, int(i) + 3);
                           matches.push_back({"(" + m + ")"});
                       });
        if (matches.empty()) break;
        batch.run(matches, keys, [&](const std::vector<std::vector<std::string>>& some) {
            std::string where;
            for (size_t i = 0; i < some.size(); ++i) where += (i ? " OR " : "") + some[i][0];
            return std::vector<std::string>{"DELETE FROM " + table + " WHERE (" + where + ") AND " + guard};
        });
        pg::check_for_interrupts();
    }
}

// The remote's winning versions to the cloud copy, set-based: an upsert by primary key (every
// column but updated_at, which the cloud copy's trigger sets) and a delete.
void write_cloud(pg::SpiSession& spi, const Shape& s) {
    std::string cols, set, key_cols;
    for (const auto& c : s.columns) {
        if (c == s.updated_at) continue;
        cols += (cols.empty() ? "" : ", ") + lid(c);
        bool is_key = false;
        for (const auto& k : s.key) is_key = is_key || k == c;
        if (!is_key) set += (set.empty() ? "" : ", ") + lid(c) + " = EXCLUDED." + lid(c);
    }
    for (const auto& k : s.key) key_cols += (key_cols.empty() ? "" : ", ") + lid(k);
    std::string lcols;
    for (const auto& c : s.columns)
        if (c != s.updated_at) lcols += (lcols.empty() ? "" : ", ") + std::string("l.") + lid(c);
    spi.execute("INSERT INTO " + s.cloud + " (" + cols + ") SELECT " + lcols + " FROM " + s.plan + " p JOIN " + s.local_rows +
                " l ON " + s.key_match("l", "p.k") + " WHERE p.action = 'to_cloud' AND NOT p.local_gone ON CONFLICT (" +
                key_cols + ") DO " + (set.empty() ? "NOTHING" : "UPDATE SET " + set));
    spi.execute("DELETE FROM " + s.cloud + " c USING " + s.plan + " p WHERE " + s.key_match("c", "p.k") +
                " AND p.action = 'to_cloud' AND p.local_gone");
}

const char* action_name(Resolution r) {
    switch (r) {
        case Resolution::no_change: return "none";
        case Resolution::equal_content: return "converged";
        case Resolution::apply_remote: return "to_cloud";
        case Resolution::apply_cloud: return "to_local";
        case Resolution::hold: return "hold";
    }
    return "none";
}

}  // namespace

void read_clocks(pg::SpiSession& spi, remote::RemoteConnection& conn, TwoWayRun& run) {
    const char* cloud_clock = "SELECT (pg_catalog.clock_timestamp() AT TIME ZONE pg_catalog.current_setting('TimeZone'))::text";
    const std::string before = *spi.scalar(cloud_clock);
    auto r = conn.query_text(conn.dialect().clock_sql());
    const std::string after = *spi.scalar(cloud_clock);
    if (r.rows.empty() || !r.rows[0][0]) throw Error(sqlstate::internal_error, "the remote did not tell its clock");
    run.remote_now = *r.rows[0][0];
    auto o = spi.execute("SELECT $2::timestamp + ($3::timestamp - $2::timestamp) / 2, "
                         "(extract(epoch FROM $1::timestamp - ($2::timestamp + ($3::timestamp - $2::timestamp) / 2)) * 1000000)::bigint, "
                         "$1::timestamp::text",
                         {run.remote_now, before, after});
    run.cloud_now = *o.rows[0][0];
    run.clock_offset_us = std::stoll(*o.rows[0][1]);
    run.remote_now = *o.rows[0][2];   // as PostgreSQL writes it, for literals either kind reads
}

TwoWayCounts sync_two_way_table(pg::SpiSession& spi, remote::RemoteConnection& conn, const TwoWayTable& t,
                                const TwoWayRun& run) {
    TwoWayCounts counts;
    remote::RemoteTable rt = conn.describe_table(t.remote_schema, t.remote_table);
    if (rt.primary_key.empty())
        throw Error(sqlstate::invalid_parameter, "remote table \"" + rt.name + "\" has no primary key",
                    "two-way sync matches the rows of both sides by their primary key", "add a primary key to the remote table");
    const Shape s = describe(spi, conn, rt, t);
    const std::string tid = to_s(t.id);
    // A first run (or a full one) reads both sides whole.
    const bool first = !t.local_watermark || !t.cloud_watermark || run.full;

    // 1. The remote's rows changed since the last run (its own clock, the overlap window re-read),
    //    or all of them on a first run.
    const bool utf16 = conn.casts_nvarchar_to_utf16();
    RemoteSelect select;
    if (first) {
        select = select_all(conn.kind(), rt, s.columns, utf16);
    } else {
        const std::string since = *spi.scalar(
            "SELECT to_char($1::timestamp - make_interval(secs => $2::int), 'YYYY-MM-DD HH24:MI:SS.US')",
            {*t.local_watermark, std::to_string(SyncSettings::overlap_s)});
        select = select_since(conn.kind(), rt, s.columns, s.updated_at, WatermarkKind::timestamp, since, utf16);
    }
    counts.rows_read = load(spi, conn, s, s.local_rows, s.columns, select);
    // Temporary tables have no statistics until analyzed; without them every join below is planned
    // for the wrong size (a hash of the whole cloud copy instead of a probe per key).
    spi.execute("ANALYZE " + s.local_rows);

    // 2. Hard deletes on the remote: keys both sides agreed on that the remote no longer has. The
    //    remote's row count says whether any can be missing; only then are its keys read.
    spi.execute("CREATE TEMP TABLE " + s.gone + " (k jsonb)");
    if (first) {
        // Every remote row was read: an agreed key the remote did not give is gone.
        spi.execute("INSERT INTO " + s.gone + " SELECT st.key FROM berqenas.sync_row_state st WHERE st.sync_table_id = " +
                    tid + " AND NOT EXISTS (SELECT 1 FROM " + s.local_rows + " l WHERE " + s.key_match("l", "st.key") + ")");
    } else {
        const long long agreed = t.agreed_rows;
        const long long added = std::stoll(*spi.scalar(
            "SELECT count(*) FROM " + s.local_rows + " l WHERE NOT EXISTS (SELECT 1 FROM berqenas.sync_row_state st "
            "WHERE st.sync_table_id = $1::bigint AND st.key = " + s.key_json("l") + ")",
            {tid}));
        if (agreed > 0) {
            auto c = conn.query_text(conn.dialect().row_count_sql(rt.schema, rt.name));
            const long long remote_rows = c.rows.empty() || !c.rows[0][0] ? -1 : std::stoll(*c.rows[0][0]);
            if (remote_rows != agreed + added) {
                counts.key_scan = true;
                const std::string keys = s.gone + "_keys";
                load(spi, conn, s, keys, s.key, select_all(conn.kind(), rt, s.key, false));
                spi.execute("INSERT INTO " + s.gone + " SELECT st.key FROM berqenas.sync_row_state st WHERE st.sync_table_id = " +
                            tid + " AND NOT EXISTS (SELECT 1 FROM " + keys + " rk WHERE " + s.key_match("rk", "st.key") + ")");
                spi.execute("DROP TABLE " + keys);
            }
        }
    }

    // 3. Every key that may have changed on either side, with both versions' hashes and times and
    //    the agreed content. The cloud's rows are locked first: no cloud writer slips in between.
    const std::string cloud_since =
        first ? "NULL::timestamp"
              : "(" + llit(*t.cloud_watermark) + "::timestamp - make_interval(secs => " + std::to_string(SyncSettings::overlap_s) + "))";
    const std::string remote_gone_at = "(extract(epoch FROM " + llit(run.remote_now) + "::timestamp) * 1000000)::bigint - " +
                                       to_s(run.clock_offset_us);
    spi.execute("CREATE TEMP TABLE " + s.cand + " AS "
                "SELECT " + s.key_json("l") + " AS k FROM " + s.local_rows + " l"
                " UNION SELECT " + s.key_json("c") + " FROM " + s.cloud + " c WHERE " + cloud_since + " IS NULL OR c." +
                lid(s.updated_at) + " > " + cloud_since +
                " UNION SELECT key FROM berqenas.sync_tombstones WHERE sync_table_id = " + tid +
                " UNION SELECT k FROM " + s.gone +
                " UNION SELECT primary_key FROM berqenas.sync_conflicts WHERE sync_table_id = " + tid + " AND status = 'open'");
    spi.execute("ANALYZE " + s.cand);
    spi.execute(
        "CREATE TEMP TABLE " + s.plan + " AS"
        " SELECT row_number() OVER () AS n, cand.k,"
        " " + s.first_key("c") + " IS NOT NULL AS cloud_present,"
        " CASE WHEN " + s.first_key("c") + " IS NOT NULL THEN " + s.content_hash("c") + " END AS cloud_hash,"
        " CASE WHEN " + s.first_key("c") + " IS NOT NULL THEN (extract(epoch FROM c." + lid(s.updated_at) + ") * 1000000)::bigint"
        "      ELSE (extract(epoch FROM tb.deleted_at AT TIME ZONE pg_catalog.current_setting('TimeZone')) * 1000000)::bigint END AS cloud_at,"
        " " + s.first_key("l") + " IS NOT NULL AS local_read, g.k IS NOT NULL AS local_gone,"
        " CASE WHEN " + s.first_key("l") + " IS NOT NULL THEN " + s.content_hash("l") + " END AS local_hash,"
        " CASE WHEN g.k IS NOT NULL THEN " + remote_gone_at +
        "      ELSE (extract(epoch FROM l." + lid(s.updated_at) + ") * 1000000)::bigint - " + to_s(run.clock_offset_us) + " END AS local_at,"
        " st.content_hash AS base_hash, cf.id AS open_conflict, cf.chosen_winner AS chosen,"
        " NULL::text AS action, NULL::text AS winner, false AS conflict"
        " FROM " + s.cand + " cand"
        " LEFT JOIN " + s.cloud + " c ON " + s.key_match("c", "cand.k") +
        " LEFT JOIN " + s.local_rows + " l ON " + s.key_match("l", "cand.k") +
        " LEFT JOIN " + s.gone + " g ON g.k = cand.k"
        " LEFT JOIN berqenas.sync_row_state st ON st.sync_table_id = " + tid + " AND st.key = cand.k"
        " LEFT JOIN berqenas.sync_tombstones tb ON tb.sync_table_id = " + tid + " AND tb.key = cand.k"
        " LEFT JOIN berqenas.sync_conflicts cf ON cf.sync_table_id = " + tid + " AND cf.status = 'open' AND cf.primary_key = cand.k");
    spi.execute("CREATE UNIQUE INDEX ON " + s.plan + " (n)");
    spi.execute("ANALYZE " + s.plan);
    if (!run.dry_run)
        spi.execute("SELECT 1 FROM " + s.cloud + " c WHERE EXISTS (SELECT 1 FROM " + s.plan + " p WHERE " +
                    s.key_match("c", "p.k") + ") FOR UPDATE OF c");

    // 4. Each key decided by the conflict policy, a batch at a time.
    long long last = 0;
    for (;;) {
        auto batch = spi.execute("SELECT n, cloud_present, cloud_hash, cloud_at, local_read, local_gone, local_hash, local_at, "
                                 "base_hash, open_conflict IS NOT NULL, chosen FROM " + s.plan +
                                 " WHERE n > $1::bigint ORDER BY n LIMIT " + std::to_string(decision_batch),
                                 {to_s(last)});
        if (batch.rows.empty()) break;
        std::vector<std::string> ns, actions, winners, conflicts;
        for (const auto& row : batch.rows) {
            last = std::stoll(*row[0]);
            const std::optional<long long> base = opt_ll(row[8]);
            RowFacts f;
            f.synced_hash = base ? uint64_t(*base) : 0;
            // The cloud: its row as it is now.
            f.cloud.deleted = *row[1] != "t";
            if (!f.cloud.deleted) f.cloud.content_hash = uint64_t(std::stoll(*row[2]));
            f.cloud.changed = f.cloud.deleted ? base.has_value() : !base || uint64_t(*base) != f.cloud.content_hash;
            f.cloud.updated_at = opt_ll(row[3]);
            // The remote: read (changed), gone (hard delete), or not read (unchanged since the last run).
            const bool read = *row[4] == "t", gone = *row[5] == "t";
            if (gone || read) {
                f.remote.deleted = gone;
                if (!gone) f.remote.content_hash = uint64_t(std::stoll(*row[6]));
                f.remote.changed = gone ? base.has_value() : !base || uint64_t(*base) != f.remote.content_hash;
                f.remote.updated_at = opt_ll(row[7]);
            } else {
                f.remote.deleted = !base;
                f.remote.content_hash = f.synced_hash;
            }
            Resolution r = resolve_row(run.strategy, f);
            const bool conflict = is_conflict(f);
            // An open conflict keeps both sides as they are until resolve_conflict chose a side.
            if (*row[9] == "t" && r != Resolution::equal_content && r != Resolution::no_change)
                r = row[10] == pg::SqlValue("cloud")   ? Resolution::apply_cloud
                    : row[10] == pg::SqlValue("local") ? Resolution::apply_remote
                                                       : Resolution::hold;
            ns.push_back(*row[0]);
            actions.push_back(action_name(r));
            winners.push_back(!conflict || r == Resolution::hold ? "" : r == Resolution::apply_cloud ? "cloud" : "local");
            conflicts.push_back(conflict ? "t" : "f");
        }
        spi.execute("UPDATE " + s.plan + " p SET action = d.a, winner = nullif(d.w, ''), conflict = d.c "
                    "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::boolean[]) AS d (n, a, w, c) WHERE p.n = d.n",
                    {pg::text_array_literal(ns), pg::text_array_literal(actions), pg::text_array_literal(winners),
                     pg::text_array_literal(conflicts)});
        pg::check_for_interrupts();
    }
    auto tally = spi.execute("SELECT count(*) FILTER (WHERE action = 'to_local'), count(*) FILTER (WHERE action = 'to_cloud'), "
                             "count(*) FILTER (WHERE conflict AND open_conflict IS NULL), count(*) FILTER (WHERE conflict AND action <> 'hold'), "
                             "count(*) FILTER (WHERE action = 'hold') FROM " + s.plan);
    counts.cloud_to_local = std::stoll(*tally.rows[0][0]);
    counts.local_to_cloud = std::stoll(*tally.rows[0][1]);
    counts.conflicts_detected = std::stoll(*tally.rows[0][2]);
    counts.conflicts_resolved = std::stoll(*tally.rows[0][3]);
    counts.conflicts_open = std::stoll(*tally.rows[0][4]);

    if (!run.dry_run) {
        // 5. Conflicts, with both versions as they were found.
        const std::string strategy = conflict_strategy_name(run.strategy);
        spi.execute("INSERT INTO berqenas.sync_conflicts (remote_database_id, sync_job_id, sync_table_id, table_name, primary_key, "
                    "cloud_row, local_row, cloud_hash, local_hash, strategy, resolution, winner, status, resolved_at) "
                    "SELECT $1::bigint, $2::bigint, $3::bigint, $4, p.k, CASE WHEN p.cloud_present THEN to_jsonb(c) END, "
                    "CASE WHEN NOT p.local_gone THEN to_jsonb(l) END, p.cloud_hash::text, p.local_hash::text, $5, "
                    "CASE WHEN p.action = 'hold' THEN NULL ELSE $5 END, p.winner, "
                    "CASE WHEN p.action = 'hold' THEN 'open' ELSE 'resolved' END, CASE WHEN p.action = 'hold' THEN NULL ELSE now() END "
                    "FROM " + s.plan + " p LEFT JOIN " + s.cloud + " c ON " + s.key_match("c", "p.k") + " LEFT JOIN " + s.local_rows +
                    " l ON " + s.key_match("l", "p.k") + " WHERE p.conflict AND p.open_conflict IS NULL",
                    {to_s(run.remote_database_id), to_s(run.job_id), tid, rt.name, strategy});
        // Open conflicts resolved by a choice (resolve_conflict) or because both sides became equal.
        spi.execute("UPDATE berqenas.sync_conflicts cf SET status = 'resolved', resolved_at = now(), winner = cf.chosen_winner, "
                    "resolution = CASE WHEN cf.chosen_winner IS NULL THEN 'converged' ELSE 'manual' END "
                    "FROM " + s.plan + " p WHERE cf.id = p.open_conflict AND p.action <> 'hold'");

        // 6. Both sides written: the remote in its open transaction, the cloud in ours.
        write_remote(conn, rt, s, run);
        write_cloud(spi, s);

        // 7. The agreed content moves on for every key decided; held keys keep theirs.
        const std::string agreed = "CASE p.action WHEN 'to_cloud' THEN p.local_hash ELSE p.cloud_hash END";
        const long long removed = spi.execute(
            "DELETE FROM berqenas.sync_row_state st USING " + s.plan + " p WHERE st.sync_table_id = " + tid +
            " AND st.key = p.k AND p.action IN ('to_cloud', 'to_local', 'converged') AND " + agreed + " IS NULL").processed;
        // xmax = 0: the row was inserted, not updated (a key agreed on for the first time).
        const long long added_keys = std::stoll(*spi.scalar(
            "WITH w AS (INSERT INTO berqenas.sync_row_state AS st (sync_table_id, key, content_hash, synced_job_id) "
            "SELECT " + tid + ", p.k, " + agreed + ", " + to_s(run.job_id) + " FROM " + s.plan + " p "
            "WHERE p.action IN ('to_cloud', 'to_local', 'converged') AND " + agreed + " IS NOT NULL "
            "ON CONFLICT (sync_table_id, key) DO UPDATE SET content_hash = EXCLUDED.content_hash, "
            "synced_job_id = EXCLUDED.synced_job_id RETURNING (st.xmax = 0) AS inserted) "
            "SELECT count(*) FILTER (WHERE inserted) FROM w"));
        spi.execute("DELETE FROM berqenas.sync_tombstones tb USING " + s.plan + " p WHERE tb.sync_table_id = " + tid +
                    " AND tb.key = p.k AND p.action <> 'hold'");
        spi.execute("UPDATE berqenas.sync_tables SET bd_cloud_watermark = $2::timestamp, bd_local_watermark = $3::timestamp, "
                    "bd_agreed_rows = $5::bigint, last_sync_job_id = $4::bigint, last_synced_at = now() WHERE id = $1::bigint",
                    {tid, run.cloud_now, run.remote_now, to_s(run.job_id), to_s(t.agreed_rows + added_keys - removed)});
    }
    spi.execute("DROP TABLE " + s.plan + ", " + s.cand + ", " + s.gone + ", " + s.local_rows);
    return counts;
}

}  // namespace berqenas::sync
