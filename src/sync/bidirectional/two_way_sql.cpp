// The shared SQL pieces of a two-way run (see two_way_sql.hpp).
#include "sync/bidirectional/two_way_sql.hpp"

#include "convert/outbound.hpp"
#include "remote/identifier.hpp"
#include "sync/bulk_loader.hpp"
#include "sync/sync_settings.hpp"

extern "C" {
#include "utils/builtins.h"
}

namespace berqenas::sync::two_way {

namespace {

constexpr int push_batch = 500;        // rows per remote statement (T-SQL allows 1000 VALUES rows)

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

// The rows of these keys: "k IN (v, ...)" for a one-column key (one index scan on either kind),
// "(k1 = v AND k2 = w) OR ..." otherwise. keys: one literal per key column, per row.
std::string keys_condition(const remote::Dialect& d, const std::vector<std::string>& key_columns,
                           const std::vector<std::vector<std::string>>& keys) {
    std::string out;
    if (key_columns.size() == 1) {
        for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k[0];
        return d.quote_identifier(key_columns[0]) + " IN (" + out + ")";
    }
    for (const auto& k : keys) {
        std::string m;
        for (size_t i = 0; i < key_columns.size(); ++i) m += (i ? " AND " : "") + d.quote_identifier(key_columns[i]) + " = " + k[i];
        out += (out.empty() ? "(" : " OR (") + m + ")";
    }
    return out;
}

}  // namespace

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

std::optional<long long> opt_ll(const pg::SqlValue& v) {
    if (!v) return std::nullopt;
    return std::stoll(*v);
}

std::string Shape::key_json(const std::string& a) const {
    std::string out = "jsonb_build_object(";
    for (size_t i = 0; i < key.size(); ++i) out += (i ? ", " : "") + llit(key[i]) + ", " + a + "." + lid(key[i]);
    return out + ")";
}

std::string Shape::key_match(const std::string& a, const std::string& json) const {
    std::string out;
    for (size_t i = 0; i < key.size(); ++i)
        out += (i ? " AND " : "") + a + "." + lid(key[i]) + " = (" + json + " ->> " + llit(key[i]) + ")::" + local_type.at(key[i]);
    return out;
}

std::string Shape::content_hash(const std::string& a) const {
    std::string out = "pg_catalog.hashtextextended(ROW(";
    for (size_t i = 0; i < content.size(); ++i) out += (i ? ", " : "") + a + "." + lid(content[i]);
    return out + ")::text, 0)";
}

std::string Shape::first_key(const std::string& a) const { return a + "." + lid(key[0]); }

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

void fetch_rows(pg::SpiSession& spi, remote::RemoteConnection& conn, const remote::RemoteTable& rt, const Shape& s,
                const std::string& into, const std::string& keys_from) {
    const remote::Dialect& d = conn.dialect();
    convert::TransmissionModes modes;
    const convert::LiteralWriter literal(d.quoting());
    std::string key_values;
    for (size_t i = 0; i < s.key.size(); ++i)
        key_values += (i ? ", " : "") + std::string("(p.k ->> ") + llit(s.key[i]) + ")::" + s.local_type.at(s.key[i]);
    const RemoteSelect all = select_all(conn.kind(), rt, s.columns, conn.casts_nvarchar_to_utf16());
    LoaderTarget lt;
    lt.relid = Oid(std::stoul(*spi.scalar("SELECT $1::regclass::oid", {into})));
    lt.columns = s.columns;
    lt.utf16 = all.utf16;
    long long last = 0;
    for (;;) {
        std::vector<std::vector<std::string>> keys;
        for_each_tuple("SELECT p.n, " + key_values + " " + keys_from + " AND p.n > " + to_s(last) + " ORDER BY p.n LIMIT " +
                           std::to_string(push_batch),
                       [&](HeapTuple tuple, TupleDesc desc) {
                           last = std::stoll(tuple_text(tuple, desc, 1));
                           std::vector<std::string> k;
                           for (size_t i = 0; i < s.key.size(); ++i)
                               k.push_back(remote_value(literal, d, remote_column(rt, s.key[i]), tuple, desc, int(i) + 2));
                           keys.push_back(std::move(k));
                       });
        if (keys.empty()) break;
        auto stream = conn.open_stream(all.sql + " WHERE " + keys_condition(d, s.key, keys), SyncSettings::batch_rows, all.params);
        BulkLoader loader(lt, stream->columns());
        std::vector<remote::RemoteValue> row;
        while (stream->next(row)) loader.add(row);
        stream->close();
        loader.finish();
        pg::check_for_interrupts();
    }
    pg::pg_call([] { CommandCounterIncrement(); });
}

// The cloud's winning versions to the remote: upserts (every column but updated_at, which the
// remote's own default and trigger set) and deletes, each refused when the remote row changed
// after the run read the remote's clock.
// rows_from: "FROM <p> JOIN <c> ... WHERE ..." giving the rows to write (p.n, p.k, c.<columns>);
// keys_from: "FROM <p> WHERE ..." giving the keys to delete (p.n, p.k). remote_now: the guard's bound.
void write_remote(remote::RemoteConnection& conn, const remote::RemoteTable& rt, const Shape& s,
                  const std::string& remote_now, const std::string& rows_from, const std::string& keys_from) {
    const remote::Dialect& d = conn.dialect();
    convert::TransmissionModes modes;
    const convert::LiteralWriter literal(d.quoting());
    std::vector<std::string> push;
    for (const auto& c : s.columns)
        if (c != s.updated_at) push.push_back(c);
    const std::string table = d.qualified_name(rt.schema, rt.name);
    const std::string guard = d.quote_identifier(rt.name) + "." + d.quote_identifier(s.updated_at) + " <= CAST(" +
                              d.quote_literal(remote_now) + " AS " +
                              d.column_type_ddl(remote_column(rt, s.updated_at)) + ")";
    RemoteBatch batch(conn, rt.name);
    std::string cols;
    for (size_t i = 0; i < push.size(); ++i) cols += (i ? ", " : "") + std::string("c.") + lid(push[i]);
    long long last = 0;
    for (;;) {
        std::vector<std::vector<std::string>> rows;
        std::vector<std::string> keys;
        for_each_tuple("SELECT p.n, p.k::text, " + cols + " " + rows_from + " AND p.n > " + to_s(last) +
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
        for_each_tuple("SELECT p.n, p.k::text, " + key_values + " " + keys_from + " AND p.n > " + to_s(last) +
                           " ORDER BY p.n LIMIT " + std::to_string(push_batch),
                       [&](HeapTuple tuple, TupleDesc desc) {
                           last = std::stoll(tuple_text(tuple, desc, 1));
                           keys.push_back(tuple_text(tuple, desc, 2));
                           std::vector<std::string> k;
                           for (size_t i = 0; i < s.key.size(); ++i)
                               k.push_back(remote_value(literal, d, remote_column(rt, s.key[i]), tuple, desc, int(i) + 3));
                           matches.push_back(std::move(k));
                       });
        if (matches.empty()) break;
        batch.run(matches, keys, [&](const std::vector<std::vector<std::string>>& some) {
            return std::vector<std::string>{"DELETE FROM " + table + " WHERE (" + keys_condition(d, s.key, some) + ") AND " + guard};
        });
        pg::check_for_interrupts();
    }
}

}  // namespace berqenas::sync::two_way
