// The PostgreSQL driver (libpq): non-blocking connect and queries that wait in short slices so a
// local cancel is noticed, sent to the remote (PQcancel) and reported as 57014.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <memory>

#include "remote/remote_connection.hpp"

namespace berqenas::remote {

// Owns a PGresult.
struct PgResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

class PgConnection final : public RemoteConnection {
public:
    explicit PgConnection(const ConnectionParams& params);
    ~PgConnection() override;

    DatabaseKind kind() const override { return DatabaseKind::postgresql; }
    const ConnectionParams& params() const override { return params_; }
    std::string server_version() override;
    long long execute(const std::string& sql) override;
    TextResult query_text(const std::string& sql) override;
    bool is_usable() const override;

    PGconn* native() { return conn_; }
    // Sends the query and waits for its single result; throws on error (remote text in DETAIL).
    PgResultPtr exec(const std::string& sql);
    // Waits until the socket is readable/writable, checking interrupts and the query timeout.
    void wait_socket(bool for_write, std::chrono::steady_clock::time_point deadline);
    // Sends a cancel request for the running query (best effort).
    void cancel_running_query();
    [[noreturn]] void throw_remote_error(const PGresult* result, const std::string& what);

private:
    ConnectionParams params_;
    PGconn* conn_ = nullptr;
};

}  // namespace berqenas::remote
