// Remote connections a session keeps between its syncs. Opening one costs a TCP handshake, an
// authentication exchange (SCRAM: thousands of hash rounds) and a fresh remote backend with cold
// catalog caches — more than an incremental sync of a few hundred rows does otherwise. So a sync
// that ends cleanly hands its connection back here, and the session's next sync of the same remote
// database reuses it. Pure C++ (no PostgreSQL types).
#pragma once

#include <memory>

#include "remote/remote_connection.hpp"

namespace berqenas::sync {

// One sync's use of a connection. Destroyed without keep() (an error, a cancel), the connection
// is closed: its state is unknown.
class SessionConnection {
public:
    SessionConnection(long long remote_database_id, std::unique_ptr<remote::RemoteConnection> conn, bool reused)
        : remote_database_id_(remote_database_id), conn_(std::move(conn)), reused_(reused) {}
    SessionConnection(SessionConnection&&) = default;
    SessionConnection& operator=(SessionConnection&&) = delete;
    ~SessionConnection() = default;

    remote::RemoteConnection* operator->() const { return conn_.get(); }
    remote::RemoteConnection* get() const { return conn_.get(); }
    bool reused() const { return reused_; }
    // The sync is done with it and left no remote transaction open: the session keeps it (when
    // berqenas.sync_keep_connections is on).
    void keep();

private:
    long long remote_database_id_;
    std::unique_ptr<remote::RemoteConnection> conn_;
    bool reused_;
};

// The session's kept connection to that database when its parameters (host, port, database, user,
// password, timeouts) are unchanged and it still answers; otherwise a new one.
SessionConnection acquire_session_connection(long long remote_database_id, const remote::ConnectionParams& params);

// Closes every kept connection (berqenas.sync_disconnect()); returns how many were open.
int close_session_connections();

}  // namespace berqenas::sync
