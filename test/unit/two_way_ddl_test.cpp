// The DDL prepare_table sends for two-way sync, per remote kind: the bookkeeping columns with the
// defaults our product docs give, the fill SQL Server needs, the updated_at trigger, the clock.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "remote/dialect.hpp"

using namespace berqenas::remote;

namespace {

RemoteTable customers(const std::string& schema) {
    RemoteTable t;
    t.schema = schema;
    t.name = "customers";
    t.primary_key = {"customer_id", "region"};
    return t;
}

}  // namespace

TEST(TwoWayDdl, MssqlColumnsAreAddedOneByOneAndFilled) {
    const Dialect& d = dialect(DatabaseKind::mssql);
    auto s = d.add_sync_column_ddl(customers("dbo"), "updated_at");
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0], "ALTER TABLE [dbo].[customers] ADD [updated_at] DATETIME2 DEFAULT GETDATE()");
    EXPECT_EQ(s[1], "UPDATE [dbo].[customers] SET [updated_at] = GETDATE() WHERE [updated_at] IS NULL");
    s = d.add_sync_column_ddl(customers("dbo"), "is_deleted");
    EXPECT_EQ(s[0], "ALTER TABLE [dbo].[customers] ADD [is_deleted] BIT DEFAULT 0");
    EXPECT_EQ(s[1], "UPDATE [dbo].[customers] SET [is_deleted] = 0 WHERE [is_deleted] IS NULL");
}

TEST(TwoWayDdl, MssqlTriggerJoinsInsertedOnTheWholeKey) {
    const Dialect& d = dialect(DatabaseKind::mssql);
    auto s = d.updated_at_trigger_ddl(customers("dbo"), "trg_customers_updated");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0],
              "CREATE TRIGGER [dbo].[trg_customers_updated] ON [dbo].[customers] AFTER UPDATE AS BEGIN SET NOCOUNT ON; "
              "UPDATE [dbo].[customers] SET [updated_at] = GETDATE() FROM [dbo].[customers] c INNER JOIN inserted i "
              "ON c.[customer_id] = i.[customer_id] AND c.[region] = i.[region]; END");
    EXPECT_EQ(d.trigger_count_sql(customers("dbo"), "trg_customers_updated"),
              "SELECT COUNT(*) FROM sys.triggers WHERE name = N'trg_customers_updated' AND parent_id = "
              "OBJECT_ID(N'[dbo].[customers]')");
    EXPECT_EQ(d.clock_sql(), "SELECT CAST(SYSDATETIME() AS varchar(27))");
}

TEST(TwoWayDdl, PostgresqlUsesTheDocsTypesAndABeforeUpdateTrigger) {
    const Dialect& d = dialect(DatabaseKind::postgresql);
    EXPECT_EQ(d.add_sync_column_ddl(customers("sales"), "created_at"),
              std::vector<std::string>{"ALTER TABLE \"sales\".\"customers\" ADD COLUMN \"created_at\" timestamp DEFAULT now()"});
    EXPECT_EQ(d.add_sync_column_ddl(customers("sales"), "is_deleted"),
              std::vector<std::string>{"ALTER TABLE \"sales\".\"customers\" ADD COLUMN \"is_deleted\" boolean DEFAULT false"});
    auto s = d.updated_at_trigger_ddl(customers("sales"), "trg_customers_updated");
    ASSERT_EQ(s.size(), 2u);
    EXPECT_NE(s[0].find("CREATE OR REPLACE FUNCTION \"sales\".\"berqenas_touch_updated_at\"()"), std::string::npos);
    EXPECT_NE(s[0].find("NEW.updated_at = now()"), std::string::npos);
    EXPECT_EQ(s[1], "CREATE TRIGGER \"trg_customers_updated\" BEFORE UPDATE ON \"sales\".\"customers\" FOR EACH ROW "
                    "EXECUTE FUNCTION \"sales\".\"berqenas_touch_updated_at\"()");
}

TEST(TwoWayDdl, AnUnknownColumnIsAnInternalError) {
    EXPECT_THROW(dialect(DatabaseKind::mssql).add_sync_column_ddl(customers("dbo"), "version"), berqenas::Error);
    EXPECT_THROW(dialect(DatabaseKind::postgresql).add_sync_column_ddl(customers("x"), "version"), berqenas::Error);
}
