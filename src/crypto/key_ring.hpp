// The key file that protects stored secrets: numbered 256-bit keys, the highest one current.
// Pure C++ (libsodium + POSIX files); the file is created 0600 and refused if others can read it.
#pragma once

#include "common/pure_cpp.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace berqenas::crypto {

class SecretKey {
public:
    explicit SecretKey(std::vector<unsigned char> bytes);
    ~SecretKey();
    SecretKey(SecretKey&& other) noexcept;
    SecretKey& operator=(SecretKey&&) = delete;
    SecretKey(const SecretKey&) = delete;
    const unsigned char* data() const { return bytes_.data(); }
    static SecretKey generate();

private:
    std::vector<unsigned char> bytes_;
};

class KeyRing {
public:
    // Loads the key file, creating it with one fresh key when it does not exist.
    static KeyRing load_or_create(const std::string& path);
    static KeyRing load(const std::string& path);

    uint32_t current_id() const;
    const SecretKey& current() const { return key(current_id()); }
    const SecretKey& key(uint32_t id) const;      // throws when the id is not in the file
    bool has(uint32_t id) const { return keys_.count(id) != 0; }
    std::vector<uint32_t> ids() const;
    const std::string& path() const { return path_; }

    // Writes the file again with a new key appended (atomically: temp file, fsync, rename).
    uint32_t add_new_key();
    // Writes the file again holding only the given key ids.
    void keep_only(const std::vector<uint32_t>& ids);

private:
    void write_file() const;
    std::string path_;
    std::map<uint32_t, SecretKey> keys_;
};

}  // namespace berqenas::crypto
