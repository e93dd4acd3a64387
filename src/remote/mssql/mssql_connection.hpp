// The MSSQL driver (FreeTDS db-lib, TDS 7.4). db-lib reports errors through process-wide
// callbacks; they record into the connection's message list and never throw (C frames).
#pragma once

#include "common/pure_cpp.hpp"

#include <sybfront.h>
#include <sybdb.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "remote/remote_connection.hpp"

namespace berqenas::remote {

// One message from the server (dbmsghandle) or from db-lib itself (dberrhandle).
struct MssqlMessage {
    int number = 0;        // SQL Server error number, or db-lib's SYBE* code
    int severity = 0;
    bool from_server = false;
    std::string text;
    int os_error = 0;      // errno db-lib reported with it (e.g. ETIMEDOUT for a TCP connect), 0: none
};

class MssqlConnection final : public RemoteConnection {
public:
    explicit MssqlConnection(const ConnectionParams& params);
    ~MssqlConnection() override;

    DatabaseKind kind() const override { return DatabaseKind::mssql; }
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
    // A snapshot read would need SNAPSHOT isolation enabled on the database: not assumed.
    bool begin_consistent_read() override { return false; }
    bool casts_nvarchar_to_utf16() override;
    // No notifications over TDS: realtime sync polls the change tables.
    bool listen(const std::string&) override { return false; }
    int notification_socket() const override { return -1; }
    int consume_notifications() override { return 0; }

    // TDS has one result stream per connection: before another batch is sent, the stream still
    // reading (if any) takes its remaining rows into memory.
    void settle();
    class MssqlRowStream* active_stream_ = nullptr;

    DBPROCESS* native() { return dbproc_; }
    // Sends a batch and waits for the server to accept it (dbsqlexec); throws on failure.
    void send_batch(const std::string& sql);
    // Discards every pending result of the current batch.
    void drain_results();
    // Throws an Error built from the messages recorded since the batch started.
    [[noreturn]] void throw_failure(const std::string& what);
    void clear_messages() { messages_.clear(); }

    // Restarts the query-timeout clock (each wait for the server gets the full timeout); waited:
    // how long the current wait has already lasted.
    void restart_deadline(std::chrono::steady_clock::duration waited = {});
    // A stream counts the rows it reads instead of restarting the clock for each (a clock read per
    // row costs more than the row's decoding); the timer handler restarts it when rows came since.
    void note_row_read() { ++rows_read_; }

    // Used by the db-lib callbacks.
    std::vector<MssqlMessage> messages_;
    std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
    unsigned long long rows_read_ = 0;
    unsigned long long rows_read_at_deadline_ = 0;
    bool logging_in_ = false;

private:
    void apply_session_settings();   // ANSI options and TEXTSIZE, right after login (see the .cpp)
    ConnectionParams params_;
    DBPROCESS* dbproc_ = nullptr;
    bool in_transaction_ = false;
    std::optional<bool> utf16_casts_;   // casts_nvarchar_to_utf16(), once asked
};

// Makes conn the connection db-lib's callbacks report into, for the scope's lifetime.
struct MssqlActiveScope {
    explicit MssqlActiveScope(MssqlConnection* conn);
    ~MssqlActiveScope();
    MssqlConnection* previous;
};

// Maps a SQL Server error number to the SQLSTATE we raise (2627 → 23505, 18456 → 28000, ...).
const char* sqlstate_for_mssql_error(int number);

}  // namespace berqenas::remote
