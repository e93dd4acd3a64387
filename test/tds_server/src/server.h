// The listening side: accepts TDS clients on 127.0.0.1, runs each in its own thread, and on
// SIGTERM/SIGINT stops accepting, disconnects the clients and waits for their threads.
#pragma once

#include "tds_session.h"

namespace berqenas::tds {

// Returns the process exit code.
int run_server(int listen_port, const ServerConfig& config, bool refuse_logins);

}  // namespace berqenas::tds
