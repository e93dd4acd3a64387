// db-lib driver. Waits are sliced by a 1-second db-lib timeout: each time it fires the error
// handler decides to go on waiting, or to cancel the batch (local cancel, query timeout).
#include "remote/mssql/mssql_connection.hpp"

#include <cerrno>
#include <cstring>
#include <mutex>

#include "common/error.hpp"
#include "remote/identifier.hpp"
#include "remote/interrupts.hpp"
#include "remote/mssql/mssql_row_stream.hpp"
#include "remote/sql_dialect.hpp"
#include "remote/type_mapping.hpp"

namespace berqenas::remote {

namespace {

// The connection whose call is running; db-lib gives the handlers a DBPROCESS (or none during
// login), and a backend runs one remote call at a time. A plain static, not thread_local: db-lib's
// handlers are process-wide anyway, and a thread_local in a shared library costs a
// __tls_get_addr call on every access (twice per row read).
MssqlConnection* active_connection = nullptr;

using ActiveScope = MssqlActiveScope;

constexpr int kPacketSize = 32767;
constexpr std::chrono::seconds kTimerPeriod{1};   // dbsettime(): SYBETIME fires after each second of waiting

int handle_error(DBPROCESS*, int severity, int dberr, int oserr, char* dberrstr, char* oserrstr) {
    MssqlConnection* c = active_connection;
    if (dberr == SYBETIME) {
        // Fired every second while waiting (for a batch or, during login, for the server's answer):
        // keep waiting unless cancelled or past the deadline. Rows read since the deadline was set
        // mean this wait began after the last of them, one timer period ago: the timeout counts
        // from there.
        if (c != nullptr && c->rows_read_ != c->rows_read_at_deadline_) c->restart_deadline(kTimerPeriod);
        if (c != nullptr && !interrupt_pending() && std::chrono::steady_clock::now() < c->deadline_) return INT_CONTINUE;
        if (c != nullptr)
            c->messages_.push_back({SYBETIME, severity, false,
                                    interrupt_pending() ? "cancelled" : c->logging_in_ ? "login timed out" : "query timed out"});
        // During login there is no batch to cancel: fail dbopen() (INT_TIMEOUT would keep it waiting).
        return c == nullptr || c->logging_in_ ? INT_CANCEL : INT_TIMEOUT;
    }
    if (c != nullptr) {
        std::string text = dberrstr ? dberrstr : "db-lib error";
        if (oserrstr && *oserrstr) text += std::string(" (") + oserrstr + ")";
        c->messages_.push_back({dberr, severity, false, text, oserr});
    }
    return INT_CANCEL;
}

int handle_message(DBPROCESS*, DBINT msgno, int, int severity, char* msgtext, char*, char*, int) {
    MssqlConnection* c = active_connection;
    // 5701/5703: "changed database context / language" chatter during login.
    if (c != nullptr && msgno != 5701 && msgno != 5703 && severity > 0)
        c->messages_.push_back({int(msgno), severity, true, msgtext ? msgtext : ""});
    return 0;
}

void init_dblib() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (dbinit() == FAIL) throw Error(sqlstate::internal_error, "FreeTDS db-lib could not be initialised");
        dberrhandle(handle_error);
        dbmsghandle(handle_message);
        dbsettime(int(kTimerPeriod.count()));
    });
}

struct LoginRecord {
    LOGINREC* login = dblogin();
    ~LoginRecord() {
        if (login) dbloginfree(login);
    }
};

// db-lib refuses a LOGINREC name (user, password, application, database) longer than this many
// bytes (SYBENTLL) and leaves the field as it was: unchecked, a long password became an empty one.
constexpr size_t kMaxLoginName = 128;

// One dbsetlname() field; what: "password", "user name", ... The value never goes into a message.
void set_login_name(LOGINREC* login, int which, const std::string& value, const char* what,
                    const ConnectionParams& params) {
    if (value.size() > kMaxLoginName)
        throw Error(sqlstate::invalid_parameter,
                    std::string("MSSQL ") + what + " for " + params.describe() + " is " + std::to_string(value.size()) +
                        " bytes long; FreeTDS db-lib sends at most " + std::to_string(kMaxLoginName) + " bytes",
                    {}, std::string("SQL Server's own limit is 128 characters; register the database again with a ") +
                            what + " of at most " + std::to_string(kMaxLoginName) + " bytes (UTF-8)");
    if (dbsetlname(login, value.c_str(), which) == FAIL)
        throw Error(sqlstate::internal_error, std::string("FreeTDS db-lib refused the MSSQL ") + what + " for " +
                                                  params.describe());
}

void check_login_setting(RETCODE rc, const char* what, const ConnectionParams& params) {
    if (rc == FAIL)
        throw Error(sqlstate::internal_error,
                    std::string("FreeTDS db-lib refused the login's ") + what + " for " + params.describe());
}

}  // namespace

MssqlActiveScope::MssqlActiveScope(MssqlConnection* conn) : previous(active_connection) { active_connection = conn; }
MssqlActiveScope::~MssqlActiveScope() { active_connection = previous; }

void MssqlConnection::restart_deadline(std::chrono::steady_clock::duration waited) {
    rows_read_at_deadline_ = rows_read_;
    deadline_ = params_.query_timeout_seconds > 0
                    ? std::chrono::steady_clock::now() - waited + std::chrono::seconds(params_.query_timeout_seconds)
                    : std::chrono::steady_clock::time_point::max();
}

const char* sqlstate_for_mssql_error(int number) {
    switch (number) {
        case 2627:
        case 2601: return "23505";
        case 547: return "23000";
        case 515: return "23502";
        case 208: return "42P01";
        case 207: return "42703";
        case 102:
        case 156: return "42601";
        case 1205: return "40P01";
        case 18456: return sqlstate::invalid_authorization;
        case 8134: return "22012";
        case 8152:   // String or binary data would be truncated (2628 names the column, SQL Server 2019+)
        case 2628: return "22001";
        case 8115:   // Arithmetic overflow error converting / for data type
        case 220:
        case 232: return "22003";
        case 245:
        case 8114: return "22P02";
        default: return sqlstate::fdw_error;
    }
}

MssqlConnection::MssqlConnection(const ConnectionParams& params) : params_(params) {
    // SQL authentication always sends the password, so only an empty one can let a non-superuser in
    // on something other than her own credentials (a server that takes any login, or none).
    if (params.require_password && params.password.empty())
        throw Error(sqlstate::invalid_authorization, "password is required to connect to " + params_.describe(),
                    "the registration has an empty password",
                    "a non-superuser's remote connection must authenticate with a password");
    init_dblib();
    ActiveScope scope(this);
    LoginRecord rec;
    if (rec.login == nullptr) throw Error(sqlstate::out_of_memory, "db-lib could not allocate a login record");
    set_login_name(rec.login, DBSETUSER, params.user, "user name", params_);
    set_login_name(rec.login, DBSETPWD, params.password, "password", params_);
    set_login_name(rec.login, DBSETAPP, params.application_name, "application name", params_);
    set_login_name(rec.login, DBSETCHARSET, "UTF-8", "client character set", params_);
    if (!params.database.empty()) set_login_name(rec.login, DBSETDBNAME, params.database, "database name", params_);
    check_login_setting(dbsetlversion(rec.login, DBVERSION_74), "TDS version (7.4)", params_);
    // By default the largest TDS packet SQL Server accepts: a 1M-row result then takes 8x fewer
    // packets (reads, header checks) than at db-lib's default of 4096. The server answers with the
    // size it will use. A server sends only full packets, so a result that trickles out slowly is
    // seen later with big ones: the packet_size option trades that back.
    check_login_setting(DBSETLPACKET(rec.login, params.packet_size > 0 ? params.packet_size : kPacketSize),
                        "packet size", params_);
    // A login must stop at a cancel or statement_timeout as promptly as a batch, but db-lib calls
    // nothing of ours while it waits in dbopen() except SYBETIME when a login-time slice of silence
    // ends. So the login time is one timer period, and the error handler goes on waiting until
    // this deadline unless a cancel is pending. The TCP connect gives up at the end of that one
    // period without asking (SYBECONN with ETIMEDOUT): it is tried again until the deadline.
    int login_seconds = params.connect_timeout_seconds > 0 ? params.connect_timeout_seconds : 60;
    check_login_setting(dbsetlogintime(int(kTimerPeriod.count())), "login timeout", params_);
    deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(login_seconds);
    std::string server = params.host + ":" + std::to_string(params.port);
    auto connect_timed_out = [this] {
        for (const auto& m : messages_)
            if (m.number == SYBECONN && m.os_error == ETIMEDOUT) return true;
        return false;
    };
    logging_in_ = true;
    for (;;) {
        messages_.clear();
        dbproc_ = dbopen(rec.login, server.c_str());
        if (dbproc_ != nullptr || !connect_timed_out() || interrupt_pending() ||
            std::chrono::steady_clock::now() >= deadline_)
            break;
    }
    logging_in_ = false;
    if (dbproc_ == nullptr) {
        check_interrupts();
        bool auth = false;
        std::string detail;
        for (const auto& m : messages_) {
            auth = auth || m.number == 18456 || m.number == SYBEPWD;
            if (!detail.empty()) detail += "; ";
            detail += (m.from_server ? "server error " : "db-lib error ") + std::to_string(m.number) + ": " + m.text;
        }
        std::string first = messages_.empty() ? "login failed" : messages_.front().text;
        for (const auto& m : messages_)
            if (m.from_server) first = m.text;
        bool timed_out = !auth && std::chrono::steady_clock::now() >= deadline_;
        if (timed_out) first = "timed out after " + std::to_string(login_seconds) + " s";
        throw Error(auth ? sqlstate::invalid_authorization : sqlstate::cannot_connect,
                    "cannot connect to " + params_.describe() + ": " + first, detail,
                    auth ? "" : "check that the host is reachable (WireGuard up?) and the port is right");
    }
    messages_.clear();
    apply_session_settings();
}

// What every session starts with, so results do not depend on the server's or database's defaults
// (db-lib logins, unlike ODBC and OLE DB, leave the ANSI options off):
// - the options SQL Server requires for DML on tables with filtered indexes or indexed views and on
//   computed columns (otherwise error 1934), which also make a too-long string or an overflow an
//   error instead of a silent cut or NULL (ANSI_WARNINGS, ARITHABORT) and `= NULL` never true;
// - TEXTSIZE at its maximum: SQL Server sends (n)varchar(max), varbinary(max), text, ntext and image
//   values only up to it, silently cut, and its default is 4096 bytes (2048 nvarchar characters).
// One batch; a server that refuses one of them (Babelfish may not know every option) gets them one
// by one, and keeps its own behaviour for those it refuses.
void MssqlConnection::apply_session_settings() {
    static const char* const kSettings[] = {
        "SET ANSI_NULLS ON",  "SET ANSI_PADDING ON",     "SET ANSI_WARNINGS ON",     "SET ARITHABORT ON",
        "SET CONCAT_NULL_YIELDS_NULL ON", "SET QUOTED_IDENTIFIER ON", "SET NUMERIC_ROUNDABORT OFF",
        "SET TEXTSIZE 2147483647"};
    std::string batch;
    for (const char* s : kSettings) batch += std::string(batch.empty() ? "" : "; ") + s;
    auto fatal = [this](const Error& e) { return e.sqlstate() == sqlstate::query_canceled || !is_usable(); };
    try {
        execute(batch);
    } catch (const Error& e) {
        if (fatal(e)) throw;
        for (const char* s : kSettings) {
            try {
                execute(s);
            } catch (const Error& one) {
                if (fatal(one)) throw;
            }
        }
    }
    messages_.clear();
}

MssqlConnection::~MssqlConnection() {
    if (dbproc_ != nullptr) {
        ActiveScope scope(this);
        dbclose(dbproc_);
    }
}

bool MssqlConnection::is_usable() const { return dbproc_ != nullptr && !DBDEAD(dbproc_); }

[[noreturn]] void MssqlConnection::throw_failure(const std::string& what) {
    // A local cancel wins over whatever db-lib said about the aborted batch.
    check_interrupts();
    const MssqlMessage* server_error = nullptr;
    std::string detail;
    bool server_said = false;
    for (const auto& m : messages_) server_said = server_said || (m.from_server && m.severity > 10);
    for (const auto& m : messages_) {
        if (m.from_server && m.severity > 10 && server_error == nullptr) server_error = &m;
        // db-lib's "General SQL Server error: Check messages from the SQL Server" only points at them.
        if (server_said && !m.from_server && m.number == SYBESMSG) continue;
        if (!detail.empty()) detail += "; ";
        detail += (m.from_server ? "SQL Server error " : "db-lib error ") + std::to_string(m.number) + ": " + m.text;
    }
    if (!is_usable())
        throw Error(sqlstate::connection_failure, "connection to " + params_.describe() + " was lost during " + what,
                    detail);
    for (const auto& m : messages_)
        if (!m.from_server && m.number == SYBETIME)
            throw Error(sqlstate::query_canceled, "remote " + params_.describe() + ": " + m.text + " during " + what,
                        detail);
    if (server_error != nullptr)
        throw Error(sqlstate_for_mssql_error(server_error->number), "remote " + params_.describe() + ": " + server_error->text,
                    detail);
    throw Error(sqlstate::fdw_error, "remote " + params_.describe() + ": " + what + " failed", detail);
}

void MssqlConnection::send_batch(const std::string& sql) {
    settle();
    if (!is_usable()) throw Error(sqlstate::connection_failure, "connection to " + params_.describe() + " is broken");
    messages_.clear();
    restart_deadline();
    if (dbcmd(dbproc_, sql.c_str()) == FAIL || dbsqlexec(dbproc_) == FAIL) throw_failure("a batch");
}

void MssqlConnection::drain_results() {
    RETCODE rc;
    while ((rc = dbresults(dbproc_)) != NO_MORE_RESULTS) {
        if (rc == FAIL) throw_failure("a batch");
        while (dbnextrow(dbproc_) != NO_MORE_ROWS) {
        }
    }
}

long long MssqlConnection::execute(const std::string& sql) {
    ActiveScope scope(this);
    send_batch(sql);
    long long affected = 0;
    RETCODE rc;
    while ((rc = dbresults(dbproc_)) != NO_MORE_RESULTS) {
        if (rc == FAIL) throw_failure("a batch");
        while (dbnextrow(dbproc_) != NO_MORE_ROWS) {
        }
        if (DBCOUNT(dbproc_) >= 0) affected = DBCOUNT(dbproc_);
    }
    for (const auto& m : messages_)
        if (m.from_server && m.severity > 10) throw_failure("a batch");
    return affected;
}

TextResult MssqlConnection::query_text(const std::string& sql) {
    ActiveScope scope(this);
    send_batch(sql);
    TextResult out;
    RETCODE rc;
    bool first_set = true;
    while ((rc = dbresults(dbproc_)) != NO_MORE_RESULTS) {
        if (rc == FAIL) throw_failure("a query");
        int ncols = dbnumcols(dbproc_);
        if (first_set && ncols > 0)
            for (int c = 1; c <= ncols; ++c) out.columns.emplace_back(dbcolname(dbproc_, c));
        RETCODE row;
        while ((row = dbnextrow(dbproc_)) != NO_MORE_ROWS) {
            if (row == FAIL) throw_failure("reading rows");
            if (!first_set) continue;
            std::vector<std::optional<std::string>> values;
            for (int c = 1; c <= ncols; ++c) {
                BYTE* data = dbdata(dbproc_, c);
                DBINT len = dbdatlen(dbproc_, c);
                if (data == nullptr && len == 0) {
                    values.emplace_back(std::nullopt);
                    continue;
                }
                int type = dbcoltype(dbproc_, c);
                if (type == SYBCHAR || type == SYBVARCHAR || type == SYBTEXT) {
                    values.emplace_back(std::string(reinterpret_cast<char*>(data), len));
                    continue;
                }
                std::string text(len * 2 + 64, '\0');
                DBINT n = dbconvert(dbproc_, type, data, len, SYBCHAR, reinterpret_cast<BYTE*>(text.data()),
                                    DBINT(text.size()));
                if (n < 0) throw Error(sqlstate::fdw_error, "cannot convert column " + std::to_string(c) + " to text");
                text.resize(n);
                values.emplace_back(std::move(text));
            }
            out.rows.push_back(std::move(values));
        }
        if (ncols > 0) first_set = false;
    }
    for (const auto& m : messages_)
        if (m.from_server && m.severity > 10) throw_failure("a query");
    return out;
}

bool MssqlConnection::casts_nvarchar_to_utf16() {
    if (utf16_casts_) return *utf16_casts_;
    bool utf16 = false;
    try {
        auto stream = query("SELECT CAST(N'a' AS varbinary(max))");
        std::vector<RemoteValue> row;
        if (stream->next(row) && row.size() == 1 && row[0].kind == ValueKind::binary)
            utf16 = row[0].bytes == std::string_view("a\0", 2);
    } catch (const Error& e) {
        if (e.sqlstate() == sqlstate::query_canceled) throw;   // a cancel stays a cancel; any other failure means no
    }
    utf16_casts_ = utf16;
    return utf16;
}

std::string MssqlConnection::server_version() {
    TextResult r = query_text("SELECT @@VERSION");
    if (r.rows.empty() || !r.rows[0][0]) return {};
    return *r.rows[0][0];
}

std::vector<std::string> MssqlConnection::list_tables(const std::string& schema) {
    std::string sql = "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = " +
                      quote_literal(DatabaseKind::mssql, schema.empty() ? "dbo" : schema) + " ORDER BY TABLE_NAME";
    TextResult r = query_text(sql);
    std::vector<std::string> out;
    for (auto& row : r.rows)
        if (row[0]) out.push_back(*row[0]);
    return out;
}

// The remote compares the names in these WHERE clauses under its own collation (case-insensitive
// by default), so `table` may be spelled in any case; what comes back is compared here as SQL Server
// compares names (remote/identifier.hpp), since Babelfish answers KEY_COLUMN_USAGE in lower case
// but COLUMNS and TABLES as declared. The table, its columns and its key are returned as declared.
RemoteTable MssqlConnection::describe_table(const std::string& schema, const std::string& table) {
    RemoteTable out;
    out.schema = schema.empty() ? "dbo" : schema;
    out.name = table;
    std::string s = quote_literal(DatabaseKind::mssql, out.schema);
    std::string t = quote_literal(DatabaseKind::mssql, table);
    TextResult cols = query_text(
        "SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, IS_NULLABLE, TABLE_NAME "
        "FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = " + s + " AND TABLE_NAME = " + t +
        " ORDER BY ORDINAL_POSITION");
    if (cols.rows.empty())
        throw Error(sqlstate::undefined_table, "remote table " + qualified_name(DatabaseKind::mssql, out.schema, table) +
                                 " does not exist on " + params_.describe());
    TextResult keys = query_text(
        "SELECT k.COLUMN_NAME FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS c "
        "JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k ON k.CONSTRAINT_NAME = c.CONSTRAINT_NAME "
        "AND k.TABLE_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME "
        "WHERE c.CONSTRAINT_TYPE = 'PRIMARY KEY' AND c.TABLE_SCHEMA = " + s + " AND c.TABLE_NAME = " + t +
        " ORDER BY k.ORDINAL_POSITION");
    if (cols.rows[0][6]) out.name = *cols.rows[0][6];
    std::vector<std::string> names;
    for (auto& row : cols.rows) names.push_back(row[0].value_or(""));
    for (auto& row : keys.rows) {
        if (!row[0]) continue;
        std::optional<size_t> column = find_identifier(DatabaseKind::mssql, names, *row[0]);
        out.primary_key.push_back(column ? names[*column] : *row[0]);
    }
    auto number = [](const std::optional<std::string>& v) { return v && !v->empty() ? std::atoi(v->c_str()) : 0; };
    for (auto& row : cols.rows) {
        RemoteColumn c;
        c.name = row[0].value_or("");
        c.remote_type = row[1].value_or("");
        for (auto& ch : c.remote_type) ch = char(std::tolower(static_cast<unsigned char>(ch)));
        c.max_length = number(row[2]);
        c.precision = number(row[3]);
        c.scale = number(row[4]);
        c.nullable = row[5].value_or("YES") != "NO";
        for (auto& k : out.primary_key) c.in_primary_key = c.in_primary_key || k == c.name;
        out.columns.push_back(std::move(c));
    }
    apply_type_mapping(DatabaseKind::mssql, out);
    return out;
}

void MssqlConnection::begin() {
    if (in_transaction_) return;
    execute("BEGIN TRANSACTION");
    in_transaction_ = true;
}

void MssqlConnection::commit() {
    if (!in_transaction_) return;
    in_transaction_ = false;
    execute("COMMIT TRANSACTION");
}

void MssqlConnection::rollback() {
    if (!in_transaction_) return;
    in_transaction_ = false;
    if (!is_usable()) return;
    if (active_stream_ != nullptr) active_stream_->close();
    // Rollback also runs while a local abort is cleaning up: never wait on the remote for long.
    int saved_timeout = params_.query_timeout_seconds;
    params_.query_timeout_seconds = saved_timeout > 0 && saved_timeout < 30 ? saved_timeout : 30;
    try {
        // A severe error may have ended the transaction on the server already.
        execute("IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION");
    } catch (...) {
        params_.query_timeout_seconds = saved_timeout;
        throw;
    }
    params_.query_timeout_seconds = saved_timeout;
}

}  // namespace berqenas::remote
