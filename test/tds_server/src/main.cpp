// berqenas-tds-server: a TDS 7.4 (SQL Server wire protocol) server backed by PostgreSQL, used
// by Berqenas's tests as an MSSQL stand-in. See test/tds_server/README.md.
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "server.h"

namespace {

void usage() {
    std::cerr << "usage: berqenas-tds-server --listen-port N --pg-host H --pg-port P\n"
                 "         [--drop-after-rows N] [--row-delay-ms N] [--fail-after-rows N]\n"
                 "         [--refuse-logins] [--log-statements] [--unknown-set-option NAME]\n";
}

bool parse_long(const char* s, long& out) {
    char* end = nullptr;
    out = std::strtol(s, &end, 10);
    return *s && *end == '\0' && out >= 0;
}

}  // namespace

int main(int argc, char** argv) {
    // Each login's own LOGIN7 password is what PostgreSQL must see: nothing of this process's
    // environment may stand in for it (libpq reads these when it is given no password). Cleared
    // before any thread starts, as setenv/unsetenv are not thread-safe.
    for (const char* name : {"PGPASSWORD", "PGPASSFILE", "PGSERVICE", "PGSERVICEFILE"}) ::unsetenv(name);
    berqenas::tds::ServerConfig config;
    long listen_port = -1;
    bool refuse_logins = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&](long& out) {
            if (i + 1 >= argc || !parse_long(argv[i + 1], out)) {
                std::cerr << "berqenas-tds-server: " << arg << " needs a non-negative number\n";
                std::exit(2);
            }
            ++i;
        };
        long n = 0;
        if (arg == "--listen-port") {
            value(listen_port);
        } else if (arg == "--pg-host" && i + 1 < argc) {
            config.pg_host = argv[++i];
        } else if (arg == "--pg-port" && i + 1 < argc) {
            config.pg_port = argv[++i];
        } else if (arg == "--drop-after-rows") {
            value(n);
            config.faults.drop_after_rows = n;
        } else if (arg == "--fail-after-rows") {
            value(n);
            config.faults.fail_after_rows = n;
        } else if (arg == "--row-delay-ms") {
            value(n);
            config.faults.row_delay_ms = n;
        } else if (arg == "--refuse-logins") {
            refuse_logins = true;
        } else if (arg == "--log-statements") {
            config.log_statements = true;
        } else if (arg == "--unknown-set-option" && i + 1 < argc) {
            config.unknown_set_option = argv[++i];
            for (char& c : config.unknown_set_option) c = char(std::tolower(static_cast<unsigned char>(c)));
        } else if (arg == "--help" || arg == "-h") {
            usage();
            return 0;
        } else {
            std::cerr << "berqenas-tds-server: unknown argument " << arg << "\n";
            usage();
            return 2;
        }
    }
    if (listen_port <= 0 || listen_port > 65535) {
        usage();
        return 2;
    }
    return berqenas::tds::run_server(static_cast<int>(listen_port), config, refuse_logins);
}
