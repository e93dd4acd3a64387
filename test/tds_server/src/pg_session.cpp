// libpq in non-blocking style so a query can be cancelled the moment the client sends an
// attention, even while the backend is busy and no rows flow.
#include "pg_session.h"

#include <poll.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace berqenas::tds {

namespace {
// A password file that cannot exist (/dev/null is no directory): libpq finds nothing, silently.
constexpr const char* kNoPasswordFile = "/dev/null/no-pgpass";
}  // namespace

PgSession::~PgSession() {
    if (conn_) PQfinish(conn_);
}

bool PgSession::connect(const std::string& host, const std::string& port, const std::string& user,
                        const std::string& password, const std::string& database, std::string& sqlstate,
                        std::string& message) {
    // libpq treats an empty password as none given and then takes PGPASSWORD or a password file:
    // the login would be checked against the server's own credentials. No PostgreSQL role can
    // have an empty password (PASSWORD '' stores none), so an empty one is never the login's.
    if (password.empty()) {
        sqlstate = "28P01";
        message = "empty password (no PostgreSQL role has one)";
        return false;
    }
    // ISO dates and hex bytea are what type_encoder parses; UTF-8 is what it converts from. The
    // password file is a path that cannot exist, so ~/.pgpass is never read either.
    const char* keys[] = {"host", "port", "user", "password", "passfile", "dbname", "client_encoding",
                          "application_name", "options", "connect_timeout", nullptr};
    const char* values[] = {host.c_str(),
                            port.c_str(),
                            user.c_str(),
                            password.c_str(),
                            kNoPasswordFile,
                            database.c_str(),
                            "UTF8",
                            "berqenas-tds-server",
                            "-c DateStyle=ISO,YMD -c bytea_output=hex -c IntervalStyle=postgres",
                            "10",
                            nullptr};
    conn_ = PQconnectdbParams(keys, values, 0);
    if (PQstatus(conn_) == CONNECTION_OK && !PQconnectionUsedPassword(conn_)) {
        // trust, peer or cert in pg_hba.conf: PostgreSQL let the login in without looking at its
        // password, and this server has no other way to check it.
        sqlstate = "28000";
        message = "PostgreSQL did not check the password (pg_hba.conf trusts this connection); the TDS test "
                  "server needs password authentication (scram-sha-256 or md5), e.g. over TCP";
        PQfinish(conn_);
        conn_ = nullptr;
        return false;
    }
    if (PQstatus(conn_) != CONNECTION_OK) {
        message = PQerrorMessage(conn_);
        while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
        if (message.find("does not exist") != std::string::npos && message.find("database") != std::string::npos)
            sqlstate = "3D000";
        else if (message.find("password") != std::string::npos || message.find("authentication") != std::string::npos)
            sqlstate = "28P01";
        else
            sqlstate = "08001";
        PQfinish(conn_);
        conn_ = nullptr;
        return false;
    }
    PQsetNoticeReceiver(conn_, &PgSession::notice_receiver, this);
    // The type CAST(text AS varbinary) evaluates to (mssql_types.sql), when it is loaded.
    PgResult t = exec("SELECT to_regtype('public.mssql_utf16')::oid");
    if (PQresultStatus(t.get()) == PGRES_TUPLES_OK && PQntuples(t.get()) == 1 && !PQgetisnull(t.get(), 0, 0))
        utf16_oid_ = static_cast<unsigned>(std::strtoul(PQgetvalue(t.get(), 0, 0), nullptr, 10));
    return true;
}

void PgSession::notice_receiver(void* arg, const PGresult* res) {
    auto* self = static_cast<PgSession*>(arg);
    const char* sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char* msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    self->notices_.push_back({sev ? sev : "NOTICE", msg ? msg : ""});
}

std::vector<PgNotice> PgSession::take_notices() {
    std::vector<PgNotice> out;
    out.swap(notices_);
    return out;
}

bool PgSession::in_transaction() const {
    if (!conn_) return false;
    auto s = PQtransactionStatus(conn_);
    return s == PQTRANS_INTRANS || s == PQTRANS_INERROR;
}

PgResult PgSession::next_result(int client_fd, const std::function<void()>& on_client_data) {
    while (PQisBusy(conn_)) {
        pollfd fds[2] = {{PQsocket(conn_), POLLIN, 0}, {client_fd, POLLIN, 0}};
        int r = ::poll(fds, client_fd >= 0 ? 2 : 1, -1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) break;
        if (client_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) on_client_data();
        if (fds[0].revents) {
            if (!PQconsumeInput(conn_)) break;  // connection lost: PQgetResult reports it
        }
    }
    return PgResult(PQgetResult(conn_));
}

bool PgSession::wait_for_input(int client_fd, const std::function<void()>& on_client_data) {
    for (;;) {
        pollfd fds[2] = {{PQsocket(conn_), POLLIN, 0}, {client_fd, POLLIN, 0}};
        int r = ::poll(fds, client_fd >= 0 ? 2 : 1, -1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return false;
        if (client_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) on_client_data();
        if (fds[0].revents) return PQconsumeInput(conn_) != 0;
        return true;  // only the client spoke; the caller looks for rows again
    }
}

void PgSession::discard_copy_data(int client_fd, const std::function<void()>& on_client_data) {
    for (;;) {
        char* line = nullptr;
        int n = PQgetCopyData(conn_, &line, 1);
        if (n > 0) {
            PQfreemem(line);
        } else if (n < 0 || !wait_for_input(client_fd, on_client_data)) {
            return;
        }
    }
}

void PgSession::drain(int client_fd, const std::function<void()>& on_client_data) {
    while (next_result(client_fd, on_client_data)) {
    }
}

void PgSession::cancel() {
    PGcancel* c = PQgetCancel(conn_);
    if (!c) return;
    char err[256];
    PQcancel(c, err, sizeof err);
    PQfreeCancel(c);
}

PgResult PgSession::exec(const std::string& sql) { return PgResult(PQexec(conn_, sql.c_str())); }

std::string PgSession::resolve_database_name(const std::string& name) {
    if (!conn_) return name;
    const char* params[] = {name.c_str()};
    PgResult r(PQexecParams(conn_,
                            "SELECT datname FROM pg_catalog.pg_database WHERE lower(datname) = lower($1) "
                            "ORDER BY datname = $1 DESC LIMIT 2",
                            1, nullptr, params, nullptr, nullptr, 0));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK || PQntuples(r.get()) == 0) return name;
    std::string first = PQgetvalue(r.get(), 0, 0);
    // Two names differing in case only cannot both exist on SQL Server: without an exact match
    // there is no telling which one was meant.
    if (first != name && PQntuples(r.get()) > 1) return name;
    return first;
}

std::vector<std::string> PgSession::column_domains(const PGresult* description) {
    int n = PQnfields(description);
    std::vector<std::string> out(static_cast<size_t>(n));
    std::string pairs;
    for (int i = 0; i < n; ++i) {
        Oid table = PQftable(description, i);
        int col = PQftablecol(description, i);
        if (table == InvalidOid || col <= 0) continue;
        pairs += std::string(pairs.empty() ? "" : ",") + "(" + std::to_string(table) + "," + std::to_string(col) + ")";
    }
    if (pairs.empty()) return out;
    // Only domains matter: a plain column's type is already in the row description.
    std::string sql =
        "SELECT a.attrelid, a.attnum, t.typname FROM pg_catalog.pg_attribute a "
        "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid AND t.typtype = 'd' "
        "WHERE (a.attrelid, a.attnum) IN (VALUES " + pairs + ")";
    PgResult r = exec(sql);
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) return out;
    for (int row = 0; row < PQntuples(r.get()); ++row) {
        unsigned long rel = std::strtoul(PQgetvalue(r.get(), row, 0), nullptr, 10);
        int attnum = std::atoi(PQgetvalue(r.get(), row, 1));
        for (int i = 0; i < n; ++i) {
            if (PQftable(description, i) == rel && PQftablecol(description, i) == attnum)
                out[static_cast<size_t>(i)] = PQgetvalue(r.get(), row, 2);
        }
    }
    return out;
}

}  // namespace berqenas::tds
