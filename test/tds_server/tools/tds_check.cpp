// berqenas-tds-check: a tiny FreeTDS db-lib client for the integration tests. It runs one batch
// and prints every result set, row and server message in a stable, exact form to assert on.
//
//   berqenas-tds-check -S 127.0.0.1:PORT -U user -P pass [-D db] [-b packet_size]
//                      [--count-only] [--cancel-after-ms N] [--then "second batch"] "T-SQL batch"
//
// Output lines: "COLUMNS name:type(len) ...", "ROW v1|v2|..." (NULL for nulls, 0x.. for binary,
// ISO dates), "COUNT n" after each result set, "MSG number severity text" for server messages,
// "DBERR n text" for client-side errors. Exit 0 = ran without server errors, 1 = server error(s),
// 2 = login/connection failed, 3 = the connection was lost mid-batch ("CONNECTION LOST").
#include <sybdb.h>
#include <sybfront.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

int g_server_errors = 0;

int on_message(DBPROCESS*, DBINT number, int, int severity, char* text, char*, char*, int) {
    if (number == 5701 || number == 5703) return 0;  // database/language context changes at login
    std::printf("MSG %d %d %s\n", static_cast<int>(number), severity, text ? text : "");
    if (severity > 10) ++g_server_errors;
    return 0;
}

int on_error(DBPROCESS*, int, int dberr, int, char* dberrstr, char*) {
    std::printf("DBERR %d %s\n", dberr, dberrstr ? dberrstr : "");
    return INT_CANCEL;
}

std::string hex(const BYTE* p, DBINT n) {
    static const char digits[] = "0123456789abcdef";
    std::string out = "0x";
    for (DBINT i = 0; i < n; ++i) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 15];
    }
    return out;
}

bool is_date_type(int type) {
    return type == SYBDATETIME || type == SYBDATETIME4 || type == SYBDATETIMN || type == SYBMSDATE ||
           type == SYBMSTIME || type == SYBMSDATETIME2 || type == SYBMSDATETIMEOFFSET;
}

std::string format_date(DBPROCESS* db, int type, BYTE* data) {
    DBDATEREC2 d;
    std::memset(&d, 0, sizeof d);
    if (dbanydatecrack(db, &d, type, data) != SUCCEED) return "<bad date>";
    char buf[96];
    char frac[16];
    std::snprintf(frac, sizeof frac, "%07d", d.datensecond / 100);
    if (type == SYBMSDATE) {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.dateyear, d.datemonth + 1, d.datedmonth);
    } else if (type == SYBMSTIME) {
        std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%s", d.datehour, d.dateminute, d.datesecond, frac);
    } else {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%s", d.dateyear, d.datemonth + 1, d.datedmonth,
                      d.datehour, d.dateminute, d.datesecond, frac);
    }
    std::string out = buf;
    if (type == SYBMSDATETIMEOFFSET) {
        int tz = d.datetzone;
        std::snprintf(buf, sizeof buf, " %c%02d:%02d", tz < 0 ? '-' : '+', std::abs(tz) / 60, std::abs(tz) % 60);
        out += buf;
    }
    return out;
}

std::string format_value(DBPROCESS* db, int col) {
    BYTE* data = dbdata(db, col);
    DBINT len = dbdatlen(db, col);
    int type = dbcoltype(db, col);
    if (data == nullptr && len == 0) {
        // db-lib has no separate null flag: an empty string has data, a NULL has none.
        return "NULL";
    }
    if (type == SYBBINARY || type == SYBVARBINARY || type == SYBIMAGE) return hex(data, len);
    if (is_date_type(type)) return format_date(db, type, data);
    if (type == SYBCHAR || type == SYBVARCHAR || type == SYBTEXT || type == SYBNTEXT || type == SYBNVARCHAR)
        return std::string(reinterpret_cast<char*>(data), static_cast<size_t>(len));
    if (type == SYBFLT8 || type == SYBREAL) {
        double v = 0;
        dbconvert(db, type, data, len, SYBFLT8, reinterpret_cast<BYTE*>(&v), sizeof v);
        char buf[64];
        std::snprintf(buf, sizeof buf, type == SYBREAL ? "%.9g" : "%.17g", v);
        return buf;
    }
    std::string out(200, '\0');
    DBINT n = dbconvert(db, type, data, len, SYBCHAR, reinterpret_cast<BYTE*>(&out[0]), static_cast<DBINT>(out.size()));
    if (n < 0) return "<unconvertible>";
    out.resize(static_cast<size_t>(n));
    while (!out.empty() && out.back() == '\0') out.pop_back();
    return out;
}

// Runs one batch and prints its result sets; returns 0, or 1 when a statement failed.
int run_batch(DBPROCESS* db, const char* sql, bool count_only) {
    int rc = 0;
    dbcmd(db, sql);
    if (dbsqlexec(db) == FAIL) rc = 1;
    if (DBDEAD(db)) return 3;
    RETCODE r;
    // A failed statement does not end a T-SQL batch: keep reading the results that follow it.
    int failures = 0;
    while ((r = dbresults(db)) != NO_MORE_RESULTS) {
        if (r == FAIL) {
            rc = 1;
            if (++failures > 100 || DBDEAD(db)) break;
            continue;
        }
        int ncols = dbnumcols(db);
        if (ncols > 0) {
            std::string header = "COLUMNS";
            for (int c = 1; c <= ncols; ++c) {
                header += " " + std::string(dbcolname(db, c)) + ":" + dbprtype(dbcoltype(db, c)) + "(" +
                          std::to_string(dbcollen(db, c)) + ")";
            }
            std::printf("%s\n", header.c_str());
        }
        long rows = 0;
        STATUS s;
        while ((s = dbnextrow(db)) != NO_MORE_ROWS) {
            if (s == FAIL) {
                rc = 1;
                break;
            }
            ++rows;
            if (count_only) continue;
            std::string line = "ROW";
            for (int c = 1; c <= ncols; ++c) line += std::string(c == 1 ? " " : "|") + format_value(db, c);
            std::printf("%s\n", line.c_str());
        }
        if (ncols > 0 || DBCOUNT(db) >= 0) std::printf("COUNT %ld\n", ncols > 0 ? rows : static_cast<long>(DBCOUNT(db)));
    }
    return rc;
}

}  // namespace

int main(int argc, char** argv) {
    const char *server = nullptr, *user = nullptr, *password = nullptr, *database = nullptr, *sql = nullptr;
    const char* then_sql = nullptr;
    int packet_size = 0;
    long cancel_after_ms = -1;
    bool count_only = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() { return i + 1 < argc ? argv[++i] : nullptr; };
        if (a == "-S") server = next();
        else if (a == "-U") user = next();
        else if (a == "-P") password = next();
        else if (a == "-D") database = next();
        else if (a == "-b") packet_size = std::atoi(next());
        else if (a == "--count-only") count_only = true;
        else if (a == "--then") then_sql = next();
        else if (a == "--cancel-after-ms") cancel_after_ms = std::atol(next());
        else sql = argv[i];
    }
    if (!server || !user || !password || !sql) {
        std::fprintf(stderr, "usage: berqenas-tds-check -S host:port -U user -P pass [-D db] [-b size] "
                             "[--count-only] [--cancel-after-ms N] SQL\n");
        return 64;
    }
    setvbuf(stdout, nullptr, _IOLBF, 0);
    dbinit();
    dbmsghandle(on_message);
    dberrhandle(on_error);
    LOGINREC* login = dblogin();
    DBSETLUSER(login, user);
    DBSETLPWD(login, password);
    DBSETLAPP(login, "berqenas-tds-check");
    DBSETLCHARSET(login, "UTF-8");
    dbsetlversion(login, DBVERSION_74);
    if (database) DBSETLDBNAME(login, database);
    if (packet_size > 0) DBSETLPACKET(login, packet_size);
    DBPROCESS* db = dbopen(login, server);
    dbloginfree(login);
    if (!db) {
        std::printf("LOGIN FAILED\n");
        dbexit();
        return 2;
    }
    int rc = 0;
    g_server_errors = 0;
    if (cancel_after_ms >= 0) {
        // Send, wait, then cancel: the server must stop the backend and acknowledge the attention.
        auto start = std::chrono::steady_clock::now();
        dbcmd(db, sql);
        dbsqlsend(db);
        std::this_thread::sleep_for(std::chrono::milliseconds(cancel_after_ms));
        RETCODE c = dbcancel(db);
        long ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - start).count());
        std::printf("CANCEL %s after %ld ms\n", c == SUCCEED ? "ok" : "failed", ms);
        // The connection must still work.
        dbcmd(db, "SELECT 42");
        if (dbsqlexec(db) == SUCCEED && dbresults(db) == SUCCEED && dbnextrow(db) == REG_ROW)
            std::printf("AFTER CANCEL %s\n", format_value(db, 1).c_str());
        dbcancel(db);
        dbclose(db);
        dbexit();
        return c == SUCCEED ? 0 : 1;
    }
    rc = run_batch(db, sql, count_only);
    if (then_sql && !DBDEAD(db)) {
        std::printf("THEN\n");
        int rc2 = run_batch(db, then_sql, count_only);
        if (rc == 0) rc = rc2;
    }
    bool dead = DBDEAD(db);
    if (dead) std::printf("CONNECTION LOST\n");
    dbclose(db);
    dbexit();
    if (dead) return 3;
    if (rc == 0 && g_server_errors > 0) rc = 1;
    return rc;
}
