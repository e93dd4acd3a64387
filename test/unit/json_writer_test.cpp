// The JSON writer must produce text jsonb_in accepts for any input string.
#include <gtest/gtest.h>

#include "common/json_writer.hpp"

using berqenas::json_quote;
using berqenas::JsonObject;

TEST(JsonWriter, QuotesControlCharactersAndQuotes) {
    EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(json_quote("line\nnext\ttab"), "\"line\\nnext\\ttab\"");
    EXPECT_EQ(json_quote(std::string("\x01", 1)), "\"\\u0001\"");
    EXPECT_EQ(json_quote("şifre"), "\"şifre\"");
}

TEST(JsonWriter, BuildsObjectsInOrder) {
    JsonObject o;
    o.add("ok", false).add("error", "x").add("n", 3).add("ms", 1.5).add_null("none").add_raw("t", "{}");
    EXPECT_EQ(o.str(), "{\"ok\": false, \"error\": \"x\", \"n\": 3, \"ms\": 1.500, \"none\": null, \"t\": {}}");
}

TEST(JsonWriter, NonFiniteNumbersBecomeNull) {
    JsonObject o;
    o.add("x", 1.0 / 0.0);
    EXPECT_EQ(o.str(), "{\"x\": null}");
}
