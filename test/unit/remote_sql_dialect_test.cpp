// Quoting and limit syntax per remote kind: what we send must be valid, injection-free SQL.
#include <gtest/gtest.h>

#include "remote/sql_dialect.hpp"

using namespace berqenas::remote;

TEST(RemoteSqlDialect, BuildsGroupedSelects) {
    SelectParts p;
    p.columns = "[k], COUNT_BIG(*)";
    p.from = "[dbo].[t]";
    p.where = "([a] > 1)";
    p.group_by = "[k]";
    p.having = "(COUNT_BIG(*) > 5)";
    p.order_by = "COUNT_BIG(*) DESC";
    p.limit = 3;
    EXPECT_EQ(build_select(DatabaseKind::mssql, p),
              "SELECT TOP (3) [k], COUNT_BIG(*) FROM [dbo].[t] WHERE ([a] > 1) GROUP BY [k] HAVING (COUNT_BIG(*) > 5) "
              "ORDER BY COUNT_BIG(*) DESC");
    p.columns = "\"k\", count(*)";
    p.from = "\"t\"";
    p.where.clear();
    p.group_by = "\"k\"";
    p.having = "(count(*) > 5)";
    p.order_by.clear();
    p.limit.reset();
    EXPECT_EQ(build_select(DatabaseKind::postgresql, p),
              "SELECT \"k\", count(*) FROM \"t\" GROUP BY \"k\" HAVING (count(*) > 5)");
}

TEST(RemoteSqlDialect, QuotesIdentifiers) {
    EXPECT_EQ(quote_identifier(DatabaseKind::postgresql, "Order"), "\"Order\"");
    EXPECT_EQ(quote_identifier(DatabaseKind::postgresql, "a\"b"), "\"a\"\"b\"");
    EXPECT_EQ(quote_identifier(DatabaseKind::mssql, "Order Lines"), "[Order Lines]");
    EXPECT_EQ(quote_identifier(DatabaseKind::mssql, "a]b[c"), "[a]]b[c]");
    EXPECT_EQ(qualified_name(DatabaseKind::mssql, "dbo", "t"), "[dbo].[t]");
    EXPECT_EQ(qualified_name(DatabaseKind::postgresql, "", "t"), "\"t\"");
}

TEST(RemoteSqlDialect, QuotesLiterals) {
    EXPECT_EQ(quote_literal(DatabaseKind::postgresql, "it's"), "'it''s'");
    EXPECT_EQ(quote_literal(DatabaseKind::postgresql, "a\\b'"), "E'a\\\\b'''");
    EXPECT_EQ(quote_literal(DatabaseKind::mssql, "it's"), "N'it''s'");
    EXPECT_EQ(quote_literal(DatabaseKind::mssql, "a\\b"), "N'a\\b'");
    EXPECT_EQ(quote_literal(DatabaseKind::mssql, "Ğüş"), "N'Ğüş'");
    EXPECT_EQ(binary_literal(DatabaseKind::mssql, std::string("\x01\xff", 2)), "0x01ff");
    EXPECT_EQ(binary_literal(DatabaseKind::postgresql, std::string("\x01\xff", 2)), "'\\x01ff'::bytea");
    EXPECT_EQ(boolean_literal(DatabaseKind::mssql, true), "1");
    EXPECT_EQ(boolean_literal(DatabaseKind::postgresql, false), "false");
}

TEST(RemoteSqlDialect, BuildsLimitedSelects) {
    SelectParts p;
    p.columns = "a, b";
    p.from = "t";
    p.where = "a > 1";
    p.order_by = "a ASC";
    p.limit = 10;
    EXPECT_EQ(build_select(DatabaseKind::postgresql, p), "SELECT a, b FROM t WHERE a > 1 ORDER BY a ASC LIMIT 10");
    EXPECT_EQ(build_select(DatabaseKind::mssql, p), "SELECT TOP (10) a, b FROM t WHERE a > 1 ORDER BY a ASC");
    p.offset = 5;
    EXPECT_EQ(build_select(DatabaseKind::postgresql, p),
              "SELECT a, b FROM t WHERE a > 1 ORDER BY a ASC LIMIT 10 OFFSET 5");
    EXPECT_EQ(build_select(DatabaseKind::mssql, p),
              "SELECT a, b FROM t WHERE a > 1 ORDER BY a ASC OFFSET 5 ROWS FETCH NEXT 10 ROWS ONLY");
    p.limit = 0;   // T-SQL refuses FETCH NEXT 0 ROWS: TOP (0) says the same
    EXPECT_EQ(build_select(DatabaseKind::mssql, p), "SELECT TOP (0) a, b FROM t WHERE a > 1 ORDER BY a ASC");
    p.order_by.clear();
    p.limit.reset();
    EXPECT_EQ(build_select(DatabaseKind::mssql, p), "SELECT a, b FROM t WHERE a > 1 ORDER BY (SELECT NULL) OFFSET 5 ROWS");
    SelectParts plain;
    plain.columns = "*";
    plain.from = "t";
    EXPECT_EQ(build_select(DatabaseKind::mssql, plain), "SELECT * FROM t");
}

TEST(RemoteSqlDialect, UpsertWithoutMerge) {
    auto u = build_upsert(DatabaseKind::mssql, "dbo", "orders", {"id", "note"}, {"id"},
                          {{"1", "N'a'"}, {"2", "N'it''s'"}});
    EXPECT_EQ(u.update,
              "UPDATE [dbo].[orders] SET [note] = s.[note] FROM (VALUES (1, N'a'), (2, N'it''s')) AS s ([id], [note]) "
              "WHERE [orders].[id] = s.[id]");
    EXPECT_EQ(u.insert,
              "INSERT INTO [dbo].[orders] ([id], [note]) SELECT s.[id], s.[note] FROM (VALUES (1, N'a'), (2, N'it''s')) "
              "AS s ([id], [note]) WHERE NOT EXISTS (SELECT 1 FROM [dbo].[orders] AS e WHERE e.[id] = s.[id])");
    EXPECT_EQ(u.update.find("MERGE"), std::string::npos);
    auto keys_only = build_upsert(DatabaseKind::postgresql, "public", "t", {"a", "b"}, {"a", "b"}, {{"1", "2"}});
    EXPECT_TRUE(keys_only.update.empty());
    EXPECT_EQ(keys_only.insert,
              "INSERT INTO \"public\".\"t\" (\"a\", \"b\") SELECT s.\"a\", s.\"b\" FROM (VALUES (1, 2)) AS s (\"a\", \"b\") "
              "WHERE NOT EXISTS (SELECT 1 FROM \"public\".\"t\" AS e WHERE e.\"a\" = s.\"a\" AND e.\"b\" = s.\"b\")");
}
