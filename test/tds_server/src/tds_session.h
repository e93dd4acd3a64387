// One client connection: PRELOGIN and LOGIN7, then SQL batches run statement by statement on
// the client's own PostgreSQL session, with results streamed back as TDS tokens.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "column_type.h"
#include "fault_injector.h"
#include "login7.h"
#include "type_encoder.h"
#include "packet_io.h"
#include "pg_session.h"
#include "tsql_rewriter.h"

namespace berqenas::tds {

struct ServerConfig {
    std::string pg_host = "127.0.0.1";
    std::string pg_port = "5432";
    FaultSettings faults;
    bool log_statements = false;
    // A SET option this server does not know (lower case; empty: none): a batch with `SET <it> …`
    // fails as a whole before it runs, error 195, as SQL Server does for an unknown option.
    std::string unknown_set_option;
};

// Looking at the client socket for an attention costs a system call; while rows stream it is
// done every kInterval (the clock itself is read every kRowsPerClockRead rows), far sooner than
// any client's cancel needs. Every wait on PostgreSQL watches the socket as well.
class AttentionPoll {
public:
    bool due() {
        if (++rows_ < kRowsPerClockRead) return false;
        rows_ = 0;
        auto now = std::chrono::steady_clock::now();
        if (now - last_ < kInterval) return false;
        last_ = now;
        return true;
    }

private:
    static constexpr unsigned kRowsPerClockRead = 16;
    static constexpr std::chrono::milliseconds kInterval{2};
    unsigned rows_ = 0;
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// The row being sent (views into libpq's buffers or into unescaped) and the result's count.
struct RowStream {
    std::vector<std::string_view> values;
    std::vector<char> nulls;
    std::string unescaped;  // COPY fields that had backslash escapes
    uint64_t rows = 0;
    AttentionPoll attention_poll;
};

class TdsSession {
public:
    TdsSession(int fd, const ServerConfig& config, std::atomic<bool>& refuse_logins);
    // Serves the connection until the client leaves, a fault drops it, or the socket breaks.
    void run();

private:
    bool handle_login();
    void handle_batch(const std::string& payload);
    void run_statement(const RewrittenStatement& st);
    void run_sql(const RewrittenStatement& st);
    void record_declared_names(const std::string& sql);
    void stream_results(const std::vector<ResultColumn>* described);
    void stream_copy(const std::vector<ResultColumn>& columns);
    void send_row(const std::vector<ResultColumn>& columns, RowStream& stream, bool& stop);
    void handle_error_result(const PGresult* res);
    void handle_set_option(const RewrittenStatement& st);
    void handle_use(const std::string& database);
    void handle_conditional(const RewrittenStatement& st);
    void run_tsql(const std::vector<Token>& statement);
    void on_client_data();

    // Output helpers. The last DONE is held back so it can say whether more follows.
    void emit(const std::string& token);
    void emit_message(const ServerMessage& msg);
    void emit_error(const ServerMessage& msg);
    void queue_done(uint16_t status, uint16_t cur_cmd, uint64_t rows);
    void finish_response();
    void emit_notices();

    std::vector<ResultColumn> describe_columns(const PGresult* res, bool lookup_domains);
    void log(const std::string& line) const;

    PacketChannel channel_;
    const ServerConfig& config_;
    std::atomic<bool>& refuse_logins_;
    FaultInjector faults_;
    std::unique_ptr<PgSession> pg_;
    Login7 login_;
    RewriteContext ctx_;
    bool nocount_ = false;
    uint32_t text_size_ = kDefaultTextSize;   // SET TEXTSIZE (see encode_value)
    bool attention_ = false;    // the client cancelled the current batch
    bool closed_ = false;       // the connection is gone (or dropped on purpose)
    bool batch_stopped_ = false;
    bool statement_failed_ = false;
    std::string last_error_state_;
    bool has_pending_done_ = false;
    uint16_t pending_status_ = 0, pending_cmd_ = 0;
    uint64_t pending_rows_ = 0;
    unsigned statement_counter_ = 0;
};

}  // namespace berqenas::tds
