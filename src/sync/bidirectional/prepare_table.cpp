// berqenas._bd_prepare_remote: gives a remote table what two-way sync needs (created_at,
// updated_at, is_deleted and the trigger that keeps updated_at current), where missing, idempotently.
#include "catalog/remote_database.hpp"
#include "common/json_writer.hpp"
#include "pg/guard.hpp"
#include "pg/values.hpp"
#include "remote/identifier.hpp"
#include "remote/remote_connection.hpp"

namespace berqenas::sync {

namespace {

// What each bookkeeping column must be locally (the remote type mapped as type_mapping maps it).
bool usable_type(const std::string& column, const std::string& local_type) {
    if (column == "is_deleted") return local_type == "boolean";
    return local_type.rfind("timestamp", 0) == 0;
}

std::string prepare_remote_table(long long remote_database_id, const std::string& table) {
    catalog::RemoteDatabase db;
    {
        pg::SpiSession spi;
        db = catalog::load_remote_database(spi, remote_database_id);
    }
    auto conn = remote::connect(db.connection);
    remote::RemoteTable rt = conn->describe_table(db.schema, table);
    if (rt.primary_key.empty())
        throw Error(sqlstate::invalid_parameter, "remote table \"" + table + "\" has no primary key",
                    "two-way sync matches the rows of both sides by their primary key",
                    "add a primary key to the remote table, then run prepare_table again");
    const remote::Dialect& dialect = conn->dialect();
    std::vector<std::string> names;
    for (const auto& c : rt.columns) names.push_back(c.name);

    std::vector<std::string> statements, added;
    for (const char* column : {"created_at", "updated_at", "is_deleted"}) {
        auto found = remote::find_identifier(conn->kind(), names, column);
        if (found) {
            const remote::RemoteColumn& c = rt.columns[*found];
            if (!usable_type(column, c.local_type))
                throw Error(sqlstate::invalid_parameter,
                            "column \"" + c.name + "\" of remote table \"" + table + "\" is " + c.remote_type +
                                ", which two-way sync cannot use as " + column,
                            {}, std::string(column) == "is_deleted" ? "is_deleted must be a boolean (bit)"
                                                                    : std::string(column) + " must be a timestamp (datetime2)");
            continue;
        }
        for (auto& s : dialect.add_sync_column_ddl(rt, column)) statements.push_back(std::move(s));
        added.push_back(column);
    }
    const std::string trigger = "trg_" + rt.name + "_updated";
    const auto count = conn->query_text(dialect.trigger_count_sql(rt, trigger));
    const bool has_trigger = !count.rows.empty() && count.rows[0][0] && *count.rows[0][0] != "0";
    if (!has_trigger)
        for (auto& s : dialect.updated_at_trigger_ddl(rt, trigger)) statements.push_back(std::move(s));

    // One remote transaction: a table is prepared whole or not at all.
    if (!statements.empty()) {
        conn->begin();
        for (const auto& s : statements) conn->execute(s);
        conn->commit();
    }
    std::string added_json = "[";
    for (size_t i = 0; i < added.size(); ++i) added_json += (i ? "," : "") + json_quote(added[i]);
    added_json += "]";
    JsonObject out;
    out.add("table", rt.name).add_raw("added_columns", added_json).add("trigger", trigger)
        .add("trigger_created", !has_trigger);
    return out.str();
}

// berqenas._bd_prepare_remote(remote_database_id bigint, table_name text) returns jsonb
Datum bd_prepare_remote(FunctionCallInfo fcinfo) {
    return pg::jsonb_datum(prepare_remote_table(pg::int64_arg(fcinfo, 0), pg::text_arg(fcinfo, 1)));
}

}  // namespace

}  // namespace berqenas::sync

BERQENAS_SQL_FUNCTION(berqenas_bd_prepare_remote, berqenas::sync::bd_prepare_remote)
