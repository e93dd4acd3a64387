// The names a CREATE TABLE / ALTER TABLE ... ADD declares, kept as written (Babelfish's catalog shows
// them in INFORMATION_SCHEMA.TABLES and COLUMNS), and the statement that records them.
#include <gtest/gtest.h>

#include "declared_names.h"
#include "tsql_rewriter.h"

using namespace berqenas::tds;

namespace {
DeclaredNames names(const std::string& tsql) { return declared_names(lex_tsql(tsql)); }
using Columns = std::vector<std::pair<std::string, std::string>>;
}  // namespace

TEST(DeclaredNames, CreateTableColumnsAndName) {
    auto n = names("CREATE TABLE [dbo].[Customer] ([CustomerId] INT NOT NULL PRIMARY KEY, Name NVARCHAR(40) NULL, "
                   "[Unit Price] DECIMAL(10, 2), lower_one INT, CONSTRAINT PK_x UNIQUE (Name, lower_one), "
                   "PRIMARY KEY ([CustomerId]), CHECK (lower_one > 0))");
    EXPECT_EQ(n.table, "\"public\".\"customer\"");
    EXPECT_EQ(n.table_declared, "Customer");
    EXPECT_EQ(n.columns, (Columns{{"customerid", "CustomerId"}, {"name", "Name"}, {"unit price", "Unit Price"},
                                  {"lower_one", "lower_one"}}));
    EXPECT_EQ(declare_names_sql(n),
              "SELECT public.mssql_declare_names('\"public\".\"customer\"', 'Customer', "
              "ARRAY['customerid', 'name', 'unit price']::text[], ARRAY['CustomerId', 'Name', 'Unit Price']::text[])");
}

TEST(DeclaredNames, UnqualifiedAndOtherSchemas) {
    auto n = names("create table Orders (OrderId int)");
    EXPECT_EQ(n.table, "\"orders\"");
    EXPECT_EQ(n.table_declared, "Orders");
    EXPECT_EQ(names("CREATE TABLE Sales.[Order Lines] ([Line] INT)").table, "\"sales\".\"order lines\"");
    EXPECT_EQ(names("CREATE TABLE ERP.dbo.T (A INT)").table, "\"public\".\"t\"");
}

TEST(DeclaredNames, LowerCaseNamesNeedNothing) {
    EXPECT_EQ(declare_names_sql(names("CREATE TABLE dbo.orders (id INT, note NVARCHAR(10))")), "");
    // Only the table's spelling to keep.
    EXPECT_EQ(declare_names_sql(names("CREATE TABLE dbo.Orders (id INT)")),
              "SELECT public.mssql_declare_names('\"public\".\"orders\"', 'Orders', ARRAY[]::text[], ARRAY[]::text[])");
}

TEST(DeclaredNames, AlterTableAdd) {
    auto n = names("ALTER TABLE [dbo].[Customer] ADD [ErpCode] NVARCHAR(10) NULL");
    EXPECT_EQ(n.table, "\"public\".\"customer\"");
    EXPECT_EQ(n.table_declared, "");
    EXPECT_EQ(n.columns, (Columns{{"erpcode", "ErpCode"}}));
    EXPECT_EQ(names("ALTER TABLE t ADD COLUMN [A] INT, [B] DECIMAL(5, 1)").columns, (Columns{{"a", "A"}, {"b", "B"}}));
    EXPECT_TRUE(names("ALTER TABLE t ADD CONSTRAINT [PK_T] PRIMARY KEY ([Id])").table.empty());
    EXPECT_TRUE(names("ALTER TABLE t ALTER COLUMN [Name] NVARCHAR(50)").table.empty());
    EXPECT_TRUE(names("ALTER TABLE t DROP COLUMN [Name]").table.empty());
}

TEST(DeclaredNames, OtherStatementsDeclareNothing) {
    EXPECT_TRUE(names("SELECT [CustomerId] FROM [Customer]").table.empty());
    EXPECT_TRUE(names("CREATE VIEW [V] AS SELECT 1 AS [X]").table.empty());
    EXPECT_TRUE(names("DROP TABLE [Customer]").table.empty());
    EXPECT_TRUE(names("CREATE TABLE").table.empty());
}

TEST(DeclaredNames, TheRewriteCarriesTheRecordingStatement) {
    auto statements = split_statements(lex_tsql("CREATE TABLE dbo.[Item] ([ItemId] INT NOT NULL PRIMARY KEY)"));
    RewrittenStatement r = rewrite_statement(statements.at(0), {});
    EXPECT_EQ(r.sql, "CREATE TABLE public.\"item\" (\"itemid\" INT NOT NULL PRIMARY KEY)");
    EXPECT_EQ(r.declare_names_sql,
              "SELECT public.mssql_declare_names('\"public\".\"item\"', 'Item', ARRAY['itemid']::text[], ARRAY['ItemId']::text[])");
}
