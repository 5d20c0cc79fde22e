// SPDX-License-Identifier: Apache-2.0
#pragma once
// The key-injection cipher of SPEC §7 and the primitives under it.
//
//   E = ephemeral public key (97 bytes, 04||X||Y on secp384r1)
//     || nonce (12) || AES-256-GCM ciphertext || GCM tag (16) || HMAC-SHA256 (32)
//   Z = ECDH x-coordinate (48 bytes)
//   aes_key = HKDF-SHA256(Z, salt = none, info = "ecies-aes-key", 32)
//   mac_key = HKDF-SHA256(Z, salt = none, info = "ecies-hmac-key", 32)
//   HMAC over ephemeral || nonce || ciphertext+tag, checked (in constant time)
//   before anything is decrypted; no AAD.

#include "custody/secret.hpp"
#include "eth/bytes.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace lottery::custody {

inline constexpr std::size_t kP384PublicKeySize = 97;  ///< 0x04 || X (48) || Y (48)
inline constexpr std::size_t kEcdhSecretSize = 48;
inline constexpr std::size_t kGcmNonceSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;
inline constexpr std::size_t kHmacSize = 32;
/// Bytes of E around the ciphertext.
inline constexpr std::size_t kEciesOverhead =
    kP384PublicKeySize + kGcmNonceSize + kGcmTagSize + kHmacSize;
inline constexpr std::string_view kAesKeyInfo = "ecies-aes-key";
inline constexpr std::string_view kMacKeyInfo = "ecies-hmac-key";

using P384PublicKey = std::array<std::uint8_t, kP384PublicKeySize>;

/// HKDF-SHA256 (RFC 5869), extract then expand. An empty `salt` means "not
/// provided" (HashLen zero bytes, which HMAC treats the same). `length` <= 255*32.
/// Throws std::invalid_argument for a bad length, std::runtime_error if OpenSSL fails.
SecretBytes hkdf_sha256(eth::ByteView ikm, eth::ByteView salt, eth::ByteView info,
                        std::size_t length);

/// HMAC-SHA256.
std::array<std::uint8_t, 32> hmac_sha256(eth::ByteView key, eth::ByteView data);

/// `n` bytes from OpenSSL's CSPRNG (throws std::runtime_error if it fails).
eth::Bytes random_bytes(std::size_t n);

/// Standard base64 (RFC 4648 §4) with padding.
std::string base64_encode(eth::ByteView data);
/// Strict standard base64: alphabet A-Z a-z 0-9 + /, length a multiple of 4,
/// '=' only as final padding, zero unused bits. nullopt otherwise.
std::optional<eth::Bytes> base64_decode(std::string_view text);

/// Parses and validates an uncompressed secp384r1 point (97 bytes, 0x04 prefix,
/// on the curve). nullopt otherwise.
std::optional<P384PublicKey> parse_p384_public_key(eth::ByteView bytes);

/// A secp384r1 key pair made in this process. The private scalar stays inside
/// OpenSSL (on its secure heap when that could be set up) and is never exported.
class P384KeyPair {
 public:
  /// A fresh key pair from the CSPRNG. Throws std::runtime_error if OpenSSL fails.
  static P384KeyPair generate();

  P384KeyPair(P384KeyPair&&) noexcept;
  P384KeyPair& operator=(P384KeyPair&&) noexcept;
  ~P384KeyPair();

  const P384PublicKey& public_key() const noexcept { return public_key_; }
  /// 194 lower-case hex characters, no 0x.
  std::string public_key_hex() const;
  /// SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----").
  std::string public_key_pem() const;
  /// ECDH with a validated peer point: the 48-byte x-coordinate.
  SecretBytes shared_secret(const P384PublicKey& peer) const;

 private:
  struct Impl;
  explicit P384KeyPair(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  P384PublicKey public_key_{};
};

/// Why an E was refused (each maps to one 400 answer).
enum class EciesError : std::uint8_t {
  kInvalidLength,         ///< shorter than the overhead + 1 or longer than allowed
  kInvalidEphemeralKey,   ///< not an uncompressed secp384r1 point
  kAuthenticationFailed,  ///< HMAC mismatch (tampered, or encrypted to another key)
  kDecryptionFailed,      ///< GCM tag mismatch
};

/// A short, stable code for an error ("invalid_length", …).
std::string_view ecies_error_code(EciesError error) noexcept;

/// Decrypts E for `recipient`. `max_plaintext` bounds the ciphertext length.
std::variant<SecretBytes, EciesError> ecies_decrypt(const P384KeyPair& recipient,
                                                    eth::ByteView message,
                                                    std::size_t max_plaintext = 256);

/// The client side: encrypts `plaintext` to `recipient` with a fresh ephemeral
/// key and nonce. Throws std::invalid_argument when `recipient` is not a valid point.
eth::Bytes ecies_encrypt(eth::ByteView recipient, eth::ByteView plaintext);

}  // namespace lottery::custody
