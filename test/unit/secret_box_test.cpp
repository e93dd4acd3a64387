// Sealed secrets and the key file: round trips, binding to a context, tampering, rotation, and
// the file permissions we insist on.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "common/error.hpp"
#include "crypto/key_ring.hpp"
#include "crypto/secret_box.hpp"

using berqenas::Error;
using berqenas::crypto::KeyRing;
using berqenas::crypto::open_secret;
using berqenas::crypto::seal_secret;
using berqenas::crypto::sealed_key_id;

namespace {

class KeyFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berqenas-keytest-XXXXXX";
        dir_ = mkdtemp(tmpl);
        path_ = dir_ + "/test.key";
    }
    void TearDown() override {
        std::remove(path_.c_str());
        std::remove((path_ + ".new").c_str());
        rmdir(dir_.c_str());
    }
    std::string dir_;
    std::string path_;
};

TEST_F(KeyFileTest, CreatesPrivateFileWithOneKey) {
    KeyRing ring = KeyRing::load_or_create(path_);
    EXPECT_EQ(ring.current_id(), 1u);
    struct stat st;
    ASSERT_EQ(stat(path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600);
    // A second load reads the same key back.
    KeyRing again = KeyRing::load_or_create(path_);
    std::string sealed = seal_secret(ring, "hunter2", "ctx");
    EXPECT_EQ(open_secret(again, sealed, "ctx"), "hunter2");
}

TEST_F(KeyFileTest, RefusesFileOthersCanRead) {
    KeyRing::load_or_create(path_);
    chmod(path_.c_str(), 0644);
    try {
        KeyRing::load(path_);
        FAIL() << "a 0644 key file was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.sqlstate(), "F0000");
        EXPECT_NE(std::string(e.what()).find("group or others have access"), std::string::npos);
    }
}

TEST_F(KeyFileTest, MissingFileIsAnErrorWhenNotCreating) {
    EXPECT_THROW(KeyRing::load(path_), Error);
}

TEST_F(KeyFileTest, MalformedFileIsRefused) {
    {
        std::ofstream out(path_);
        out << "1 not-hex\n";
    }
    chmod(path_.c_str(), 0600);
    EXPECT_THROW(KeyRing::load(path_), Error);
}

TEST_F(KeyFileTest, RotationKeepsOldKeysUntilPruned) {
    KeyRing ring = KeyRing::load_or_create(path_);
    std::string old_sealed = seal_secret(ring, "before", "row:1");
    uint32_t new_id = ring.add_new_key();
    EXPECT_EQ(new_id, 2u);
    KeyRing reread = KeyRing::load(path_);
    EXPECT_EQ(reread.current_id(), 2u);
    EXPECT_EQ(open_secret(reread, old_sealed, "row:1"), "before");
    std::string new_sealed = seal_secret(reread, "after", "row:1");
    EXPECT_EQ(sealed_key_id(new_sealed), 2u);
    reread.keep_only({2});
    KeyRing pruned = KeyRing::load(path_);
    EXPECT_FALSE(pruned.has(1));
    EXPECT_EQ(open_secret(pruned, new_sealed, "row:1"), "after");
    try {
        open_secret(pruned, old_sealed, "row:1");
        FAIL() << "a secret sealed with a pruned key opened";
    } catch (const Error& e) {
        EXPECT_EQ(e.sqlstate(), "XX001");
    }
}

TEST_F(KeyFileTest, SealedSecretIsBoundToItsContext) {
    KeyRing ring = KeyRing::load_or_create(path_);
    std::string sealed = seal_secret(ring, "password", "berqenas:remote_database:1");
    EXPECT_EQ(sealed.find("password"), std::string::npos);
    EXPECT_THROW(open_secret(ring, sealed, "berqenas:remote_database:2"), Error);
}

TEST_F(KeyFileTest, TamperedCiphertextDoesNotOpen) {
    KeyRing ring = KeyRing::load_or_create(path_);
    std::string sealed = seal_secret(ring, "password", "ctx");
    sealed[sealed.size() - 3] ^= 0x01;
    EXPECT_THROW(open_secret(ring, sealed, "ctx"), Error);
    EXPECT_THROW(open_secret(ring, "short", "ctx"), Error);
}

TEST_F(KeyFileTest, EmptyAndBinarySecretsRoundTrip) {
    KeyRing ring = KeyRing::load_or_create(path_);
    EXPECT_EQ(open_secret(ring, seal_secret(ring, "", "c"), "c"), "");
    std::string binary("\0\x01\xffgüzel şifre", 16);
    EXPECT_EQ(open_secret(ring, seal_secret(ring, binary, "c"), "c"), binary);
}

}  // namespace
