// Signals arrive through a self-pipe so the accept loop can poll one more descriptor instead
// of doing work inside a signal handler.
#include "server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

namespace berqenas::tds {
namespace {

int g_signal_pipe[2] = {-1, -1};

void on_signal(int) {
    char c = 1;
    ssize_t ignored = ::write(g_signal_pipe[1], &c, 1);
    (void)ignored;
}

// Client sockets still open, so a shutdown can wake threads blocked on them.
struct Clients {
    std::mutex mu;
    std::condition_variable cv;
    std::set<int> fds;
};

}  // namespace

int run_server(int listen_port, const ServerConfig& config, bool refuse_logins_flag) {
    if (::pipe(g_signal_pipe) != 0) return 1;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(listen_port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 64) != 0) {
        std::cerr << "berqenas-tds-server: cannot listen on 127.0.0.1:" << listen_port << ": " << std::strerror(errno)
                  << "\n";
        return 1;
    }
    std::cerr << "berqenas-tds-server: listening on 127.0.0.1:" << listen_port << ", PostgreSQL at "
              << config.pg_host << ":" << config.pg_port << "\n";

    std::atomic<bool> refuse_logins{refuse_logins_flag};
    Clients clients;
    for (;;) {
        pollfd fds[2] = {{listener, POLLIN, 0}, {g_signal_pipe[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[1].revents) break;
        if (!(fds[0].revents & POLLIN)) continue;
        int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        {
            std::lock_guard<std::mutex> lock(clients.mu);
            clients.fds.insert(fd);
        }
        std::thread([fd, &config, &refuse_logins, &clients]() {
            {
                TdsSession session(fd, config, refuse_logins);
                session.run();
            }
            std::lock_guard<std::mutex> lock(clients.mu);
            clients.fds.erase(fd);
            ::close(fd);
            clients.cv.notify_all();
        }).detach();
    }

    std::cerr << "berqenas-tds-server: stopping\n";
    ::close(listener);
    std::unique_lock<std::mutex> lock(clients.mu);
    for (int fd : clients.fds) ::shutdown(fd, SHUT_RDWR);
    clients.cv.wait_for(lock, std::chrono::seconds(10), [&] { return clients.fds.empty(); });
    bool clean = clients.fds.empty();
    lock.unlock();
    if (!clean) {
        std::cerr << "berqenas-tds-server: sessions still busy after 10 s, exiting anyway\n";
        std::_Exit(1);  // threads still reference our stack; leaving through return would be unsafe
    }
    return 0;
}

}  // namespace berqenas::tds
