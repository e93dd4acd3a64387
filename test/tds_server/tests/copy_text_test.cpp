// The COPY statement plain queries are wrapped in, and COPY's text lines split back into values.
#include <gtest/gtest.h>

#include "copy_text.h"

using namespace berqenas::tds;

TEST(CopyText, OnlyPlainQueriesAreWrapped) {
    EXPECT_EQ(copy_statement("SELECT 1"), "COPY (SELECT 1\n) TO STDOUT");
    EXPECT_EQ(copy_statement("  select a FROM t -- note;\n ;"), "COPY (select a FROM t -- note\n) TO STDOUT");
    EXPECT_EQ(copy_statement("WITH x AS (SELECT 1) SELECT * FROM x"), "COPY (WITH x AS (SELECT 1) SELECT * FROM x\n) TO STDOUT");
    EXPECT_EQ(copy_statement("(SELECT 1) UNION (SELECT 2)"), "");
    EXPECT_EQ(copy_statement("INSERT INTO t VALUES (1) RETURNING id"), "");
    EXPECT_EQ(copy_statement("SELECTED"), "");
    EXPECT_EQ(copy_statement("select_things()"), "");
    EXPECT_EQ(copy_statement("VALUES (1)"), "");
}

TEST(CopyText, SplitsUnescapesAndFindsNulls) {
    std::vector<std::string_view> values(4);
    std::vector<char> nulls(4);
    std::string scratch;
    ASSERT_TRUE(split_copy_line("1\tplain\t\\N\t\n", values, nulls, scratch));
    EXPECT_EQ(values[0], "1");
    EXPECT_EQ(values[1], "plain");
    EXPECT_EQ(nulls[2], 1);
    EXPECT_EQ(nulls[3], 0);
    EXPECT_EQ(values[3], "");  // empty string, not NULL

    ASSERT_TRUE(split_copy_line("a\\tb\t\\\\N\tc\\\\d\\n\t\\b\\f\\r\\v\\x\n", values, nulls, scratch));
    EXPECT_EQ(values[0], "a\tb");
    EXPECT_EQ(nulls[1], 0);
    EXPECT_EQ(values[1], "\\N");  // a literal backslash-N is text
    EXPECT_EQ(values[2], "c\\d\n");
    EXPECT_EQ(values[3], "\b\f\r\vx");  // a backslash before any other character stands for it

    EXPECT_FALSE(split_copy_line("1\t2\t3\n", values, nulls, scratch));          // too few
    EXPECT_FALSE(split_copy_line("1\t2\t3\t4\t5\n", values, nulls, scratch));    // too many
}

TEST(CopyText, NonAsciiPassesThrough) {
    std::vector<std::string_view> values(2);
    std::vector<char> nulls(2);
    std::string scratch;
    ASSERT_TRUE(split_copy_line("日本\té\\\\\n", values, nulls, scratch));
    EXPECT_EQ(values[0], "日本");
    EXPECT_EQ(values[1], "é\\");
}
