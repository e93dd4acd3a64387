// The protocol flow of a TDS session. Statements of a batch run one by one (SQL Server's
// autocommit semantics); inside an explicit transaction each runs under a savepoint, because
// a failed statement in SQL Server does not doom the whole transaction as it does in PostgreSQL.
#include "tds_session.h"

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "byte_buffer.h"
#include "copy_text.h"
#include "error_map.h"
#include "prelogin.h"
#include "text_encoding.h"
#include "token_writer.h"
#include "type_encoder.h"
#include "type_mapping.h"

namespace berqenas::tds {
namespace {

constexpr const char* kServerName = "berqenas-tds";
constexpr const char* kDefaultDatabase = "postgres";
constexpr const char* kStatementSavepoint = "berqenas_statement";

uint16_t cur_cmd_of(const char* command_status) {
    if (std::strncmp(command_status, "SELECT", 6) == 0) return kCmdSelect;
    if (std::strncmp(command_status, "INSERT", 6) == 0) return kCmdInsert;
    if (std::strncmp(command_status, "UPDATE", 6) == 0) return kCmdUpdate;
    if (std::strncmp(command_status, "DELETE", 6) == 0) return kCmdDelete;
    return kCmdNone;
}

bool is_transaction_control(const std::string& sql) {
    static const char* const prefixes[] = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET SESSION"};
    for (const char* p : prefixes)
        if (sql.compare(0, std::strlen(p), p) == 0) return true;
    return false;
}

ServerMessage simple_error(int number, int severity, const std::string& text) {
    ServerMessage m;
    m.number = number;
    m.severity = static_cast<uint8_t>(severity);
    m.text = text;
    return m;
}

}  // namespace

TdsSession::TdsSession(int fd, const ServerConfig& config, std::atomic<bool>& refuse_logins)
    : channel_(fd),
      config_(config),
      refuse_logins_(refuse_logins),
      faults_(config.faults, refuse_logins),
      pg_(std::make_unique<PgSession>()) {}

void TdsSession::log(const std::string& line) const { std::cerr << "berqenas-tds-server: " + line + "\n"; }

void TdsSession::run() {
    try {
        if (!handle_login()) return;
        Message msg;
        while (!closed_ && channel_.read_message(msg)) {
            switch (msg.type) {
                case PacketType::SqlBatch: handle_batch(msg.payload); break;
                case PacketType::Attention:  // nothing is running: acknowledge at once
                    channel_.append(done_token(kDoneAttention, kCmdNone, 0));
                    channel_.end_response();
                    break;
                default:
                    emit_error(simple_error(
                        50000, 16, "only SQL batches are supported by the Berqenas TDS test server (no RPC, no bulk load)"));
                    finish_response();
                    break;
            }
            if (channel_.broken()) break;
        }
    } catch (const std::exception& e) {
        log(std::string("session ended: ") + e.what());
    }
}

bool TdsSession::handle_login() {
    Message msg;
    if (!channel_.read_message(msg)) return false;
    if (msg.type == PacketType::Prelogin) {
        parse_prelogin(msg.payload);
        channel_.append(build_prelogin_response());
        channel_.end_response();
        if (!channel_.read_message(msg)) return false;
    }
    if (msg.type != PacketType::Login7) return false;
    login_ = parse_login7(msg.payload);
    std::string database = login_.database.empty() ? kDefaultDatabase : login_.database;

    auto fail = [&](const ServerMessage& m, const std::string& reason) {
        log("login failed for user '" + login_.user_name + "': " + reason);
        channel_.append(message_token(m, kServerName));
        channel_.append(done_token(kDoneError, kCmdNone, 0));
        channel_.end_response();
        return false;
    };
    if (refuse_logins_) return fail(login_failed_message(login_.user_name, ""), "refuse_logins fault is on");
    std::string sqlstate, message;
    bool connected =
        pg_->connect(config_.pg_host, config_.pg_port, login_.user_name, login_.password, database, sqlstate, message);
    if (!connected && sqlstate == "3D000") {
        // SQL Server finds the login's database case-insensitively; PostgreSQL by the exact name.
        // Only on this miss is the catalog asked, through the default database.
        PgSession lookup;
        std::string ignored_state, ignored_message;
        if (lookup.connect(config_.pg_host, config_.pg_port, login_.user_name, login_.password, kDefaultDatabase,
                           ignored_state, ignored_message)) {
            std::string resolved = lookup.resolve_database_name(database);
            if (resolved != database) {
                database = resolved;
                connected = pg_->connect(config_.pg_host, config_.pg_port, login_.user_name, login_.password, database,
                                         sqlstate, message);
            }
        }
    }
    if (!connected) {
        if (sqlstate == "3D000") {
            channel_.append(message_token(simple_error(4060, 11, "Cannot open database \"" + database +
                                                                     "\" requested by the login. The login failed."),
                                          kServerName));
        }
        return fail(login_failed_message(login_.user_name, ""), message);
    }

    size_t packet_size = login_.packet_size == 0 ? kDefaultPacketSize : login_.packet_size;
    packet_size = std::max(kMinPacketSize, std::min(kMaxPacketSize, packet_size));
    ctx_.version_string = "Microsoft SQL Server 2019 (RTM) - 15.0.2000.5 (X64) - Berqenas TDS test server over PostgreSQL " +
                          std::to_string(pg_->server_version() / 10000) + "." + std::to_string(pg_->server_version() % 100);
    ctx_.server_name = kServerName;

    ServerMessage info;
    info.severity = 0;
    channel_.append(env_change_token(EnvChange::Database, pg_->database(), "master"));
    info.number = 5701;
    info.text = "Changed database context to '" + pg_->database() + "'.";
    channel_.append(message_token(info, kServerName));
    channel_.append(collation_env_change_token());
    channel_.append(env_change_token(EnvChange::Language, "us_english", ""));
    info.number = 5703;
    info.text = "Changed language setting to us_english.";
    channel_.append(message_token(info, kServerName));
    channel_.append(login_ack_token("Microsoft SQL Server"));
    channel_.append(env_change_token(EnvChange::PacketSize, std::to_string(packet_size), std::to_string(kDefaultPacketSize)));
    channel_.append(done_token(kDoneFinal, kCmdNone, 0));
    channel_.end_response();
    channel_.set_packet_size(packet_size);
    log("login ok for user '" + login_.user_name + "' (asked for packet size " + std::to_string(login_.packet_size) +
        ") database '" + pg_->database() + "' packet size " +
        std::to_string(packet_size));
    return !channel_.broken();
}

// ------------------------------------------------------------------ output helpers

void TdsSession::emit(const std::string& token) {
    if (has_pending_done_) {
        channel_.append(done_token(static_cast<uint16_t>(pending_status_ | kDoneMore), pending_cmd_, pending_rows_));
        has_pending_done_ = false;
    }
    channel_.append(token);
}

void TdsSession::emit_message(const ServerMessage& msg) { emit(message_token(msg, kServerName)); }

void TdsSession::emit_error(const ServerMessage& msg) {
    statement_failed_ = true;
    emit_message(msg);
    queue_done(kDoneError, kCmdNone, 0);
}

void TdsSession::queue_done(uint16_t status, uint16_t cur_cmd, uint64_t rows) {
    if (has_pending_done_) emit("");  // flushes the previous one with DONE_MORE
    has_pending_done_ = true;
    pending_status_ = status;
    pending_cmd_ = cur_cmd;
    pending_rows_ = rows;
}

void TdsSession::finish_response() {
    if (attention_) {
        if (has_pending_done_) emit("");
        channel_.append(done_token(kDoneAttention, kCmdNone, 0));
    } else if (has_pending_done_) {
        channel_.append(done_token(pending_status_, pending_cmd_, pending_rows_));
    } else {
        channel_.append(done_token(kDoneFinal, kCmdNone, 0));
    }
    has_pending_done_ = false;
    channel_.end_response();
}

void TdsSession::emit_notices() {
    for (const auto& n : pg_->take_notices()) {
        ServerMessage m;
        m.number = 0;
        m.severity = 0;
        m.text = n.message;
        emit_message(m);
    }
}

void TdsSession::on_client_data() {
    Message msg;
    if (!channel_.read_message(msg)) {
        closed_ = true;
        pg_->cancel();
        return;
    }
    if (msg.type == PacketType::Attention) {
        attention_ = true;
        pg_->cancel();
    }
}

// ------------------------------------------------------------------ batches

void TdsSession::handle_batch(const std::string& payload) {
    std::string_view body(payload);
    // TDS 7.2+ batches start with ALL_HEADERS, whose first DWORD is its own total length.
    if (body.size() >= 4) {
        ByteReader r(body);
        uint32_t headers = r.u32le();
        if (headers >= 4 && headers <= body.size()) body.remove_prefix(headers);
    }
    std::string sql = utf16le_to_utf8(body);
    if (config_.log_statements) log("batch: " + sql);
    attention_ = false;
    batch_stopped_ = false;
    faults_.start_batch();
    auto statements = split_statements(lex_tsql(sql));
    if (!config_.unknown_set_option.empty()) {
        for (const auto& statement : statements) {
            std::vector<const Token*> words;
            for (const auto& t : statement)
                if (!t.is_trivia() && words.size() < 2) words.push_back(&t);
            if (words.size() == 2 && words[0]->is_word("set") && words[1]->is_word(config_.unknown_set_option)) {
                emit_error(simple_error(195, 15, "'" + words[1]->text + "' is not a recognized SET option."));
                finish_response();
                return;
            }
        }
    }
    for (const auto& statement : statements) {
        if (closed_ || attention_ || batch_stopped_) break;
        run_tsql(statement);
    }
    if (!closed_) finish_response();
}

void TdsSession::run_tsql(const std::vector<Token>& statement) {
    // @@TRANCOUNT and @@ROWCOUNT are substituted per statement, so rewrite just before running.
    ctx_.transaction_count = pg_->in_transaction() ? 1 : 0;
    RewrittenStatement st = rewrite_statement(statement, ctx_);
    if (config_.log_statements && (st.kind == StatementKind::Sql || st.kind == StatementKind::Conditional))
        log("  as: " + st.sql);
    run_statement(st);
    if (!closed_) emit_notices();
}

void TdsSession::handle_conditional(const RewrittenStatement& st) {
    PgResult r = pg_->exec(st.sql);
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
        const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
        const char* msg = PQresultErrorField(r.get(), PG_DIAG_MESSAGE_PRIMARY);
        emit_error(error_from_postgres(state ? state : "XX000", msg ? msg : PQerrorMessage(pg_->conn())));
        return;
    }
    bool truth = PQntuples(r.get()) == 1 && std::string(PQgetvalue(r.get(), 0, 0)) == "1";
    const auto& branch = truth ? st.then_statements : st.else_statements;
    if (branch.empty()) queue_done(kDoneFinal, kCmdNone, 0);
    for (const auto& statement : branch) {
        if (closed_ || attention_ || batch_stopped_) break;
        run_tsql(statement);
    }
}

void TdsSession::run_statement(const RewrittenStatement& st) {
    switch (st.kind) {
        case StatementKind::Sql: run_sql(st); return;
        case StatementKind::SetOption: handle_set_option(st); return;
        case StatementKind::FaultControl: {
            std::string problem = faults_.apply(st.option, st.value);
            if (problem.empty()) {
                log("fault control: " + st.option + " " + st.value);
                queue_done(kDoneFinal, kCmdNone, 0);
            } else {
                emit_error(simple_error(50000, 16, problem));
            }
            return;
        }
        case StatementKind::Refused: emit_error(st.message); return;
        case StatementKind::Print:
            emit_message(st.message);
            queue_done(kDoneFinal, kCmdNone, 0);
            return;
        case StatementKind::UseDatabase: handle_use(st.value); return;
        case StatementKind::Conditional: handle_conditional(st); return;
    }
}

void TdsSession::handle_set_option(const RewrittenStatement& st) {
    if (!st.option.empty() && st.option[0] == '@') {
        emit_error(simple_error(50000, 16, "variables are not supported by the Berqenas TDS test server"));
        return;
    }
    if (st.option == "nocount") nocount_ = st.value == "on";
    // SET TEXTSIZE n: (max), text, ntext and image values are cut to n bytes; 0 (or less) means
    // the default again, as on SQL Server.
    if (st.option == "textsize") {
        long long n = std::atoll(st.value.c_str());
        text_size_ = n <= 0 ? kDefaultTextSize : uint32_t(std::min<long long>(n, 2147483647LL));
    }
    if (st.option == "lock_timeout") {
        pg_->exec("SET lock_timeout = " + std::to_string(std::max(0L, std::atol(st.value.c_str()))));
    }
    // Every other session option (ANSI_*, XACT_ABORT, DATEFORMAT, ...) is accepted as is.
    queue_done(kDoneFinal, kCmdNone, 0);
}

void TdsSession::handle_use(const std::string& database) {
    std::string sqlstate, message;
    std::string old = pg_->database();
    // `CREATE DATABASE [SalesX]` made salesx (bracketed names fold to lower case) and `USE [SalesX]`
    // keeps the case: names resolve case-insensitively, as with SQL Server's default collation.
    const std::string resolved = pg_->resolve_database_name(database);
    auto fresh = std::make_unique<PgSession>();
    if (!fresh->connect(config_.pg_host, config_.pg_port, login_.user_name, login_.password, resolved, sqlstate,
                        message)) {
        if (sqlstate == "3D000") {
            emit_error(simple_error(911, 16, "Database '" + database +
                                                 "' does not exist. Make sure that the name is entered correctly."));
        } else {
            // SQL Server's answer when the login may not enter that database.
            emit_error(simple_error(916, 14, "The server principal \"" + login_.user_name +
                                                 "\" is not able to access the database \"" + database +
                                                 "\" under the current security context. (" + message + ")"));
        }
        return;
    }
    pg_ = std::move(fresh);  // a USE is a new PostgreSQL session: PostgreSQL cannot switch databases
    emit(env_change_token(EnvChange::Database, pg_->database(), old));
    ServerMessage info;
    info.number = 5701;
    info.severity = 0;
    info.text = "Changed database context to '" + pg_->database() + "'.";
    emit_message(info);
    queue_done(kDoneFinal, kCmdNone, 0);
}

std::vector<ResultColumn> TdsSession::describe_columns(const PGresult* res, bool lookup_domains) {
    std::vector<std::string> domains =
        lookup_domains ? pg_->column_domains(res) : std::vector<std::string>(static_cast<size_t>(PQnfields(res)));
    std::vector<ResultColumn> cols;
    for (int i = 0; i < PQnfields(res); ++i) {
        Oid type = PQftype(res, i);
        if (type != 0 && type == pg_->utf16_oid()) {
            // CAST(nvarchar AS varbinary): UTF-16LE bytes; without an alias SQL Server names the
            // column "" (PostgreSQL names it after the function the cast became).
            ColumnType binary = utf16_varbinary();
            if (faults_.settings().varbinary_utf8) binary.utf16_bytes = false, binary.utf8_bytes = true;
            std::string name = PQfname(res, i);
            cols.push_back({name == "mssql_varbinary" ? std::string() : name, binary});
            continue;
        }
        cols.push_back({PQfname(res, i), map_pg_type(type, PQfmod(res, i), domains[static_cast<size_t>(i)])});
    }
    return cols;
}

void TdsSession::run_sql(const RewrittenStatement& st) {
    for (const auto& d : st.required_domains) {
        PgResult r = pg_->exec("SELECT public.mssql_ensure_domain('" + d.kind + "', " + std::to_string(d.size) + ")");
        if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
            const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
            emit_error(error_from_postgres(state ? state : "42883",
                                           std::string("type mssql_") + d.kind + " needs mssql_types.sql loaded: " +
                                               PQresultErrorMessage(r.get())));
            return;
        }
    }
    statement_failed_ = false;
    last_error_state_.clear();
    const bool savepoint = pg_->in_transaction() && !is_transaction_control(st.sql);
    if (savepoint) pg_->exec(std::string("SAVEPOINT ") + kStatementSavepoint);

    std::string name;
    std::vector<ResultColumn> described;
    bool have_description = false;
    bool simple = st.multi_statement;
    bool prepare_failed = false;
    if (!simple) {
        // Prepare and describe first: the catalog lookup for mssql_* domains needs an idle
        // connection, and a statement's domains are invisible in libpq's row description.
        name = "berqenas_" + std::to_string(++statement_counter_);
        PgResult prep(PQprepare(pg_->conn(), name.c_str(), st.sql.c_str(), 0, nullptr));
        if (PQresultStatus(prep.get()) != PGRES_COMMAND_OK) {
            const char* msg = PQresultErrorField(prep.get(), PG_DIAG_MESSAGE_PRIMARY);
            if (msg && std::strstr(msg, "cannot insert multiple commands")) {
                simple = true;
            } else {
                const char* state = PQresultErrorField(prep.get(), PG_DIAG_SQLSTATE);
                emit_error(error_from_postgres(state ? state : "XX000", msg ? msg : PQerrorMessage(pg_->conn())));
                prepare_failed = true;
            }
            name.clear();
        } else {
            PgResult desc(PQdescribePrepared(pg_->conn(), name.c_str()));
            if (PQresultStatus(desc.get()) == PGRES_COMMAND_OK && PQnfields(desc.get()) > 0) {
                described = describe_columns(desc.get(), true);
                have_description = true;
            }
        }
    }
    if (!prepare_failed) {
        // A plain SELECT streams through COPY (far less libpq work per row); anything else runs
        // the prepared statement in single-row mode.
        const std::string copy = !simple && have_description ? copy_statement(st.sql) : std::string();
        int sent = !copy.empty() ? PQsendQuery(pg_->conn(), copy.c_str())
                   : simple      ? PQsendQuery(pg_->conn(), st.sql.c_str())
                                 : PQsendQueryPrepared(pg_->conn(), name.c_str(), 0, nullptr, nullptr, nullptr, 0);
        if (!sent) {
            emit_error(simple_error(50000, 20, std::string("lost the PostgreSQL session: ") + PQerrorMessage(pg_->conn())));
            closed_ = true;
            return;
        }
        if (!copy.empty()) {
            stream_copy(described);
        } else {
            PQsetSingleRowMode(pg_->conn());
            stream_results(have_description ? &described : nullptr);
        }
    }
    if (closed_) return;
    // A failed transaction refuses DEALLOCATE; its statement then lives until the session ends.
    if (!name.empty() && PQtransactionStatus(pg_->conn()) != PQTRANS_INERROR) pg_->exec("DEALLOCATE " + name);
    if (savepoint && pg_->in_transaction()) {
        if (last_error_state_ == "40P01") {
            pg_->exec("ROLLBACK");  // SQL Server rolls back the whole transaction of a deadlock victim
        } else {
            if (statement_failed_) pg_->exec(std::string("ROLLBACK TO SAVEPOINT ") + kStatementSavepoint);
            pg_->exec(std::string("RELEASE SAVEPOINT ") + kStatementSavepoint);
        }
    }
    if (!statement_failed_ && !st.declare_names_sql.empty()) record_declared_names(st.declare_names_sql);
}

// The names a CREATE/ALTER TABLE declared, kept as written for the catalog views. A failure here
// (mssql_types.sql not loaded, say) must not undo the DDL or doom the client's transaction.
void TdsSession::record_declared_names(const std::string& sql) {
    const bool in_transaction = pg_->in_transaction();
    if (in_transaction) pg_->exec("SAVEPOINT berqenas_declared_names");
    PgResult r = pg_->exec(sql);
    const bool ok = PQresultStatus(r.get()) == PGRES_TUPLES_OK;
    if (!ok) log(std::string("could not keep the declared names: ") + PQresultErrorMessage(r.get()));
    if (in_transaction) {
        if (!ok) pg_->exec("ROLLBACK TO SAVEPOINT berqenas_declared_names");
        pg_->exec("RELEASE SAVEPOINT berqenas_declared_names");
    }
}

// One row of a result: fault hooks, the row delay, then the values encoded straight into the
// outgoing buffer (a value SQL Server cannot hold takes the partial row back out). Sets stop
// when the rest of the result must be discarded; closed_ and attention_ say the same.
void TdsSession::send_row(const std::vector<ResultColumn>& columns, RowStream& stream, bool& stop) {
    switch (faults_.before_row()) {
        case RowAction::Drop:
            log("fault: dropping the connection after " + std::to_string(faults_.rows_in_batch()) + " rows");
            channel_.flush_partial();
            ::shutdown(channel_.fd(), SHUT_RDWR);
            closed_ = true;
            pg_->cancel();
            return;
        case RowAction::Fail:
            pg_->cancel();
            emit_error(simple_error(kFaultErrorNumber, 16,
                                    "berqenas fault: failing the result after " + std::to_string(faults_.rows_in_batch()) +
                                        " rows (fail_after_rows)"));
            stop = true;
            batch_stopped_ = true;
            return;
        case RowAction::Send: break;
    }
    if (faults_.row_delay_ms() > 0) {
        channel_.flush_full_packets();  // the client sees every whole packet before the pause
        if (channel_.client_readable(static_cast<int>(faults_.row_delay_ms()))) {
            on_client_data();
            if (attention_ || closed_) return;
        }
    }
    if (has_pending_done_) emit("");
    std::string& out = channel_.buffer();
    const size_t row_start = out.size();
    ByteWriter row(out);
    row.u8(kRowToken);
    try {
        for (size_t c = 0; c < columns.size(); ++c) {
            encode_value(columns[c].type, stream.values[c], stream.nulls[c] != 0, row, text_size_);
        }
    } catch (const ValueOutOfRange& e) {
        out.resize(row_start);
        pg_->cancel();
        emit_error(simple_error(8115, 16, std::string("Arithmetic overflow error: ") + e.what()));
        stop = true;
        return;
    }
    channel_.commit();
    ++stream.rows;
    if (channel_.broken()) {
        closed_ = true;
        pg_->cancel();
        return;
    }
    if (stream.attention_poll.due() && channel_.client_readable(0)) on_client_data();
}

void TdsSession::handle_error_result(const PGresult* res) {
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char* msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    std::string sqlstate = state ? state : "XX000";
    last_error_state_ = sqlstate;
    emit_error(error_from_postgres(sqlstate, msg ? msg : PQresultErrorMessage(res)));
    ctx_.last_row_count = 0;
    if (sqlstate == "40P01") batch_stopped_ = true;  // SQL Server aborts the batch on a deadlock
}

void TdsSession::stream_results(const std::vector<ResultColumn>* described) {
    const int fd = channel_.fd();
    auto client_fd = [&]() { return closed_ || attention_ ? -1 : fd; };
    auto on_client = [&]() { on_client_data(); };
    std::vector<ResultColumn> columns;
    bool metadata_sent = false;
    RowStream stream;
    bool stop = false;  // a fault, a bad value or an attention ended this result early

    for (;;) {
        // Whole packets go out before the server waits on PostgreSQL, so the client never waits
        // for rows that are already encoded.
        if (PQisBusy(pg_->conn())) channel_.flush_full_packets();
        PgResult res = pg_->next_result(client_fd(), on_client);
        if (!res) break;
        if (stop || closed_ || attention_) continue;  // drain what the cancelled query still sends
        ExecStatusType status = PQresultStatus(res.get());
        if (status == PGRES_SINGLE_TUPLE || status == PGRES_TUPLES_OK) {
            if (!metadata_sent && (PQntuples(res.get()) > 0 || status == PGRES_TUPLES_OK)) {
                columns = described ? *described : describe_columns(res.get(), false);
                emit(col_metadata_token(columns));
                metadata_sent = true;
                stream.values.resize(columns.size());
                stream.nulls.resize(columns.size());
            }
            if (status == PGRES_TUPLES_OK) {  // end of one result set
                queue_done(nocount_ ? kDoneFinal : kDoneCount, kCmdSelect, stream.rows);
                ctx_.last_row_count = stream.rows;
                metadata_sent = false;
                stream.rows = 0;
                described = nullptr;  // a multi-statement query's next result has its own shape
                continue;
            }
            for (size_t c = 0; c < columns.size(); ++c) {
                int col = static_cast<int>(c);
                stream.nulls[c] = PQgetisnull(res.get(), 0, col) ? 1 : 0;
                stream.values[c] = std::string_view(PQgetvalue(res.get(), 0, col),
                                                    static_cast<size_t>(PQgetlength(res.get(), 0, col)));
            }
            send_row(columns, stream, stop);
        } else if (status == PGRES_COMMAND_OK) {
            const char* tuples = PQcmdTuples(res.get());
            uint16_t cmd = cur_cmd_of(PQcmdStatus(res.get()));
            uint64_t count = tuples && *tuples ? std::strtoull(tuples, nullptr, 10) : 0;
            bool counts = cmd != kCmdNone && !nocount_;
            queue_done(counts ? kDoneCount : kDoneFinal, cmd, count);
            ctx_.last_row_count = count;
        } else if (status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR) {
            handle_error_result(res.get());
        } else if (status == PGRES_EMPTY_QUERY) {
            queue_done(kDoneFinal, kCmdNone, 0);
        } else {
            emit_error(simple_error(50000, 16, std::string("unsupported PostgreSQL result: ") + PQresStatus(status)));
            stop = true;
        }
    }
}

// A plain SELECT's rows, read as `COPY (query) TO STDOUT`: one buffer per row from libpq instead
// of one PGresult per row (single-row mode), same text forms, same order of tokens as
// stream_results: COLMETADATA before the first row (or at the end of an empty result), then
// DONE with the count; an error mid-result follows the rows already sent, with no DONE count.
void TdsSession::stream_copy(const std::vector<ResultColumn>& columns) {
    const int fd = channel_.fd();
    auto client_fd = [&]() { return closed_ || attention_ ? -1 : fd; };
    auto on_client = [&]() { on_client_data(); };
    PGconn* conn = pg_->conn();
    RowStream stream;
    stream.values.resize(columns.size());
    stream.nulls.resize(columns.size());
    bool metadata_sent = false;
    bool stop = false;
    auto send_metadata = [&]() {
        emit(col_metadata_token(columns));
        metadata_sent = true;
    };

    for (;;) {
        if (PQisBusy(conn)) channel_.flush_full_packets();
        PgResult res = pg_->next_result(client_fd(), on_client);
        if (!res) break;
        if (stop || closed_ || attention_) {
            if (PQresultStatus(res.get()) == PGRES_COPY_OUT) pg_->discard_copy_data(client_fd(), on_client);
            continue;
        }
        ExecStatusType status = PQresultStatus(res.get());
        if (status == PGRES_COPY_OUT) {
            for (;;) {
                char* line = nullptr;
                int n = PQgetCopyData(conn, &line, 1);
                if (n > 0) {
                    if (!(stop || closed_ || attention_)) {
                        if (!metadata_sent) send_metadata();
                        if (split_copy_line(std::string_view(line, static_cast<size_t>(n)), stream.values, stream.nulls, stream.unescaped)) {
                            send_row(columns, stream, stop);
                        } else {
                            pg_->cancel();
                            emit_error(simple_error(50000, 16, "malformed COPY row from PostgreSQL"));
                            stop = true;
                        }
                    }
                    PQfreemem(line);
                } else if (n == 0) {
                    channel_.flush_full_packets();
                    if (!pg_->wait_for_input(client_fd(), on_client)) break;
                } else {
                    break;  // -1: the copy is over, its result follows; -2: PQgetResult reports the error
                }
            }
        } else if (status == PGRES_COMMAND_OK) {  // "COPY n": the result set is complete
            if (!metadata_sent) send_metadata();
            queue_done(nocount_ ? kDoneFinal : kDoneCount, kCmdSelect, stream.rows);
            ctx_.last_row_count = stream.rows;
        } else if (status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR) {
            handle_error_result(res.get());
        } else {
            emit_error(simple_error(50000, 16, std::string("unsupported PostgreSQL result: ") + PQresStatus(status)));
            stop = true;
        }
    }
}

}  // namespace berqenas::tds
