// libpq driver. Every wait is a poll() of at most 100 ms, so cancels are seen promptly.
#include "remote/postgresql/pg_connection.hpp"

#include <poll.h>

#include <algorithm>
#include <cstring>

#include "common/error.hpp"
#include "remote/interrupts.hpp"
#include "remote/sql_dialect.hpp"
#include "remote/type_mapping.hpp"

namespace berqenas::remote {

namespace {

using Clock = std::chrono::steady_clock;

Clock::time_point deadline_after(int seconds) {
    return seconds > 0 ? Clock::now() + std::chrono::seconds(seconds) : Clock::time_point::max();
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

thread_local Clock::time_point query_deadline = Clock::time_point::max();

// One row of a binary-format result as RemoteValues pointing into the PGresult.
void fill_row(PGresult* r, int row_index, std::vector<RemoteValue>& row) {
    const size_t n = size_t(PQnfields(r));
    row.resize(n);
    for (size_t c = 0; c < n; ++c) {
        RemoteValue& v = row[c];
        if (PQgetisnull(r, row_index, int(c))) {
            v.kind = ValueKind::null;
            v.bytes = {};
        } else {
            v.kind = ValueKind::pg_binary;
            v.bytes = std::string_view(PQgetvalue(r, row_index, int(c)), size_t(PQgetlength(r, row_index, int(c))));
        }
    }
}

}  // namespace

std::string pg_builtin_type_name(uint32_t oid) {
    switch (oid) {
        case 16: return "bool";
        case 17: return "bytea";
        case 18: return "char";
        case 19: return "name";
        case 20: return "int8";
        case 21: return "int2";
        case 23: return "int4";
        case 25: return "text";
        case 26: return "oid";
        case 114: return "json";
        case 142: return "xml";
        case 700: return "float4";
        case 701: return "float8";
        case 790: return "money";
        case 1042: return "bpchar";
        case 1043: return "varchar";
        case 1082: return "date";
        case 1083: return "time";
        case 1114: return "timestamp";
        case 1184: return "timestamptz";
        case 1186: return "interval";
        case 1266: return "timetz";
        case 1700: return "numeric";
        case 2950: return "uuid";
        case 3802: return "jsonb";
        default: return "oid " + std::to_string(oid);
    }
}

// A cursor read in binary, fetch_size rows at a time, with the next FETCH already on the wire
// while the caller works through the current batch.
class PgCursorStream final : public RowStream {
public:
    PgCursorStream(PgConnection& conn, const std::string& sql, int fetch_size, const TextParams& params)
        : conn_(conn), fetch_size_(fetch_size > 0 ? fetch_size : 1000) {
        cursor_ = "berqenas_c" + std::to_string(conn.next_cursor_number());
        if (!conn_.in_transaction()) {
            conn_.begin();
            own_transaction_ = true;
        }
        try {
            conn_.exec_params("DECLARE " + cursor_ + " NO SCROLL CURSOR FOR " + sql, params, false);
            cursor_open_ = true;
            send_fetch();
        } catch (...) {
            abandon();
            throw;
        }
    }
    ~PgCursorStream() override {
        try {
            close();
        } catch (...) {
            // Destructors must not throw; the connection reports its state on next use.
        }
    }

    bool next(std::vector<RemoteValue>& row) override {
        for (;;) {
            if (current_ && row_ < rows_) {
                fill(row);
                ++row_;
                return true;
            }
            if (closed_) return false;
            if (!load_batch()) {
                close();
                return false;
            }
        }
    }

    const std::vector<StreamColumn>& columns() override {
        if (columns_.empty() && !closed_ && !current_) load_batch();
        return columns_;
    }

    void close() override {
        if (closed_) return;
        closed_ = true;
        if (inflight_) {
            try {
                collect();
            } catch (...) {
                abandon();
                throw;
            }
        }
        prefetched_.reset();
        bool aborted = PQtransactionStatus(conn_.native()) == PQTRANS_INERROR;
        if (cursor_open_ && conn_.is_usable() && !aborted) conn_.exec("CLOSE " + cursor_);
        cursor_open_ = false;
        if (own_transaction_) {
            own_transaction_ = false;
            if (aborted) conn_.rollback(); else conn_.commit();
        }
    }

    // Takes the in-flight FETCH's answer off the wire (called by the connection before any
    // other command).
    void collect() {
        inflight_ = false;
        conn_.inflight_ = nullptr;
        prefetched_ = conn_.await_result();
    }

private:
    void send_fetch() {
        conn_.settle();
        conn_.send_params("FETCH " + std::to_string(fetch_size_) + " FROM " + cursor_, {}, true);
        inflight_ = true;
        conn_.inflight_ = this;
    }

    // Makes the next batch current; false when there is none.
    bool load_batch() {
        if (!prefetched_) {
            if (!inflight_) {
                if (exhausted_) return false;
                send_fetch();
            }
            collect();
        }
        current_ = std::move(prefetched_);
        row_ = 0;
        rows_ = current_ ? PQntuples(current_.get()) : 0;
        if (columns_.empty() && current_) {
            int n = PQnfields(current_.get());
            for (int c = 0; c < n; ++c) {
                uint32_t oid = PQftype(current_.get(), c);
                columns_.push_back({PQfname(current_.get(), c), oid, pg_builtin_type_name(oid)});
            }
        }
        if (rows_ < fetch_size_) exhausted_ = true;
        if (!exhausted_) send_fetch();
        return rows_ > 0;
    }

    void fill(std::vector<RemoteValue>& row) {
        fill_row(current_.get(), row_, row);
    }

    // After a failure: forget the in-flight request, and end our own transaction if we can.
    void abandon() {
        closed_ = true;
        if (conn_.inflight_ == this) conn_.inflight_ = nullptr;
        inflight_ = false;
        if (own_transaction_ && conn_.is_usable()) {
            own_transaction_ = false;
            try {
                conn_.rollback();
            } catch (...) {
            }
        }
    }

    PgConnection& conn_;
    std::string cursor_;
    int fetch_size_;
    bool own_transaction_ = false;
    bool cursor_open_ = false;
    bool inflight_ = false;
    bool exhausted_ = false;
    bool closed_ = false;
    PgResultPtr current_;
    PgResultPtr prefetched_;
    int row_ = 0;
    int rows_ = 0;
    std::vector<StreamColumn> columns_;
};

// A finished statement's result (RETURNING rows) read row by row.
class PgResultStream final : public RowStream {
public:
    explicit PgResultStream(PgResultPtr result) : result_(std::move(result)) {
        if (!result_) return;
        const char* tuples = PQcmdTuples(result_.get());
        affected_ = tuples && *tuples ? std::atoll(tuples) : -1;
        if (PQresultStatus(result_.get()) == PGRES_TUPLES_OK) {
            rows_ = PQntuples(result_.get());
            for (int c = 0; c < PQnfields(result_.get()); ++c) {
                uint32_t oid = PQftype(result_.get(), c);
                columns_.push_back({PQfname(result_.get(), c), oid, pg_builtin_type_name(oid)});
            }
        }
    }
    bool next(std::vector<RemoteValue>& row) override {
        if (row_ >= rows_) return false;
        fill_row(result_.get(), row_, row);
        ++row_;
        return true;
    }
    void close() override { row_ = rows_; }
    const std::vector<StreamColumn>& columns() override { return columns_; }
    long long affected_rows() const override { return affected_; }

private:
    PgResultPtr result_;
    std::vector<StreamColumn> columns_;
    int rows_ = 0;
    int row_ = 0;
    long long affected_ = -1;
};

PgConnection::PgConnection(const ConnectionParams& params) : params_(params) {
    // libpq would fill an empty password from PGPASSWORD or ~/.pgpass of the server's OS user.
    if (params.require_password && params.password.empty())
        throw Error(sqlstate::invalid_authorization, "password is required to connect to " + params_.describe(),
                    "the registration has an empty password",
                    "a non-superuser's remote connection must authenticate with a password");
    std::string port = std::to_string(params.port);
    std::string timeout = std::to_string(params.connect_timeout_seconds);
    const char* keys[] = {"host", "port", "dbname", "user", "password", "application_name",
                          "connect_timeout", "client_encoding", "sslmode", nullptr};
    const char* values[] = {params.host.c_str(), port.c_str(), params.database.c_str(), params.user.c_str(),
                            params.password.c_str(), params.application_name.c_str(), timeout.c_str(), "UTF8",
                            "prefer", nullptr};
    conn_ = PQconnectStartParams(keys, values, 0);
    if (conn_ == nullptr) throw Error(sqlstate::out_of_memory, "out of memory while connecting");
    auto deadline = deadline_after(params.connect_timeout_seconds);
    PostgresPollingStatusType status = PGRES_POLLING_WRITING;
    while (PQstatus(conn_) != CONNECTION_BAD && status != PGRES_POLLING_OK && status != PGRES_POLLING_FAILED) {
        try {
            wait_socket(status == PGRES_POLLING_WRITING, deadline);
        } catch (const Error& e) {
            PQfinish(conn_);
            conn_ = nullptr;
            if (e.sqlstate() == sqlstate::query_canceled && Clock::now() < deadline) throw;
            throw Error(sqlstate::cannot_connect, "cannot connect to " + params_.describe() + ": timed out after " +
                                                      std::to_string(params.connect_timeout_seconds) + " s",
                        {}, "check that the host is reachable (WireGuard up?) and the port is right");
        }
        status = PQconnectPoll(conn_);
    }
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string message = trim(PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
        bool auth = message.find("password authentication failed") != std::string::npos ||
                    message.find("no pg_hba.conf entry") != std::string::npos;
        throw Error(auth ? sqlstate::invalid_authorization : sqlstate::cannot_connect,
                    "cannot connect to " + params_.describe() + ": " + message, message);
    }
    if (params.require_password && !PQconnectionUsedPassword(conn_)) {
        PQfinish(conn_);
        conn_ = nullptr;
        throw Error(sqlstate::invalid_authorization, "password is required to connect to " + params_.describe(),
                    "the remote server let the connection in without asking for its password",
                    "a non-superuser's remote connection must authenticate with a password: make the remote "
                    "ask for one (scram-sha-256 in pg_hba.conf), or have a superuser register it");
    }
    PQsetnonblocking(conn_, 1);
}

PgConnection::~PgConnection() {
    if (conn_ != nullptr) PQfinish(conn_);
}

bool PgConnection::is_usable() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

void PgConnection::wait_socket(bool for_write, Clock::time_point deadline) {
    for (;;) {
        check_interrupts();
        if (Clock::now() >= deadline)
            throw Error(sqlstate::query_canceled, "remote " + params_.describe() + " did not answer within " +
                                                      std::to_string(params_.query_timeout_seconds) + " s",
                        {}, "raise the query_timeout option or berqenas.remote_query_timeout");
        struct pollfd pfd;
        pfd.fd = PQsocket(conn_);
        pfd.events = for_write ? POLLOUT : POLLIN;
        pfd.revents = 0;
        if (pfd.fd < 0) throw Error(sqlstate::connection_failure, "connection to " + params_.describe() + " was lost");
        int rc = ::poll(&pfd, 1, 100);
        if (rc > 0) return;
        if (rc < 0 && errno != EINTR)
            throw Error(sqlstate::connection_failure, std::string("poll failed: ") + std::strerror(errno));
    }
}

void PgConnection::cancel_running_query() {
    if (conn_ == nullptr) return;
    PGcancel* cancel = PQgetCancel(conn_);
    if (cancel == nullptr) return;
    char errbuf[256];
    PQcancel(cancel, errbuf, sizeof errbuf);
    PQfreeCancel(cancel);
}

void PgConnection::throw_remote_error(const PGresult* result, const std::string& what) {
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = trim(result ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
    if (message.empty()) message = trim(PQerrorMessage(conn_));
    if (PQstatus(conn_) != CONNECTION_OK)
        throw Error(sqlstate::connection_failure, "connection to " + params_.describe() + " was lost during " + what,
                    message);
    // Keep the remote's own SQLSTATE so a remote unique violation is 23505 here too.
    std::string code = state && std::strlen(state) == 5 ? state : sqlstate::fdw_error;
    const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const char* detail = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL) : nullptr;
    std::string full = "remote error " + code + ": " + (primary ? primary : message);
    if (detail && *detail) full += " (" + std::string(detail) + ")";
    throw Error(code, "remote " + params_.describe() + ": " + (primary ? primary : message), full);
}

void PgConnection::settle() {
    if (inflight_ != nullptr) inflight_->collect();
}

void PgConnection::send_params(const std::string& sql, const TextParams& params, bool binary_results) {
    if (!is_usable()) throw Error(sqlstate::connection_failure, "connection to " + params_.describe() + " is broken");
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    int ok = PQsendQueryParams(conn_, sql.c_str(), int(params.size()), nullptr, params.empty() ? nullptr : values.data(),
                               nullptr, nullptr, binary_results ? 1 : 0);
    if (!ok) throw_remote_error(nullptr, "sending a query");
    query_deadline = deadline_after(params_.query_timeout_seconds);
}

PgResultPtr PgConnection::await_result() {
    PgResultPtr last;
    try {
        while (PQflush(conn_) == 1) wait_socket(true, query_deadline);
        for (;;) {
            while (PQisBusy(conn_)) {
                wait_socket(false, query_deadline);
                if (!PQconsumeInput(conn_)) throw_remote_error(nullptr, "reading a result");
            }
            PGresult* r = PQgetResult(conn_);
            if (r == nullptr) break;
            PgResultPtr current(r);
            ExecStatusType status = PQresultStatus(r);
            if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE) {
                // Drain the rest so the connection stays usable, then report.
                while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
                throw_remote_error(r, "a query");
            }
            last = std::move(current);
        }
    } catch (const Error& e) {
        if (e.sqlstate() == sqlstate::query_canceled || e.sqlstate() == sqlstate::connection_failure) {
            cancel_running_query();
            // Give the remote a moment to stop, so the connection can be reused.
            while (is_usable() && PQisBusy(conn_) && PQconsumeInput(conn_)) {
                struct pollfd pfd{PQsocket(conn_), POLLIN, 0};
                if (::poll(&pfd, 1, 1000) <= 0) break;
            }
            if (is_usable())
                while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
        }
        throw;
    }
    return last;
}

PgResultPtr PgConnection::exec(const std::string& sql) {
    settle();
    if (!is_usable()) throw Error(sqlstate::connection_failure, "connection to " + params_.describe() + " is broken");
    if (!PQsendQuery(conn_, sql.c_str())) throw_remote_error(nullptr, "sending a query");
    query_deadline = deadline_after(params_.query_timeout_seconds);
    return await_result();
}

PgResultPtr PgConnection::exec_params(const std::string& sql, const TextParams& params, bool binary_results) {
    settle();
    send_params(sql, params, binary_results);
    return await_result();
}

long long PgConnection::execute(const std::string& sql) {
    PgResultPtr r = exec(sql);
    const char* tuples = r ? PQcmdTuples(r.get()) : "";
    return tuples && *tuples ? std::atoll(tuples) : 0;
}

TextResult PgConnection::query_text(const std::string& sql) {
    PgResultPtr r = exec(sql);
    TextResult out;
    if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK) return out;
    int ncols = PQnfields(r.get());
    for (int c = 0; c < ncols; ++c) out.columns.emplace_back(PQfname(r.get(), c));
    int nrows = PQntuples(r.get());
    out.rows.reserve(nrows);
    for (int i = 0; i < nrows; ++i) {
        std::vector<std::optional<std::string>> row;
        row.reserve(ncols);
        for (int c = 0; c < ncols; ++c) {
            if (PQgetisnull(r.get(), i, c))
                row.emplace_back(std::nullopt);
            else
                row.emplace_back(std::string(PQgetvalue(r.get(), i, c), PQgetlength(r.get(), i, c)));
        }
        out.rows.push_back(std::move(row));
    }
    return out;
}

std::string PgConnection::server_version() {
    TextResult r = query_text("SELECT pg_catalog.version()");
    if (r.rows.empty() || !r.rows[0][0]) return {};
    return *r.rows[0][0];
}

std::vector<std::string> PgConnection::list_tables(const std::string& schema) {
    PgResultPtr r = exec_params(
        "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'm', 'f', 'p') AND NOT c.relispartition ORDER BY 1",
        {schema.empty() ? std::string("public") : schema}, false);
    std::vector<std::string> out;
    for (int i = 0; r && i < PQntuples(r.get()); ++i) out.emplace_back(PQgetvalue(r.get(), i, 0));
    return out;
}

RemoteTable PgConnection::describe_table(const std::string& schema, const std::string& table) {
    RemoteTable out;
    out.schema = schema.empty() ? "public" : schema;
    out.name = table;
    PgResultPtr r = exec_params(R"(
        WITH rel AS (SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname = $1 AND c.relname = $2),
             pk AS (SELECT k.attnum, k.ord FROM pg_catalog.pg_index i, rel,
                           unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                     WHERE i.indrelid = rel.oid AND i.indisprimary)
        SELECT a.attname,
               pg_catalog.format_type(a.atttypid, a.atttypmod),
               coalesce(information_schema._pg_char_max_length(a.atttypid, a.atttypmod), 0),
               coalesce(information_schema._pg_numeric_precision(a.atttypid, a.atttypmod), 0),
               coalesce(information_schema._pg_numeric_scale(a.atttypid, a.atttypmod), 0),
               NOT a.attnotnull,
               coalesce(pk.ord, 0),
               CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod)
                    WHEN t.typtype = 'e' THEN 'text'
                    WHEN et.typtype = 'e' THEN 'text[]'
                    WHEN et.typtype = 'd' THEN pg_catalog.format_type(et.typbasetype, et.typtypmod) || '[]'
                    ELSE '' END,
               a.atttypid >= 16384   -- FirstNormalObjectId: not a built-in type
          FROM rel JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.oid
          JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
          LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
          LEFT JOIN pk ON pk.attnum = a.attnum
         WHERE a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum)",
                                {out.schema, table}, false);
    int n = r ? PQntuples(r.get()) : 0;
    if (n == 0)
        throw Error(sqlstate::undefined_table, "remote table " + qualified_name(DatabaseKind::postgresql, out.schema, table) +
                                 " does not exist on " + params_.describe());
    std::vector<std::pair<int, std::string>> key;
    for (int i = 0; i < n; ++i) {
        RemoteColumn c;
        c.name = PQgetvalue(r.get(), i, 0);
        c.remote_type = PQgetvalue(r.get(), i, 1);
        c.max_length = std::atoi(PQgetvalue(r.get(), i, 2));
        c.precision = std::atoi(PQgetvalue(r.get(), i, 3));
        c.scale = std::atoi(PQgetvalue(r.get(), i, 4));
        c.nullable = PQgetvalue(r.get(), i, 5)[0] == 't';
        int ord = std::atoi(PQgetvalue(r.get(), i, 6));
        c.in_primary_key = ord > 0;
        if (ord > 0) key.emplace_back(ord, c.name);
        c.fallback_type = PQgetvalue(r.get(), i, 7);
        c.read_as_text = PQgetvalue(r.get(), i, 8)[0] == 't';
        out.columns.push_back(std::move(c));
    }
    std::sort(key.begin(), key.end());
    for (auto& k : key) out.primary_key.push_back(k.second);
    apply_type_mapping(DatabaseKind::postgresql, out);
    return out;
}

std::unique_ptr<RowStream> PgConnection::open_stream(const std::string& sql, int fetch_size, const TextParams& params) {
    return std::make_unique<PgCursorStream>(*this, sql, fetch_size, params);
}

std::unique_ptr<RowStream> PgConnection::query(const std::string& sql, const TextParams& params) {
    return std::make_unique<PgResultStream>(exec_params(sql, params, true));
}

void PgConnection::begin() {
    if (in_transaction_) return;
    exec("BEGIN");
    in_transaction_ = true;
}

void PgConnection::commit() {
    if (!in_transaction_) return;
    in_transaction_ = false;
    exec("COMMIT");
}

bool PgConnection::begin_consistent_read() {
    begin();
    exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    return true;
}

void PgConnection::rollback() {
    if (!in_transaction_) return;
    in_transaction_ = false;
    if (!is_usable()) return;
    // Rollback also runs while a local abort is cleaning up: never wait on the remote for long.
    int saved_timeout = params_.query_timeout_seconds;
    params_.query_timeout_seconds = saved_timeout > 0 && saved_timeout < 30 ? saved_timeout : 30;
    try {
        if (inflight_ != nullptr) {
            try {
                settle();
            } catch (const Error&) {
                // The batch we were waiting for failed; the rollback below ends it anyway.
            }
        }
        exec("ROLLBACK");
    } catch (...) {
        params_.query_timeout_seconds = saved_timeout;
        throw;
    }
    params_.query_timeout_seconds = saved_timeout;
}

bool PgConnection::listen(const std::string& channel) {
    execute("LISTEN " + channel);
    return true;
}

int PgConnection::notification_socket() const { return PQsocket(conn_); }

int PgConnection::consume_notifications() {
    PQconsumeInput(conn_);
    int n = 0;
    while (PGnotify* notify = PQnotifies(conn_)) {
        PQfreemem(notify);
        ++n;
    }
    return n;
}

}  // namespace berqenas::remote
