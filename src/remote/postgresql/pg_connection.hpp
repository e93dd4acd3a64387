// The PostgreSQL driver (libpq): non-blocking connect and queries that wait in short slices so a
// local cancel is noticed, sent to the remote (PQcancel) and reported as 57014. Rows stream from
// a cursor fetched in binary, one batch ahead of the reader.
#pragma once

#include "common/pure_cpp.hpp"

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

class PgCursorStream;

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

    std::vector<std::string> list_tables(const std::string& schema) override;
    RemoteTable describe_table(const std::string& schema, const std::string& table) override;
    std::unique_ptr<RowStream> open_stream(const std::string& sql, int fetch_size, const TextParams& params = {}) override;
    std::unique_ptr<RowStream> query(const std::string& sql, const TextParams& params = {}) override;
    void begin() override;
    void commit() override;
    void rollback() override;
    bool in_transaction() const override { return in_transaction_; }
    bool begin_consistent_read() override;
    bool listen(const std::string& channel) override;
    int notification_socket() const override;
    int consume_notifications() override;

    PGconn* native() { return conn_; }
    // Sends the query (simple protocol: several statements allowed) and waits for its results;
    // returns the last. Throws on error (remote SQLSTATE kept, remote text in DETAIL).
    PgResultPtr exec(const std::string& sql);
    // One statement with text parameters; results in binary when binary_results.
    PgResultPtr exec_params(const std::string& sql, const TextParams& params, bool binary_results);
    // Waits until the socket is readable/writable, checking interrupts and the query timeout.
    void wait_socket(bool for_write, std::chrono::steady_clock::time_point deadline);
    // Sends a cancel request for the running query (best effort).
    void cancel_running_query();
    [[noreturn]] void throw_remote_error(const PGresult* result, const std::string& what);

    // Stream plumbing: at most one stream has a FETCH in flight; any other command first lets it
    // collect its answer (settle), so several streams and statements can interleave.
    void send_params(const std::string& sql, const TextParams& params, bool binary_results);
    PgResultPtr await_result();
    void settle();
    PgCursorStream* inflight_ = nullptr;
    int next_cursor_number() { return ++cursor_counter_; }

private:
    ConnectionParams params_;
    PGconn* conn_ = nullptr;
    bool in_transaction_ = false;
    int cursor_counter_ = 0;
};

// Name of a built-in PostgreSQL type OID ("int4", "timestamptz", ...), or "oid <n>".
std::string pg_builtin_type_name(uint32_t oid);

}  // namespace berqenas::remote
