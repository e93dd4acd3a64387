// Passwords that never appear in SQL text: the server's X25519 sealing key pair, and libsodium
// sealed boxes (crypto_box_seal) made with its public key by a client (the CLI) and opened here.
// Pure C++ (libsodium + POSIX files). The pair is a transport key only: losing it loses nothing
// stored, a new one is made and clients fetch the new public key.
#pragma once

#include "common/pure_cpp.hpp"

#include <string>

namespace berqenas::crypto {

class SealingKey {
public:
    // Loads the pair from path, creating it (0600, O_EXCL so two backends agree) when missing.
    static SealingKey load_or_create(const std::string& path);
    ~SealingKey();
    SealingKey(SealingKey&& other) noexcept;
    SealingKey(const SealingKey&) = delete;
    SealingKey& operator=(const SealingKey&) = delete;
    SealingKey& operator=(SealingKey&&) = delete;

    const std::string& public_key() const { return public_key_; }   // 32 raw bytes
    // The plaintext of a box sealed for public_key(); throws 22023 when it does not open.
    std::string open(const std::string& box) const;

private:
    SealingKey() = default;
    std::string public_key_;
    std::string secret_key_;
};

// What a client does: a sealed box of plaintext for a 32-byte public key.
std::string seal_for(const std::string& public_key, const std::string& plaintext);

}  // namespace berqenas::crypto
