// The OUTPUT clause as RETURNING: one expectation per row of the rule table, the old row of an
// UPDATE, the shapes that combine with UPDATE ... FROM, and the refusals.
#include <gtest/gtest.h>

#include "tsql_rewriter.h"

using namespace berqenas::tds;

namespace {
RewrittenStatement one(const std::string& tsql) {
    auto statements = split_statements(lex_tsql(tsql));
    EXPECT_EQ(statements.size(), 1u);
    return rewrite_statement(statements.at(0), RewriteContext{});
}
std::string sql(const std::string& tsql) { return one(tsql).sql; }
}  // namespace

TEST(OutputClause, InsertedOfInsert) {
    EXPECT_EQ(sql("INSERT INTO [dbo].[t1] ([id], [name]) OUTPUT INSERTED.[id], INSERTED.[name] VALUES (1, N'a'), (2, N'b')"),
              "INSERT INTO \"public\".\"t1\" (\"id\", \"name\") VALUES (1, 'a'), (2, 'b') RETURNING \"t1\".\"id\", \"t1\".\"name\"");
    EXPECT_EQ(sql("INSERT INTO dbo.t1 OUTPUT inserted.* DEFAULT VALUES"),
              "INSERT INTO public.t1 DEFAULT VALUES RETURNING t1.*");
    EXPECT_EQ(sql("INSERT t1 (a) OUTPUT inserted.a AS new_a SELECT a FROM t2"),
              "INSERT t1 (a) SELECT a FROM t2 RETURNING t1.a AS new_a");
}

TEST(OutputClause, InsertedOfUpdate) {
    EXPECT_EQ(sql("UPDATE [dbo].[t1] SET [amount] = 7 OUTPUT INSERTED.[id], INSERTED.[amount] WHERE [id] = 1"),
              "UPDATE \"public\".\"t1\" SET \"amount\" = 7 WHERE \"id\" = 1 RETURNING \"t1\".\"id\", \"t1\".\"amount\"");
    EXPECT_EQ(sql("UPDATE t1 SET a = 1 OUTPUT inserted.*"), "UPDATE t1 SET a = 1 RETURNING t1.*");
}

TEST(OutputClause, DeletedOfDelete) {
    EXPECT_EQ(sql("DELETE FROM [dbo].[t1] OUTPUT DELETED.[id], DELETED.[name] WHERE [id] = 2"),
              "DELETE FROM \"public\".\"t1\" WHERE \"id\" = 2 RETURNING \"t1\".\"id\", \"t1\".\"name\"");
    EXPECT_EQ(sql("DELETE t1 OUTPUT deleted.*"), "DELETE t1 RETURNING t1.*");
}

TEST(OutputClause, DeletedOfUpdateReadsTheOldRow) {
    EXPECT_EQ(sql("UPDATE dbo.t1 SET a = a + 1 OUTPUT deleted.a AS old_a, inserted.a AS new_a WHERE id = 3"),
              "UPDATE public.t1 SET a = a + 1 FROM (SELECT berqenas_o.ctid AS berqenas_old_ctid, berqenas_o AS "
              "berqenas_old_row FROM public.t1 AS berqenas_o) AS berqenas_deleted WHERE t1.ctid = "
              "berqenas_deleted.berqenas_old_ctid AND (id = 3) RETURNING (berqenas_deleted.berqenas_old_row).a AS old_a, "
              "t1.a AS new_a");
    EXPECT_EQ(sql("UPDATE t1 SET a = 0 OUTPUT deleted.*"),
              "UPDATE t1 SET a = 0 FROM (SELECT berqenas_o.ctid AS berqenas_old_ctid, berqenas_o AS berqenas_old_row "
              "FROM t1 AS berqenas_o) AS berqenas_deleted WHERE t1.ctid = berqenas_deleted.berqenas_old_ctid "
              "RETURNING (berqenas_deleted.berqenas_old_row).*");
}

TEST(OutputClause, WithUpdateFromJoin) {
    EXPECT_EQ(sql("UPDATE c SET c.a = s.a OUTPUT inserted.id FROM dbo.t AS c JOIN src s ON s.id = c.id WHERE c.x > 0"),
              "UPDATE public.t AS c SET a = s.a FROM src s WHERE (s.id = c.id) AND (c.x > 0) RETURNING c.id");
    EXPECT_EQ(sql("UPDATE c SET c.a = s.a OUTPUT deleted.a FROM dbo.t AS c JOIN src s ON s.id = c.id"),
              "UPDATE public.t AS c SET a = s.a FROM (SELECT berqenas_o.ctid AS berqenas_old_ctid, berqenas_o AS "
              "berqenas_old_row FROM public.t AS berqenas_o) AS berqenas_deleted, src s WHERE c.ctid = "
              "berqenas_deleted.berqenas_old_ctid AND ((s.id = c.id)) RETURNING (berqenas_deleted.berqenas_old_row).a");
}

TEST(OutputClause, NotAnOutputClause) {
    // A column named output, or OUTPUT inside a subquery, is left alone.
    EXPECT_EQ(sql("UPDATE t SET [output] = 1 WHERE id IN (SELECT id FROM u)"),
              "UPDATE t SET \"output\" = 1 WHERE id IN (SELECT id FROM u)");
    EXPECT_EQ(sql("SELECT output FROM t"), "SELECT output FROM t");
}

TEST(OutputClause, Refusals) {
    auto into = one("INSERT INTO t (a) OUTPUT inserted.a INTO @ids VALUES (1)");
    EXPECT_EQ(into.kind, StatementKind::Refused);
    EXPECT_NE(into.message.text.find("OUTPUT ... INTO"), std::string::npos);
    auto unbound = one("INSERT INTO t (a) OUTPUT deleted.a VALUES (1)");
    EXPECT_EQ(unbound.kind, StatementKind::Refused);
    EXPECT_EQ(unbound.message.number, 4104);
    EXPECT_EQ(unbound.message.text, "The multi-part identifier \"deleted.a\" could not be bound.");
    EXPECT_EQ(one("DELETE FROM t OUTPUT inserted.a").message.number, 4104);
}
