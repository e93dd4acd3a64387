// The session's kept sync connections: at most one per remote database, checked before reuse.
#include "sync/session_connections.hpp"

#include <map>

#include "common/error.hpp"
#include "sync/sync_settings.hpp"

namespace berqenas::sync {

namespace {

struct Kept {
    remote::ConnectionParams params;
    std::unique_ptr<remote::RemoteConnection> conn;
};

std::map<long long, Kept>& kept() {
    static std::map<long long, Kept> connections;
    return connections;
}

bool same_target(const remote::ConnectionParams& a, const remote::ConnectionParams& b) {
    return a.kind == b.kind && a.host == b.host && a.port == b.port && a.database == b.database && a.user == b.user &&
           a.password == b.password && a.connect_timeout_seconds == b.connect_timeout_seconds &&
           a.query_timeout_seconds == b.query_timeout_seconds && a.application_name == b.application_name;
}

}  // namespace

void SessionConnection::keep() {
    if (!conn_ || !SyncSettings::keep_connections || !conn_->is_usable()) return;
    auto& slot = kept()[remote_database_id_];
    slot.params = conn_->params();
    slot.conn = std::move(conn_);
}

SessionConnection acquire_session_connection(long long remote_database_id, const remote::ConnectionParams& params) {
    auto it = kept().find(remote_database_id);
    if (it != kept().end()) {
        Kept k = std::move(it->second);
        kept().erase(it);
        // A kept connection may have been closed by the remote (restart, idle timeout) since: one
        // empty statement tells, for the price of a round trip.
        if (SyncSettings::keep_connections && same_target(k.params, params) && k.conn->is_usable()) {
            try {
                k.conn->execute("SELECT 1");
                return SessionConnection(remote_database_id, std::move(k.conn), true);
            } catch (const Error& e) {
                if (e.sqlstate() == sqlstate::query_canceled) throw;
            }
        }
    }
    return SessionConnection(remote_database_id, remote::connect(params), false);
}

int close_session_connections() {
    const int n = int(kept().size());
    kept().clear();
    return n;
}

}  // namespace berqenas::sync
