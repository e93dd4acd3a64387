// berqenas.verify(): row counts and a content checksum per table, remote against local, and the
// keys that differ (bounded). Both sides are rendered the same way: remote values are converted to
// the local column types and printed by the local output functions, exactly like local values.
// Memory stays bounded: a first pass keeps 256 bucket sums per side; only the rows of differing
// buckets are kept in a second pass, to name their keys.
#include <array>
#include <map>
#include <set>
#include <unordered_map>

#include "catalog/sync_catalog.hpp"
#include "common/json_writer.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "pg/values.hpp"
#include "remote/identifier.hpp"
#include "remote/remote_connection.hpp"
#include "sync/engine/configured_tables.hpp"
#include "sync/engine/remote_queries.hpp"
#include "sync/engine/schema_plan.hpp"
#include "sync/sync_runner.hpp"
#include "sync/sync_settings.hpp"
#include "sync/value_conversion.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
}

namespace berqenas::sync {

namespace {

constexpr int bucket_count = 256;
constexpr size_t max_kept_rows = 200000;

struct Buckets {
    std::array<uint64_t, bucket_count> sum{};
    std::array<long long, bucket_count> count{};
    long long rows = 0;
    uint64_t checksum = 0;
};

struct RowDigest {
    std::string key;   // key columns' text, \x1f-separated
    uint64_t key_hash = 0;
    uint64_t row_hash = 0;
};

uint64_t hash_text(const std::string& s) {
    return hash_bytes_extended(reinterpret_cast<const unsigned char*>(s.data()), int(s.size()), 0x42515321);
}

// A row's canonical text: each value's output text (or a NULL marker), unit-separated.
void append_value(std::string& out, const char* text) {
    if (text == nullptr) out += "\x1e";
    else out += text;
    out += '\x1f';
}

struct TableShape {
    std::string remote_table;
    std::string local_schema, local_table;
    std::vector<std::string> columns;
    std::vector<std::string> key;
    std::vector<Oid> types;
    std::vector<int32> typmods;
    std::vector<size_t> key_index;   // positions of key columns in columns
};

// Calls visit(digest) for each remote row.
template <typename Visit>
void scan_remote(remote::RemoteConnection& conn, const remote::RemoteTable& rt, const TableShape& shape, Visit&& visit) {
    RemoteSelect select = select_all(conn.kind(), rt, shape.columns, conn.casts_nvarchar_to_utf16());
    auto stream = conn.open_stream(select.sql, SyncSettings::batch_rows, select.params);
    const auto& stream_columns = stream->columns();
    std::vector<ValueConverter> converters;
    std::vector<Oid> outputs;
    for (size_t i = 0; i < shape.columns.size(); ++i) {
        converters.emplace_back(shape.types[i], shape.typmods[i], i < stream_columns.size() ? stream_columns[i].type_code : 0,
                                i < select.utf16.size() && select.utf16[i]);
        Oid out;
        bool varlena;
        Oid type = shape.types[i];
        pg::pg_call([&] { getTypeOutputInfo(type, &out, &varlena); });
        outputs.push_back(out);
    }
    MemoryContext rows = pg::pg_call([] { return AllocSetContextCreate(CurrentMemoryContext, "berqenas verify", ALLOCSET_DEFAULT_SIZES); });
    std::vector<remote::RemoteValue> row;
    std::vector<const char*> texts(shape.columns.size());
    long long n = 0;
    while (stream->next(row)) {
        pg::pg_call([&] {
            MemoryContext old = MemoryContextSwitchTo(rows);
            for (size_t i = 0; i < shape.columns.size(); ++i) {
                bool isnull;
                Datum d = converters[i].convert(row[i], &isnull);
                texts[i] = isnull ? nullptr : OidOutputFunctionCall(outputs[i], d);
            }
            MemoryContextSwitchTo(old);
        });
        RowDigest digest;
        std::string all;
        for (size_t i = 0; i < texts.size(); ++i) append_value(all, texts[i]);
        for (size_t k : shape.key_index) append_value(digest.key, texts[k]);
        digest.key_hash = hash_text(digest.key);
        digest.row_hash = hash_text(all);
        visit(digest);
        pg::pg_call([&] { MemoryContextReset(rows); });
        if (++n % 1000 == 0) pg::check_for_interrupts();
    }
    stream->close();
}

template <typename Visit>
void scan_local(const TableShape& shape, Visit&& visit) {
    std::string cols;
    for (size_t i = 0; i < shape.columns.size(); ++i) cols += (i ? ", " : "") + quote_ident(shape.columns[i]);
    const std::string sql = "SELECT " + cols + " FROM " + qualified(shape.local_schema, shape.local_table);
    pg::SpiSession spi;
    Portal portal = pg::pg_call([&] {
        SPIPlanPtr plan = SPI_prepare(sql.c_str(), 0, nullptr);
        return plan ? SPI_cursor_open(nullptr, plan, nullptr, nullptr, true) : nullptr;
    });
    if (!portal) throw Error(sqlstate::internal_error, "could not read " + shape.local_table);
    for (;;) {
        uint64 fetched = pg::pg_call([&] {
            SPI_cursor_fetch(portal, true, 1000);
            return SPI_processed;
        });
        if (fetched == 0) break;
        for (uint64 r = 0; r < fetched; ++r) {
            RowDigest digest;
            std::string all;
            std::vector<std::string> values;
            std::vector<bool> nulls;
            for (size_t i = 0; i < shape.columns.size(); ++i) {
                char* text = pg::pg_call([&] { return SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, int(i) + 1); });
                append_value(all, text);
                values.emplace_back(text ? text : "");
                nulls.push_back(text == nullptr);
            }
            for (size_t k : shape.key_index) append_value(digest.key, nulls[k] ? nullptr : values[k].c_str());
            digest.key_hash = hash_text(digest.key);
            digest.row_hash = hash_text(all);
            visit(digest);
        }
        pg::pg_call([] { SPI_freetuptable(SPI_tuptable); });
        pg::check_for_interrupts();
    }
    pg::pg_call([&] { SPI_cursor_close(portal); });
}

std::string key_json(const TableShape& shape, const std::string& key) {
    JsonObject o;
    size_t start = 0;
    for (size_t k = 0; k < shape.key.size(); ++k) {
        size_t end = key.find('\x1f', start);
        std::string v = key.substr(start, end - start);
        if (v == "\x1e") o.add_null(shape.key[k]);
        else o.add(shape.key[k], v);
        start = end + 1;
    }
    return o.str();
}

std::string hex64(uint64_t v) {
    char buf[17];
    snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string verify_table(remote::RemoteConnection& conn, const catalog::SyncConfig& cfg, const TableShape& base, int max_keys,
                         bool* match) {
    remote::RemoteTable rt = conn.describe_table(cfg.remote_schema, base.remote_table);
    TableShape shape = base;
    for (const auto& c : rt.columns) shape.columns.push_back(c.name);
    // Local types of those columns (verify compares what the local table holds).
    {
        pg::SpiSession spi;
        std::map<std::string, std::pair<Oid, int32>> local;
        for (auto& r : spi.execute("SELECT attname, atttypid, atttypmod FROM pg_catalog.pg_attribute WHERE attrelid = $1::regclass "
                                   "AND attnum > 0 AND NOT attisdropped",
                                   {qualified(shape.local_schema, shape.local_table)}).rows)
            local[*r[0]] = {Oid(std::stoul(*r[1])), std::stoi(*r[2])};
        for (const auto& c : shape.columns) {
            auto it = local.find(c);
            if (it == local.end())
                throw Error(sqlstate::undefined_column, "local table " + qualified(shape.local_schema, shape.local_table) + " has no column \"" + c + "\"",
                            {}, "sync the table first so its shape follows the remote");
            shape.types.push_back(it->second.first);
            shape.typmods.push_back(it->second.second);
        }
    }
    shape.key = rt.primary_key;
    if (shape.key.empty()) shape.key = shape.columns;   // no key: the whole row is its identity
    for (const auto& k : shape.key)
        for (size_t i = 0; i < shape.columns.size(); ++i)
            if (shape.columns[i] == k) shape.key_index.push_back(i);

    Buckets remote_b, local_b;
    auto add = [](Buckets& b, const RowDigest& d) {
        int bucket = int(d.key_hash % bucket_count);
        b.sum[size_t(bucket)] += d.row_hash;
        b.count[size_t(bucket)]++;
        b.rows++;
        b.checksum += d.row_hash * 0x9e3779b97f4a7c15ull + d.key_hash;
    };
    scan_remote(conn, rt, shape, [&](const RowDigest& d) { add(remote_b, d); });
    scan_local(shape, [&](const RowDigest& d) { add(local_b, d); });

    std::set<int> differing;
    for (int b = 0; b < bucket_count; ++b)
        if (remote_b.sum[size_t(b)] != local_b.sum[size_t(b)] || remote_b.count[size_t(b)] != local_b.count[size_t(b)])
            differing.insert(b);

    JsonObject out;
    out.add("remote_rows", remote_b.rows).add("local_rows", local_b.rows)
        .add("remote_checksum", hex64(remote_b.checksum)).add("local_checksum", hex64(local_b.checksum));
    const bool same = differing.empty();
    out.add("match", same);
    *match = *match && same;
    if (!same) {
        // Second pass: the rows of differing buckets only.
        std::unordered_map<std::string, uint64_t> local_rows;
        bool truncated = false;
        scan_local(shape, [&](const RowDigest& d) {
            if (!differing.count(int(d.key_hash % bucket_count))) return;
            if (local_rows.size() >= max_kept_rows) {
                truncated = true;
                return;
            }
            local_rows[d.key] ^= d.row_hash + 1;
        });
        std::string keys = "[";
        int listed = 0;
        auto list = [&](const std::string& key, const char* issue) {
            if (listed >= max_keys) {
                truncated = true;
                return;
            }
            JsonObject k;
            k.add_raw("key", key_json(shape, key)).add("issue", issue);
            keys += (listed ? "," : "") + k.str();
            ++listed;
        };
        scan_remote(conn, rt, shape, [&](const RowDigest& d) {
            if (!differing.count(int(d.key_hash % bucket_count))) return;
            auto it = local_rows.find(d.key);
            if (it == local_rows.end()) {
                list(d.key, "missing_locally");
            } else {
                if (it->second != d.row_hash + 1) list(d.key, "different");
                local_rows.erase(it);
            }
        });
        for (const auto& [key, hash] : local_rows) list(key, "missing_remotely");
        keys += "]";
        out.add_raw("differing_keys", keys).add("differing_keys_truncated", truncated);
    }
    return out.str();
}

// berqenas._sync_verify(remote_database_id bigint, tables text[], max_keys integer) returns jsonb
Datum sync_verify(FunctionCallInfo fcinfo) {
    const long long id = pg::int64_arg(fcinfo, 0);
    const int max_keys = pg::arg_is_null(fcinfo, 2) ? 100 : pg::int32_arg(fcinfo, 2);
    std::optional<std::vector<std::string>> wanted;
    if (!pg::arg_is_null(fcinfo, 1)) {
        wanted.emplace();
        Datum* elems = nullptr;
        bool* nulls = nullptr;
        int count = 0;
        pg::pg_call([&] {
            deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
        });
        for (int i = 0; i < count; ++i) {
            if (nulls[i]) throw Error(sqlstate::invalid_parameter, "table names must not be NULL");
            char* s = pg::pg_call([&] { return TextDatumGetCString(elems[i]); });
            wanted->emplace_back(s);
        }
    }
    std::optional<catalog::SyncConfig> cfg;
    catalog::RemoteDatabase db;
    std::vector<TableShape> shapes;
    std::optional<std::string> last_status;   // of the newest sync (not realtime); nullopt: never synced
    {
        pg::SpiSession spi;
        catalog::SyncSource source = catalog::load_sync_source(spi, id);
        cfg = std::move(source.config);
        db = std::move(source.database);
        last_status = spi.scalar("SELECT status FROM berqenas.sync_jobs WHERE remote_database_id = $1::bigint "
                                 "AND mode <> 'realtime' ORDER BY started_at DESC, id DESC LIMIT 1",
                                 {std::to_string(id)});
        // _sync_owned_table: 42501 when another relation took a synced table's name.
        for (auto& r : spi.execute("SELECT remote_table, local_schema, local_table FROM berqenas.sync_tables "
                                   "WHERE remote_database_id = $1::bigint AND last_synced_at IS NOT NULL "
                                   "AND berqenas._sync_owned_table(id) IS NOT NULL ORDER BY remote_table",
                                   {std::to_string(id)}).rows) {
            TableShape s;
            s.remote_table = *r[0];
            s.local_schema = *r[1];
            s.local_table = *r[2];
            shapes.push_back(s);
        }
    }
    if (wanted) {
        std::vector<TableShape> chosen;
        for (const auto& t : *wanted) {
            bool found = false;
            for (const auto& s : shapes)
                if (s.remote_table == t) {
                    chosen.push_back(s);
                    found = true;
                }
            // MSSQL names ignore case: "customer" is the synced Customer.
            for (const auto& s : shapes)
                if (!found && remote::same_identifier(db.connection.kind, s.remote_table, t)) {
                    chosen.push_back(s);
                    found = true;
                }
            if (!found)
                throw Error(sqlstate::undefined_table, "table \"" + t + "\" of remote database \"" + cfg->name + "\" has not been synced yet",
                            {}, "run berqenas.sync() first");
        }
        shapes = chosen;
    }
    auto conn = remote::connect(db.connection);
    // A configured table that no sync copied yet cannot match: it is reported, not left out.
    std::vector<std::string> never_synced;
    if (!wanted) {
        for (const auto& t : configured_tables(cfg->tables, cfg->remote_schema, *conn)) {
            bool synced = false;
            for (const auto& s : shapes) synced = synced || remote::same_identifier(conn->kind(), s.remote_table, t);
            if (!synced) never_synced.push_back(t);
        }
    }
    bool match = never_synced.empty() && last_status && *last_status != "failed" && *last_status != "cancelled";
    std::string tables = "{";
    for (size_t i = 0; i < shapes.size(); ++i)
        tables += (i ? "," : "") + json_quote(shapes[i].remote_table) + ":" + verify_table(*conn, *cfg, shapes[i], max_keys, &match);
    tables += "}";
    std::string never = "[";
    for (size_t i = 0; i < never_synced.size(); ++i) never += (i ? "," : "") + json_quote(never_synced[i]);
    never += "]";
    JsonObject out;
    out.add("name", cfg->name).add("match", match).add_raw("tables", tables).add_raw("never_synced", never);
    // never_synced: no sync ran; last_sync_failed: the newest sync failed (the copy is older than that).
    if (!last_status)
        out.add("state", "never_synced");
    else if (*last_status == "failed" || *last_status == "cancelled")
        out.add("state", "last_sync_" + *last_status);
    else
        out.add("state", "synced");
    return pg::jsonb_datum(out.str());
}

}  // namespace

}  // namespace berqenas::sync

BERQENAS_SQL_FUNCTION(berqenas_sync_verify, berqenas::sync::sync_verify)
