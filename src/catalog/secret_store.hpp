// Where this database's key file is, and sealing/opening secrets with it. PostgreSQL-facing
// (reads GUCs and the data directory); the cryptography itself is src/crypto.
#pragma once

#include <string>

#include "crypto/key_ring.hpp"

namespace berqenas::catalog {

std::string key_file_path();
// The X25519 pair clients seal passwords for ($PGDATA/berqenas_keys/<database oid>.sealing).
std::string sealing_key_path();
// Sealing may create the key file (0600) on first use; opening never does: a key file that went
// missing must be restored, not silently replaced.
enum class KeyFileMissing { create, fail };
crypto::KeyRing load_key_ring(KeyFileMissing when_missing);

// The context binds a ciphertext to its row: a secret copied onto another row does not open.
std::string secret_context(long long remote_database_id);

}  // namespace berqenas::catalog
