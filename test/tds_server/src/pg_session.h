// One PostgreSQL session behind one TDS session: connects with the TDS login's credentials,
// waits for results while still noticing the client (for attention), cancels, and looks up
// the mssql_<type> domains that libpq's row descriptions hide.
#pragma once

#include <libpq-fe.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace berqenas::tds {

struct PgResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

struct PgNotice {
    std::string severity;
    std::string message;
};

class PgSession {
public:
    PgSession() = default;
    ~PgSession();
    PgSession(const PgSession&) = delete;
    PgSession& operator=(const PgSession&) = delete;

    // Connects; on failure returns false and fills sqlstate (best guess, libpq gives none for
    // connection failures) and message.
    bool connect(const std::string& host, const std::string& port, const std::string& user,
                 const std::string& password, const std::string& database, std::string& sqlstate,
                 std::string& message);

    PGconn* conn() const { return conn_; }
    std::string database() const { return conn_ ? PQdb(conn_) : ""; }
    int server_version() const { return conn_ ? PQserverVersion(conn_) : 0; }
    // OID of public.mssql_utf16 (text sent as varbinary holding UTF-16LE), 0 when not loaded.
    unsigned utf16_oid() const { return utf16_oid_; }
    bool in_transaction() const;

    // Next result of the query in flight, or null when it is complete. While waiting, calls
    // on_client_data whenever client_fd has bytes (the callback may call cancel()).
    PgResult next_result(int client_fd, const std::function<void()>& on_client_data);
    // While a COPY OUT is in flight and no whole row is buffered: waits for PostgreSQL's socket
    // (calling on_client_data when client_fd has bytes) and reads what came. False when the
    // connection broke (PQgetCopyData and PQgetResult then report it).
    bool wait_for_input(int client_fd, const std::function<void()>& on_client_data);
    // Reads and drops the rest of a COPY OUT.
    void discard_copy_data(int client_fd, const std::function<void()>& on_client_data);
    // Drains the query in flight, discarding its results.
    void drain(int client_fd, const std::function<void()>& on_client_data);
    // Asks the backend to cancel the query in flight (PQcancel on a separate connection).
    void cancel();
    // Runs a statement synchronously (nothing else may be in flight).
    PgResult exec(const std::string& sql);

    // The PostgreSQL database a T-SQL database name means under SQL Server's default
    // case-insensitive collation: the database of exactly that name, else the only one whose name
    // differs from it in case alone, else name unchanged (connecting then fails as it should).
    std::string resolve_database_name(const std::string& name);

    // For each column of a described result: its domain name when it is a table column whose
    // declared type is a domain, else empty.
    std::vector<std::string> column_domains(const PGresult* description);

    // Notices (RAISE NOTICE, warnings) received since the last call.
    std::vector<PgNotice> take_notices();

private:
    static void notice_receiver(void* arg, const PGresult* res);
    PGconn* conn_ = nullptr;
    unsigned utf16_oid_ = 0;
    std::vector<PgNotice> notices_;
};

}  // namespace berqenas::tds
