// remote::dialect(kind): the statements each kind spells its own way (savepoints, session setup,
// catalog queries, watermark comparison), asked through the interface as the callers do.
#include <gtest/gtest.h>

#include "remote/dialect.hpp"

using namespace berqenas::remote;

TEST(RemoteDialect, PicksTheKind) {
    EXPECT_EQ(dialect(DatabaseKind::postgresql).kind(), DatabaseKind::postgresql);
    EXPECT_EQ(dialect(DatabaseKind::mssql).kind(), DatabaseKind::mssql);
}

TEST(RemoteDialect, Savepoints) {
    const Dialect& pg = dialect(DatabaseKind::postgresql);
    EXPECT_EQ(pg.savepoint_sql("s1"), "SAVEPOINT s1");
    EXPECT_EQ(pg.release_savepoint_sql("s1"), "RELEASE SAVEPOINT s1");
    EXPECT_EQ(pg.rollback_to_savepoint_sql("s1"), "ROLLBACK TO SAVEPOINT s1; RELEASE SAVEPOINT s1");
    const Dialect& ms = dialect(DatabaseKind::mssql);
    EXPECT_EQ(ms.savepoint_sql("s1"), "SAVE TRANSACTION s1");
    EXPECT_EQ(ms.release_savepoint_sql("s1"), "");
    EXPECT_EQ(ms.rollback_to_savepoint_sql("s1"), "ROLLBACK TRANSACTION s1");
}

TEST(RemoteDialect, SessionSetupAndCatalog) {
    EXPECT_NE(dialect(DatabaseKind::postgresql).session_setup_sql().find("SET timezone = 'UTC'"), std::string::npos);
    EXPECT_EQ(dialect(DatabaseKind::mssql).session_setup_sql(), "");
    EXPECT_EQ(dialect(DatabaseKind::mssql).row_count_sql("dbo", "t"), "SELECT COUNT_BIG(*) FROM [dbo].[t]");
    EXPECT_EQ(dialect(DatabaseKind::postgresql).row_count_sql("public", "t"), "SELECT count(*) FROM \"public\".\"t\"");
}

TEST(RemoteDialect, LaterThan) {
    std::vector<std::optional<std::string>> params;
    const Dialect& pg = dialect(DatabaseKind::postgresql);
    EXPECT_EQ(pg.later_than("\"u\"", WatermarkKind::timestamptz, "2026-01-01 00:00:00", params), "\"u\" > $1");
    ASSERT_EQ(params.size(), 1u);
    EXPECT_EQ(params[0], "2026-01-01 00:00:00+00");
    params.clear();
    EXPECT_EQ(dialect(DatabaseKind::mssql).later_than("[u]", WatermarkKind::date, "2026-01-01", params),
              "[u] > CAST(N'2026-01-01' AS date)");
    EXPECT_TRUE(params.empty());
}

TEST(RemoteDialect, DefaultPort) {
    EXPECT_EQ(dialect(DatabaseKind::postgresql).default_port(), 5432);
    EXPECT_EQ(dialect(DatabaseKind::mssql).default_port(), 1433);
}
