// Database kinds and the password-free description used in messages.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "remote/connection_params.hpp"

using namespace berqenas::remote;

TEST(ConnectionParams, ParsesKnownKinds) {
    EXPECT_EQ(parse_database_kind("mssql"), DatabaseKind::mssql);
    EXPECT_EQ(parse_database_kind("postgresql"), DatabaseKind::postgresql);
}

TEST(ConnectionParams, RejectsUnknownKindWith22023) {
    try {
        parse_database_kind("oracle");
        FAIL();
    } catch (const berqenas::Error& e) {
        EXPECT_EQ(e.sqlstate(), "22023");
        EXPECT_STREQ(e.what(), "unknown database_type \"oracle\"");
    }
}

TEST(ConnectionParams, DescriptionNeverHoldsThePassword) {
    ConnectionParams p;
    p.kind = DatabaseKind::mssql;
    p.host = "10.60.5.10";
    p.port = 1433;
    p.database = "ERP_Production";
    p.user = "berqenas_sync";
    p.password = "secure_password";
    EXPECT_EQ(p.describe(), "mssql://berqenas_sync@10.60.5.10:1433/ERP_Production");
}
