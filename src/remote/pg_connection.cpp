// libpq driver. Every wait is a poll() of at most 100 ms, so cancels are seen promptly.
#include "remote/pg_connection.hpp"

#include <poll.h>

#include <cstring>

#include "common/error.hpp"
#include "remote/interrupts.hpp"

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

}  // namespace

PgConnection::PgConnection(const ConnectionParams& params) : params_(params) {
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
            if (e.sqlstate() == sqlstate::query_canceled) throw;
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
            throw Error(sqlstate::connection_failure, "remote " + params_.describe() + " did not answer in time");
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
    throw Error(code, "remote " + params_.describe() + ": " + (primary ? primary : message), message);
}

PgResultPtr PgConnection::exec(const std::string& sql) {
    if (!is_usable()) throw Error(sqlstate::connection_failure, "connection to " + params_.describe() + " is broken");
    if (!PQsendQuery(conn_, sql.c_str())) throw_remote_error(nullptr, "sending a query");
    auto deadline = deadline_after(params_.query_timeout_seconds);
    PgResultPtr last;
    try {
        while (PQflush(conn_) == 1) wait_socket(true, deadline);
        for (;;) {
            while (PQisBusy(conn_)) {
                wait_socket(false, deadline);
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
            while (PQisBusy(conn_) && PQconsumeInput(conn_)) {
                struct pollfd pfd{PQsocket(conn_), POLLIN, 0};
                if (::poll(&pfd, 1, 1000) <= 0) break;
            }
            while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
        }
        throw;
    }
    return last;
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

}  // namespace berqenas::remote
