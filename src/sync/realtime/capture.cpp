// install_capture: configure_sync's realtime part on the remote (see capture.hpp).
#include "sync/realtime/capture.hpp"

#include <utility>
#include <vector>

#include "catalog/sync_catalog.hpp"
#include "common/json_writer.hpp"
#include "pg/spi.hpp"
#include "remote/remote_connection.hpp"
#include "sync/engine/capture_ddl.hpp"
#include "sync/engine/configured_tables.hpp"

namespace berqenas::sync {

using catalog::SyncConfig;

std::string install_capture(long long db_id, bool install) {
    pg::SpiSession spi;
    catalog::SyncSource source = catalog::load_sync_source(spi, db_id);
    const SyncConfig& cfg = source.config;
    auto conn = remote::connect(source.database.connection);
    std::string out = "[";
    bool first = true;
    if (install) {
        // Every table is checked (key, existence) before anything is installed on the remote.
        std::vector<std::pair<remote::RemoteTable, CaptureObjects>> plans;
        for (const auto& table : configured_tables(cfg.tables, cfg.remote_schema, *conn)) {
            remote::RemoteTable rt = conn->describe_table(cfg.remote_schema, table);
            plans.emplace_back(rt, capture_objects(conn->kind(), rt));
        }
        for (const auto& [rt, objects] : plans) {
            const std::string& table = rt.name;
            for (const auto& statement : objects.install) conn->execute(statement);
            catalog::record_capture(spi, db_id, cfg.remote_schema, table, cfg.target_schema, rt.primary_key,
                                    objects.change_table, objects.trigger);
            JsonObject o;
            o.add("table", table).add("change_table", objects.change_table).add("trigger", objects.trigger);
            out += (first ? "" : ",") + o.str();
            first = false;
        }
    } else {
        for (const auto& [remote_table, change_table] : catalog::capture_objects_of(spi, db_id)) {
            remote::RemoteTable rt;
            rt.schema = cfg.remote_schema;
            rt.name = remote_table;
            rt.primary_key = {"_"};   // only names matter for removal
            rt.columns.push_back({});
            rt.columns[0].name = "_";
            CaptureObjects objects = capture_objects(conn->kind(), rt);
            for (const auto& statement : objects.remove) conn->execute(statement);
            JsonObject o;
            o.add("table", remote_table).add("removed", change_table);
            out += (first ? "" : ",") + o.str();
            first = false;
        }
        catalog::forget_capture(spi, db_id);
    }
    return out + "]";
}

}  // namespace berqenas::sync
