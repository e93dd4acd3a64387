// Each kind's ExpressionRules and the FDW-facing properties of its dialect: what may be sent to
// the remote and how it is spelled there, asked through the interfaces as the deparser does.
#include <gtest/gtest.h>

#include "remote/dialect.hpp"

using namespace berqenas::remote;

namespace {
const ExpressionRules& pg_rules() { return dialect(DatabaseKind::postgresql).expression_rules(); }
const ExpressionRules& ms_rules() { return dialect(DatabaseKind::mssql).expression_rules(); }
}  // namespace

TEST(RemoteExpressionRules, PostgresqlHasOurBuiltins) {
    EXPECT_TRUE(pg_rules().same_builtins());
    EXPECT_EQ(pg_rules().count_star(), "count(*)");
    EXPECT_EQ(pg_rules().sort_key("\"a\"", true, false), "\"a\" DESC NULLS LAST");
    EXPECT_EQ(*pg_rules().aggregate("sum", ValueType::int4, -1, true, "\"a\"", false), "sum(DISTINCT \"a\")");
    EXPECT_EQ(pg_rules().output_columns("avg", ValueType::int4, -1, ValueType::numeric).size(), 1u);
}

TEST(RemoteExpressionRules, MssqlComparesTextLoosely) {
    EXPECT_FALSE(ms_rules().same_builtins());
    EXPECT_EQ(ms_rules().comparison("=", ValueType::text, ValueType::text, false), Shipping::recheck);
    EXPECT_EQ(ms_rules().comparison("=", ValueType::text, ValueType::text, true), Shipping::no);
    EXPECT_EQ(ms_rules().comparison("<", ValueType::text, ValueType::text, false), Shipping::no);
    EXPECT_EQ(ms_rules().comparison("<", ValueType::int4, ValueType::numeric, false), Shipping::yes);
    EXPECT_EQ(ms_rules().comparison("<", ValueType::boolean, ValueType::boolean, false), Shipping::no);
    EXPECT_EQ(ms_rules().comparison("=", ValueType::uuid, ValueType::uuid, false), Shipping::yes);
    EXPECT_EQ(ms_rules().like(ValueType::text, ValueType::text, "ab%", false), Shipping::recheck);
    EXPECT_EQ(ms_rules().like(ValueType::text, ValueType::text, "[a]%", false), Shipping::no);
    EXPECT_EQ(ms_rules().in_list(ValueType::text, true, false), Shipping::no);
    EXPECT_EQ(ms_rules().in_list(ValueType::int8, true, false), Shipping::yes);
    EXPECT_EQ(ms_rules().boolean_condition("[b]"), "([b] = 1)");
}

TEST(RemoteExpressionRules, MssqlSortsAndAggregatesAsPostgresqlDoes) {
    EXPECT_EQ(ms_rules().sort_key("[a]", false, false), "CASE WHEN [a] IS NULL THEN 1 ELSE 0 END, [a] ASC");
    EXPECT_EQ(ms_rules().sort_key("[a]", true, false), "[a] DESC");
    EXPECT_FALSE(ms_rules().sorts_alike(ValueType::text));
    EXPECT_TRUE(ms_rules().groups_alike(ValueType::uuid));
    EXPECT_EQ(ms_rules().count_star(), "COUNT_BIG(*)");
    EXPECT_EQ(*ms_rules().aggregate("sum", ValueType::int4, -1, false, "[a]", false), "SUM(CAST([a] AS bigint))");
    EXPECT_EQ(*ms_rules().aggregate("count", ValueType::text, -1, false, "[a]", false),
              "COUNT_BIG(CASE WHEN [a] IS NOT NULL THEN 1 END)");
    EXPECT_FALSE(ms_rules().aggregate("avg", ValueType::int4, -1, false, "[a]", false));
    EXPECT_EQ(*ms_rules().aggregate("avg", ValueType::numeric, 2, false, "[a]", true),
              "SUM(CAST([a] AS decimal(38,2))), COUNT_BIG([a])");
    auto avg = ms_rules().output_columns("avg", ValueType::numeric, 2, ValueType::numeric);
    ASSERT_EQ(avg.size(), 2u);
    EXPECT_EQ(avg[0].role, AggregateColumn::Role::avg_sum);
    EXPECT_EQ(avg[0].read_as, AggregateColumn::ReadAs::numeric_scale);
    EXPECT_EQ(avg[0].scale, 2);
    EXPECT_EQ(avg[1].read_as, AggregateColumn::ReadAs::int8);
}

TEST(RemoteDialect, WhatTheFdwAsks) {
    const Dialect& pg = dialect(DatabaseKind::postgresql);
    const Dialect& ms = dialect(DatabaseKind::mssql);
    EXPECT_TRUE(pg.binds_parameters());
    EXPECT_FALSE(ms.binds_parameters());
    EXPECT_EQ(pg.quoting().parameter(3), "$3");
    EXPECT_EQ(ms.quoting().parameter(3), "@P3");
    EXPECT_EQ(pg.max_insert_rows(10), 6553);
    EXPECT_EQ(ms.max_insert_rows(10), 1000);
    EXPECT_EQ(pg.returning({"\"a\"", "\"b\""}, false).at_end, " RETURNING \"a\", \"b\"");
    EXPECT_EQ(ms.returning({"[a]"}, true).before_source, " OUTPUT DELETED.[a]");
    EXPECT_EQ(ms.returning({}, false).before_source, "");
    EXPECT_TRUE(ms.names_ignore_case());
    EXPECT_FALSE(pg.names_ignore_case());
    EXPECT_EQ(quoting(DatabaseKind::mssql).text("it's"), "N'it''s'");
    EXPECT_EQ(quoting(DatabaseKind::postgresql).literals, LiteralStyle::text);
    EXPECT_EQ(quoting(DatabaseKind::mssql).literals, LiteralStyle::typed);
}
