// The MSSQL driver honours ConnectionParams::require_password as the PostgreSQL one does: a
// connection made on a non-superuser's behalf with an empty password is refused (28000) before
// anything is sent to the server.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "common/error.hpp"
#include "remote/mssql/mssql_connection.hpp"

using namespace berqenas::remote;

namespace {

// A listening socket on 127.0.0.1 that never answers: whether a login tried to connect shows as a
// pending connection.
struct Listener {
    int fd = -1;
    int port = 0;
    Listener() {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        ::listen(fd, 4);
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        port = ntohs(addr.sin_port);
        ::fcntl(fd, F_SETFL, O_NONBLOCK);
    }
    ~Listener() { ::close(fd); }
    bool was_contacted() const {
        int c = ::accept(fd, nullptr, nullptr);
        if (c < 0) return false;
        ::close(c);
        return true;
    }
};

ConnectionParams params(int port) {
    ConnectionParams p;
    p.kind = DatabaseKind::mssql;
    p.host = "127.0.0.1";
    p.port = port;
    p.database = "ERP";
    p.user = "sync";
    p.password = "";
    p.connect_timeout_seconds = 1;
    return p;
}

berqenas::Error connect_error(const ConnectionParams& p) {
    try {
        MssqlConnection c(p);
    } catch (const berqenas::Error& e) {
        return e;
    }
    ADD_FAILURE() << "the connection succeeded";
    return berqenas::Error("00000", "");
}

}  // namespace

TEST(MssqlRequirePassword, EmptyPasswordIsRefusedBeforeConnecting) {
    Listener server;
    ConnectionParams p = params(server.port);
    p.require_password = true;
    berqenas::Error e = connect_error(p);
    EXPECT_EQ(e.sqlstate(), "28000");
    EXPECT_EQ(std::string(e.what()), "password is required to connect to " + p.describe());
    EXPECT_EQ(e.detail(), "the registration has an empty password");
    EXPECT_EQ(e.hint(), "a non-superuser's remote connection must authenticate with a password");
    EXPECT_FALSE(server.was_contacted()) << "the server must not be contacted";
}

TEST(MssqlRequirePassword, WithAPasswordTheLoginGoesAhead) {
    Listener server;
    ConnectionParams p = params(server.port);
    p.require_password = true;
    p.password = "secret";
    berqenas::Error e = connect_error(p);   // the listener never answers: the login times out
    EXPECT_EQ(e.sqlstate(), "08001") << e.what();
    EXPECT_TRUE(server.was_contacted());
}

TEST(MssqlRequirePassword, NotRequiredAnEmptyPasswordGoesAhead) {
    Listener server;
    ConnectionParams p = params(server.port);
    berqenas::Error e = connect_error(p);
    EXPECT_EQ(e.sqlstate(), "08001") << e.what();
    EXPECT_TRUE(server.was_contacted());
}
