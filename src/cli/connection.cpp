// libpq for the command line: connect from a DSN or the PG* variables, run one parameterized
// statement (Ctrl-C cancels it on the server), turn a server error into ServerError, pass
// NOTICE/WARNING through to stderr.
#include "connection.hpp"

#include <fmt/core.h>

#include <csignal>
#include <cstdio>
#include <memory>

namespace berqenas::cli {
namespace {

std::string field(const PGresult* res, int code) {
    const char* value = PQresultErrorField(res, code);
    return value != nullptr ? value : "";
}

// Server messages below ERROR (NOTICE, WARNING) go to stderr as they arrive.
void print_notice(void*, const PGresult* res) {
    std::string severity = field(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (severity.empty()) severity = "NOTICE";
    fmt::print(stderr, "berqenas: {}: {}\n", severity, field(res, PG_DIAG_MESSAGE_PRIMARY));
    std::string detail = field(res, PG_DIAG_MESSAGE_DETAIL);
    if (!detail.empty()) fmt::print(stderr, "DETAIL:  {}\n", detail);
    std::string hint = field(res, PG_DIAG_MESSAGE_HINT);
    if (!hint.empty()) fmt::print(stderr, "HINT:  {}\n", hint);
}

// libpq messages end with a newline; the caller adds its own.
std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

// While a statement runs, the first Ctrl-C asks the server to cancel it (the statement then fails
// with 57014 and the sync is recorded as cancelled); a second one ends the CLI at once. Without
// this the server would go on with the statement after the client died.
PGcancel* volatile running_cancel = nullptr;

void cancel_running_statement(int) {
    PGcancel* cancel = running_cancel;
    if (cancel != nullptr) {
        char errbuf[256];
        PQcancel(cancel, errbuf, sizeof errbuf);   // async-signal-safe by libpq's documentation
    }
}

class CancelOnInterrupt {
public:
    explicit CancelOnInterrupt(PGconn* conn) : cancel_(PQgetCancel(conn)) {
        running_cancel = cancel_;
        struct sigaction action {};
        action.sa_handler = cancel_running_statement;
        action.sa_flags = SA_RESETHAND | SA_RESTART;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, &previous_);
    }
    ~CancelOnInterrupt() {
        sigaction(SIGINT, &previous_, nullptr);
        running_cancel = nullptr;
        if (cancel_ != nullptr) PQfreeCancel(cancel_);
    }
    CancelOnInterrupt(const CancelOnInterrupt&) = delete;
    CancelOnInterrupt& operator=(const CancelOnInterrupt&) = delete;

private:
    PGcancel* cancel_;
    struct sigaction previous_ {};
};

}  // namespace

const std::optional<std::string>& QueryResult::scalar() const {
    if (rows.size() != 1 || rows[0].size() != 1) {
        throw std::logic_error(fmt::format("expected one value, the server returned {} row(s)", rows.size()));
    }
    return rows[0][0];
}

Connection::Connection(const std::string& dsn) {
    const char* keywords[] = {"dbname", "fallback_application_name", nullptr};
    const char* values[] = {dsn.empty() ? nullptr : dsn.c_str(), "berqenas", nullptr};
    conn_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
    if (conn_ == nullptr) {
        throw ServerError("08001", "cannot connect to the cloud PostgreSQL: out of memory", "", "");
    }
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string message = trimmed(PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
        throw ServerError("08001", "cannot connect to the cloud PostgreSQL: " + message, "",
                          "give --dsn, or set PGHOST, PGPORT, PGUSER, PGDATABASE (and PGPASSWORD or ~/.pgpass)");
    }
    PQsetNoticeReceiver(conn_, print_notice, nullptr);
}

Connection::~Connection() {
    if (conn_ != nullptr) PQfinish(conn_);
}

QueryResult Connection::exec(const std::string& sql, const std::vector<Param>& params) const {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
    CancelOnInterrupt cancel_on_interrupt(conn_);
    std::unique_ptr<PGresult, decltype(&PQclear)> res(
        PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(), nullptr,
                     nullptr, /*resultFormat=*/0),
        &PQclear);
    if (!res) {
        throw ServerError("08006", "lost the connection to the cloud PostgreSQL: " + trimmed(PQerrorMessage(conn_)),
                          "", "");
    }
    ExecStatusType status = PQresultStatus(res.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        std::string sqlstate = field(res.get(), PG_DIAG_SQLSTATE);
        std::string message = field(res.get(), PG_DIAG_MESSAGE_PRIMARY);
        if (message.empty()) message = trimmed(PQerrorMessage(conn_));
        // No SQLSTATE: libpq itself failed (the server went away mid-statement).
        if (sqlstate.empty()) sqlstate = PQstatus(conn_) == CONNECTION_BAD ? "08006" : "XX000";
        throw ServerError(sqlstate, message, field(res.get(), PG_DIAG_MESSAGE_DETAIL),
                          field(res.get(), PG_DIAG_MESSAGE_HINT));
    }
    QueryResult out;
    int ncols = PQnfields(res.get());
    int nrows = PQntuples(res.get());
    for (int c = 0; c < ncols; ++c) out.columns.push_back({PQfname(res.get(), c), PQftype(res.get(), c)});
    out.rows.reserve(static_cast<size_t>(nrows));
    for (int r = 0; r < nrows; ++r) {
        std::vector<std::optional<std::string>> row;
        row.reserve(static_cast<size_t>(ncols));
        for (int c = 0; c < ncols; ++c) {
            if (PQgetisnull(res.get(), r, c)) {
                row.emplace_back(std::nullopt);
            } else {
                row.emplace_back(std::string(PQgetvalue(res.get(), r, c),
                                             static_cast<size_t>(PQgetlength(res.get(), r, c))));
            }
        }
        out.rows.push_back(std::move(row));
    }
    return out;
}

}  // namespace berqenas::cli
