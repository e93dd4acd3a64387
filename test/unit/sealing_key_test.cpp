// The sealing key pair: made once 0600, read back the same; boxes open only with their pair.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "common/error.hpp"
#include "crypto/sealing_key.hpp"

namespace {

std::string temp_path() {
    char dir[] = "/tmp/berqenas-sealing-XXXXXX";
    return std::string(::mkdtemp(dir)) + "/5.sealing";
}

TEST(SealingKey, MadeOnceAndReadBack) {
    const std::string path = temp_path();
    auto made = berqenas::crypto::SealingKey::load_or_create(path);
    struct stat st;
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto again = berqenas::crypto::SealingKey::load_or_create(path);
    EXPECT_EQ(made.public_key(), again.public_key());
    EXPECT_EQ(made.public_key().size(), 32u);
}

TEST(SealingKey, OpensOnlyItsOwnBoxes) {
    auto key = berqenas::crypto::SealingKey::load_or_create(temp_path());
    auto other = berqenas::crypto::SealingKey::load_or_create(temp_path());
    std::string box = berqenas::crypto::seal_for(key.public_key(), "s3cret ü");
    EXPECT_EQ(key.open(box), "s3cret ü");
    EXPECT_EQ(key.open(berqenas::crypto::seal_for(key.public_key(), "")), "");
    try {
        other.open(box);
        FAIL() << "a box opened with another pair";
    } catch (const berqenas::Error& e) {
        EXPECT_EQ(e.sqlstate(), std::string("22023"));
        EXPECT_NE(std::string(e.what()).find("does not open"), std::string::npos);
    }
    std::string tampered = box;
    tampered[tampered.size() - 1] ^= 1;
    EXPECT_THROW(key.open(tampered), berqenas::Error);
    EXPECT_THROW(key.open("short"), berqenas::Error);
    EXPECT_THROW(berqenas::crypto::seal_for("not 32 bytes", "x"), berqenas::Error);
}

TEST(SealingKey, RefusesAFileOthersCanRead) {
    const std::string path = temp_path();
    { auto made = berqenas::crypto::SealingKey::load_or_create(path); }
    ::chmod(path.c_str(), 0644);
    EXPECT_THROW(berqenas::crypto::SealingKey::load_or_create(path), berqenas::Error);
}

}  // namespace
