// The sealing key pair's file ("<public hex> <secret hex>", 0600) and sealed boxes both ways.
#include "crypto/sealing_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "crypto/sodium_init.hpp"

namespace berqenas::crypto {

namespace {

Error sealing_file_error(const std::string& path, const std::string& what) {
    return Error(sqlstate::config_file_error, "sealing key file \"" + path + "\": " + what, {},
                 "remove it: a new pair is made (it protects nothing stored), then fetch berqenas.sealing_key() again");
}

std::string hex(const std::string& bytes) {
    std::string out(bytes.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    out.pop_back();
    return out;
}

bool unhex(const std::string& text, size_t size, std::string* out) {
    out->assign(size, '\0');
    size_t decoded = 0;
    return sodium_hex2bin(reinterpret_cast<unsigned char*>(out->data()), size, text.data(), text.size(), nullptr,
                          &decoded, nullptr) == 0 &&
           decoded == size;
}

}  // namespace

SealingKey::~SealingKey() {
    if (!secret_key_.empty()) sodium_memzero(secret_key_.data(), secret_key_.size());
}

SealingKey::SealingKey(SealingKey&& other) noexcept
    : public_key_(std::move(other.public_key_)), secret_key_(std::move(other.secret_key_)) {}

SealingKey SealingKey::load_or_create(const std::string& path) {
    ensure_sodium();
    SealingKey key;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) {
        key.public_key_.assign(crypto_box_PUBLICKEYBYTES, '\0');
        key.secret_key_.assign(crypto_box_SECRETKEYBYTES, '\0');
        crypto_box_keypair(reinterpret_cast<unsigned char*>(key.public_key_.data()),
                           reinterpret_cast<unsigned char*>(key.secret_key_.data()));
        std::string text = hex(key.public_key_) + " " + hex(key.secret_key_) + "\n";
        bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
        ::close(fd);
        sodium_memzero(text.data(), text.size());
        if (!ok) {
            ::unlink(path.c_str());
            throw sealing_file_error(path, "cannot be written");
        }
        return key;
    }
    if (errno != EEXIST) throw sealing_file_error(path, std::string("cannot be created: ") + std::strerror(errno));
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) throw sealing_file_error(path, std::strerror(errno));
    if (st.st_mode & (S_IRWXG | S_IRWXO)) throw sealing_file_error(path, "group or others have access to it");
    std::ifstream in(path);
    std::string public_hex, secret_hex;
    if (!(in >> public_hex >> secret_hex) || !unhex(public_hex, crypto_box_PUBLICKEYBYTES, &key.public_key_) ||
        !unhex(secret_hex, crypto_box_SECRETKEYBYTES, &key.secret_key_))
        throw sealing_file_error(path, "malformed (expected \"<64 hex digits> <64 hex digits>\")");
    sodium_memzero(secret_hex.data(), secret_hex.size());
    return key;
}

std::string SealingKey::open(const std::string& box) const {
    if (box.size() < crypto_box_SEALBYTES)
        throw Error(sqlstate::invalid_parameter, "password_sealed is not a sealed box (too short)", {},
                    "seal the password with crypto_box_seal for the key berqenas.sealing_key() returns");
    std::string plain(box.size() - crypto_box_SEALBYTES, '\0');
    if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(plain.data()),
                             reinterpret_cast<const unsigned char*>(box.data()), box.size(),
                             reinterpret_cast<const unsigned char*>(public_key_.data()),
                             reinterpret_cast<const unsigned char*>(secret_key_.data())) != 0)
        throw Error(sqlstate::invalid_parameter, "password_sealed does not open with this server's sealing key", {},
                    "seal it again for the key berqenas.sealing_key() returns now (the pair may have been replaced)");
    return plain;
}

std::string seal_for(const std::string& public_key, const std::string& plaintext) {
    ensure_sodium();
    if (public_key.size() != crypto_box_PUBLICKEYBYTES)
        throw Error(sqlstate::invalid_parameter, "a sealing key is 32 bytes, not " + std::to_string(public_key.size()));
    std::string box(plaintext.size() + crypto_box_SEALBYTES, '\0');
    crypto_box_seal(reinterpret_cast<unsigned char*>(box.data()), reinterpret_cast<const unsigned char*>(plaintext.data()),
                    plaintext.size(), reinterpret_cast<const unsigned char*>(public_key.data()));
    return box;
}

}  // namespace berqenas::crypto
