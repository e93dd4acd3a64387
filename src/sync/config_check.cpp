// configure_sync's check of the remote tables: the timestamp column and the primary key each
// table has, so a column that exists nowhere is refused instead of silently syncing in full.
#include "sync/config_check.hpp"

#include "catalog/sync_catalog.hpp"
#include "common/json_writer.hpp"
#include "pg/spi.hpp"
#include "remote/identifier.hpp"
#include "remote/remote_connection.hpp"
#include "sync/engine/configured_tables.hpp"
#include "sync/sync_runner.hpp"

namespace berqenas::sync {

namespace {

std::string json_array(const std::vector<std::string>& items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + json_quote(items[i]);
    return out + "]";
}

}  // namespace

std::string check_sync_columns(long long remote_database_id, const std::optional<std::vector<std::string>>& tables,
                               const std::string& timestamp_column) {
    std::optional<catalog::SyncConfig> cfg;
    catalog::RemoteDatabase db;
    {
        pg::SpiSession spi;
        catalog::SyncSource source = catalog::load_sync_source(spi, remote_database_id);
        cfg = std::move(source.config);
        db = std::move(source.database);
    }
    std::unique_ptr<remote::RemoteConnection> conn;
    try {
        conn = remote::connect(db.connection);
    } catch (const Error& e) {
        // Unreachable or refused now: the configuration stands, configure_sync warns.
        if (e.sqlstate() != sqlstate::cannot_connect && e.sqlstate() != sqlstate::invalid_authorization) throw;
        JsonObject out;
        out.add("unchecked", e.what());
        return out.str();
    }
    const std::vector<std::string> names = configured_tables(tables, cfg->remote_schema, *conn);
    std::vector<std::string> checked, without_column, without_key, missing;
    for (const auto& name : names) {
        remote::RemoteTable rt;
        try {
            rt = conn->describe_table(cfg->remote_schema, name);
        } catch (const Error& e) {
            if (e.sqlstate() != sqlstate::undefined_table) throw;
            missing.push_back(name);
            continue;
        }
        checked.push_back(name);
        bool has_column = false;   // as sync_table finds it: MSSQL names in any case
        for (const auto& c : rt.columns) has_column = has_column || remote::same_identifier(conn->kind(), c.name, timestamp_column);
        if (!has_column) without_column.push_back(name);
        if (rt.primary_key.empty()) without_key.push_back(name);
    }
    JsonObject out;
    out.add_raw("checked", json_array(checked)).add_raw("without_column", json_array(without_column))
        .add_raw("without_key", json_array(without_key)).add_raw("missing", json_array(missing));
    return out.str();
}

}  // namespace berqenas::sync
