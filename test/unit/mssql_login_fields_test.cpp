// The MSSQL driver's login record: values db-lib cannot carry are refused with 22023 before any
// connection is tried, instead of db-lib dropping them and logging in without them.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "common/error.hpp"
#include "remote/mssql/mssql_connection.hpp"

using namespace berqenas::remote;

namespace {

// A port on 127.0.0.1 that nothing listens on (bound, then released), so a login that gets as far
// as connecting fails at once with 08001.
int closed_port() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(s);
    return ntohs(addr.sin_port);
}

ConnectionParams params() {
    ConnectionParams p;
    p.kind = DatabaseKind::mssql;
    p.host = "127.0.0.1";
    p.port = closed_port();
    p.database = "ERP";
    p.user = "sync";
    p.password = "secret";
    p.connect_timeout_seconds = 2;
    return p;
}

berqenas::Error connect_error(const ConnectionParams& p) {
    try {
        MssqlConnection c(p);
    } catch (const berqenas::Error& e) {
        return e;
    }
    ADD_FAILURE() << "connecting to a closed port succeeded";
    return berqenas::Error("00000", "");
}

}  // namespace

TEST(MssqlLoginFields, PasswordOver128BytesIsRefusedWithTheLimit) {
    ConnectionParams p = params();
    p.password = std::string(129, 'p');
    berqenas::Error e = connect_error(p);
    EXPECT_EQ(e.sqlstate(), "22023");
    std::string message = e.what();
    EXPECT_NE(message.find("MSSQL password"), std::string::npos) << message;
    EXPECT_NE(message.find("129 bytes"), std::string::npos) << message;
    EXPECT_NE(message.find("at most 128"), std::string::npos) << message;
    EXPECT_NE(message.find(p.describe()), std::string::npos) << message;
    EXPECT_EQ(message.find(p.password), std::string::npos) << "the password must not be in the message";
    EXPECT_EQ(e.detail().find(p.password), std::string::npos);
    EXPECT_EQ(e.hint().find(p.password), std::string::npos);
}

TEST(MssqlLoginFields, PasswordOf128BytesGoesOnToConnect) {
    ConnectionParams p = params();
    p.password = std::string(128, 'p');
    berqenas::Error e = connect_error(p);
    EXPECT_EQ(e.sqlstate(), "08001") << e.what();
}

TEST(MssqlLoginFields, LongUserAndDatabaseNamesAreRefused) {
    ConnectionParams p = params();
    p.user = std::string(129, 'u');
    berqenas::Error user = connect_error(p);
    EXPECT_EQ(user.sqlstate(), "22023");
    EXPECT_NE(std::string(user.what()).find("MSSQL user name"), std::string::npos) << user.what();

    p = params();
    p.database = std::string(200, 'd');
    berqenas::Error db = connect_error(p);
    EXPECT_EQ(db.sqlstate(), "22023");
    EXPECT_NE(std::string(db.what()).find("MSSQL database name"), std::string::npos) << db.what();
    EXPECT_NE(std::string(db.what()).find("200 bytes"), std::string::npos) << db.what();

    p = params();
    p.application_name = std::string(129, 'a');
    EXPECT_EQ(connect_error(p).sqlstate(), "22023");
}
