// Sealed secret layout: version byte 1 | key id (4 bytes, big endian) | 24-byte nonce | ciphertext+tag.
#include "crypto/secret_box.hpp"

#include <sodium.h>

#include "common/error.hpp"
#include "crypto/sodium_init.hpp"

namespace berqenas::crypto {

namespace {
constexpr unsigned char format_version = 1;
constexpr size_t header_size = 1 + 4;
constexpr size_t nonce_size = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t tag_size = crypto_aead_xchacha20poly1305_ietf_ABYTES;

Error corrupt(const std::string& why) {
    return Error(sqlstate::data_corrupted, "stored secret cannot be decrypted: " + why,
                 {}, "register the database again with its password, or restore the right key file");
}
}  // namespace

uint32_t sealed_key_id(const std::string& sealed) {
    if (sealed.size() < header_size + nonce_size + tag_size || static_cast<unsigned char>(sealed[0]) != format_version)
        throw corrupt("unknown format");
    auto b = reinterpret_cast<const unsigned char*>(sealed.data());
    return (uint32_t(b[1]) << 24) | (uint32_t(b[2]) << 16) | (uint32_t(b[3]) << 8) | uint32_t(b[4]);
}

std::string seal_secret(const KeyRing& ring, const std::string& plaintext, const std::string& context) {
    ensure_sodium();
    uint32_t id = ring.current_id();
    std::string out(header_size + nonce_size + plaintext.size() + tag_size, '\0');
    auto* p = reinterpret_cast<unsigned char*>(out.data());
    p[0] = format_version;
    p[1] = (id >> 24) & 0xff;
    p[2] = (id >> 16) & 0xff;
    p[3] = (id >> 8) & 0xff;
    p[4] = id & 0xff;
    unsigned char* nonce = p + header_size;
    randombytes_buf(nonce, nonce_size);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        nonce + nonce_size, &written, reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
        reinterpret_cast<const unsigned char*>(context.data()), context.size(), nullptr, nonce, ring.key(id).data());
    out.resize(header_size + nonce_size + written);
    return out;
}

std::string open_secret(const KeyRing& ring, const std::string& sealed, const std::string& context) {
    ensure_sodium();
    uint32_t id = sealed_key_id(sealed);
    const auto* p = reinterpret_cast<const unsigned char*>(sealed.data());
    const unsigned char* nonce = p + header_size;
    const unsigned char* cipher = nonce + nonce_size;
    size_t cipher_size = sealed.size() - header_size - nonce_size;
    std::string plain(cipher_size - tag_size, '\0');
    unsigned long long plain_size = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plain.data()), &plain_size, nullptr,
                                                   cipher, cipher_size,
                                                   reinterpret_cast<const unsigned char*>(context.data()),
                                                   context.size(), nonce, ring.key(id).data()) != 0)
        throw corrupt("authentication failed (wrong key file, or the data was altered)");
    plain.resize(plain_size);
    return plain;
}

}  // namespace berqenas::crypto
