// Reading, creating and rewriting the key file (see key_ring.hpp). Writes go through a temp file
// and rename so a crash never leaves a half-written key file.
#include "crypto/key_ring.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "crypto/sodium_init.hpp"

namespace berqenas::crypto {

namespace {

constexpr size_t key_size = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;

Error key_file_error(const std::string& path, const std::string& what) {
    return Error(sqlstate::config_file_error, "secret key file \"" + path + "\": " + what,
                 {}, "see docs/secrets.md for the key file and berqenas.secret_key_file");
}

std::string to_hex(const unsigned char* data, size_t size) {
    std::string hex(size * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), data, size);
    hex.pop_back();
    return hex;
}

std::string directory_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
}

void fsync_path(const std::string& path, int flags) {
    int fd = ::open(path.c_str(), flags);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

SecretKey::SecretKey(std::vector<unsigned char> bytes) : bytes_(std::move(bytes)) {}
SecretKey::~SecretKey() {
    if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
}
SecretKey::SecretKey(SecretKey&& other) noexcept : bytes_(std::move(other.bytes_)) {}

SecretKey SecretKey::generate() {
    ensure_sodium();
    std::vector<unsigned char> bytes(key_size);
    crypto_aead_xchacha20poly1305_ietf_keygen(bytes.data());
    return SecretKey(std::move(bytes));
}

KeyRing KeyRing::load(const std::string& path) {
    ensure_sodium();
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) throw key_file_error(path, std::strerror(errno));
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        throw key_file_error(path, "group or others have access to it; run chmod 600 on it");
    std::ifstream in(path);
    if (!in) throw key_file_error(path, "cannot be opened");
    KeyRing ring;
    ring.path_ = path;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        uint32_t id = 0;
        std::string hex;
        if (!(fields >> id >> hex) || hex.size() != key_size * 2)
            throw key_file_error(path, "malformed line (expected \"<id> <64 hex digits>\")");
        std::vector<unsigned char> bytes(key_size);
        size_t decoded = 0;
        if (sodium_hex2bin(bytes.data(), bytes.size(), hex.data(), hex.size(), nullptr, &decoded, nullptr) != 0 ||
            decoded != key_size)
            throw key_file_error(path, "malformed key (expected 64 hex digits)");
        ring.keys_.emplace(id, SecretKey(std::move(bytes)));
    }
    if (ring.keys_.empty()) throw key_file_error(path, "holds no key");
    return ring;
}

KeyRing KeyRing::load_or_create(const std::string& path) {
    ensure_sodium();
    KeyRing ring;
    ring.path_ = path;
    ring.keys_.emplace(1, SecretKey::generate());
    // O_EXCL: when two backends race to create the file, one wins and the other reads it.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return load(path);
        throw key_file_error(path, std::string("cannot be created: ") + std::strerror(errno));
    }
    std::string text = "# berqenas secret keys: \"<id> <hex>\" per line; the highest id encrypts.\n1 " +
                       to_hex(ring.keys_.at(1).data(), key_size) + "\n";
    bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    sodium_memzero(text.data(), text.size());
    if (!ok) {
        ::unlink(path.c_str());
        throw key_file_error(path, "cannot be written");
    }
    fsync_path(directory_of(path), O_RDONLY | O_DIRECTORY);
    return ring;
}

uint32_t KeyRing::current_id() const { return keys_.rbegin()->first; }

const SecretKey& KeyRing::key(uint32_t id) const {
    auto it = keys_.find(id);
    if (it == keys_.end())
        throw Error(sqlstate::data_corrupted,
                    "a stored secret was encrypted with key " + std::to_string(id) + ", which is not in \"" + path_ + "\"",
                    {}, "restore the key file that was in use when the secret was stored");
    return it->second;
}

std::vector<uint32_t> KeyRing::ids() const {
    std::vector<uint32_t> out;
    for (const auto& [id, _] : keys_) out.push_back(id);
    return out;
}

uint32_t KeyRing::add_new_key() {
    uint32_t id = current_id() + 1;
    keys_.emplace(id, SecretKey::generate());
    write_file();
    return id;
}

void KeyRing::keep_only(const std::vector<uint32_t>& ids) {
    for (auto it = keys_.begin(); it != keys_.end();) {
        bool keep = false;
        for (uint32_t id : ids) keep = keep || id == it->first;
        it = keep ? std::next(it) : keys_.erase(it);
    }
    if (keys_.empty()) throw key_file_error(path_, "refusing to write a key file without keys");
    write_file();
}

void KeyRing::write_file() const {
    std::string text = "# berqenas secret keys: \"<id> <hex>\" per line; the highest id encrypts.\n";
    for (const auto& [id, key] : keys_) text += std::to_string(id) + " " + to_hex(key.data(), key_size) + "\n";
    std::string temp = path_ + ".new";
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) throw key_file_error(temp, std::string("cannot be created: ") + std::strerror(errno));
    bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    sodium_memzero(text.data(), text.size());
    if (!ok || ::rename(temp.c_str(), path_.c_str()) != 0) {
        ::unlink(temp.c_str());
        throw key_file_error(path_, "cannot be rewritten");
    }
    fsync_path(directory_of(path_), O_RDONLY | O_DIRECTORY);
}

}  // namespace berqenas::crypto
