// Hex round trips, bytea's "\x" prefix, and refusal of bad digits.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "common/hex.hpp"

TEST(Hex, RoundTripsEveryByte) {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(char(i));
    EXPECT_EQ(berqenas::from_hex(berqenas::to_hex(all)), all);
    EXPECT_EQ(berqenas::to_hex("\x01\xab"), "01ab");
}

TEST(Hex, AcceptsByteaPrefixAndUpperCase) { EXPECT_EQ(berqenas::from_hex("\\x0AfF"), std::string("\x0a\xff", 2)); }

TEST(Hex, RefusesBadInput) {
    EXPECT_THROW(berqenas::from_hex("abc"), berqenas::Error);
    EXPECT_THROW(berqenas::from_hex("zz"), berqenas::Error);
}
