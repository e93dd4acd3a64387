// Authenticated encryption of stored secrets (XChaCha20-Poly1305). A sealed secret carries the id
// of the key that sealed it and is bound to a context string (e.g. "remote_database:7"), so a
// ciphertext copied onto another row does not open.
#pragma once

#include "common/pure_cpp.hpp"

#include <string>

#include "crypto/key_ring.hpp"

namespace berqenas::crypto {

std::string seal_secret(const KeyRing& ring, const std::string& plaintext, const std::string& context);
std::string open_secret(const KeyRing& ring, const std::string& sealed, const std::string& context);
uint32_t sealed_key_id(const std::string& sealed);

}  // namespace berqenas::crypto
