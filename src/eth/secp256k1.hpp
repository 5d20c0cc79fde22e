// SPDX-License-Identifier: Apache-2.0
#pragma once

// secp256k1 keys, deterministic ECDSA signing and public-key recovery, as Ethereum uses them.
// Backed by libsecp256k1; one process-wide context is created on first use and randomised
// (side-channel blinding) from the operating system's random source.

#include "eth/address.hpp"
#include "eth/bytes.hpp"
#include "eth/error.hpp"
#include "eth/u256.hpp"

#include <array>
#include <cstdint>
#include <iosfwd>
#include <string_view>

namespace lottery::eth {

/// Uncompressed public key without the 0x04 tag: 32-byte x then 32-byte y, big-endian.
using PublicKey = std::array<std::uint8_t, 64>;

/// The secp256k1 group order n.
const U256& secp256k1_order() noexcept;

/// A valid secp256k1 secret key (0 < k < n).
///
/// Move-only so that the secret is not silently duplicated; the bytes are wiped when the object is
/// destroyed or moved from. It has no printing or formatting support on purpose: the only way to
/// read the secret is `expose_secret()`, which makes every such use easy to find.
class PrivateKey {
 public:
  /// Exactly 32 big-endian bytes (kWrongLength), 0 < k < n (kInvalidPrivateKey).
  static Result<PrivateKey> from_bytes(ByteView bytes) noexcept;
  /// "0x" + 64 hex digits; errors as `hex_decode` and `from_bytes`.
  static Result<PrivateKey> from_hex(std::string_view text) noexcept;

  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  PrivateKey(PrivateKey&& other) noexcept;
  PrivateKey& operator=(PrivateKey&& other) noexcept;
  ~PrivateKey();

  /// The 32 secret bytes. Callers must not log or persist them.
  const std::array<std::uint8_t, 32>& expose_secret() const noexcept { return secret_; }

  PublicKey public_key() const noexcept;
  Address address() const noexcept;

  /// Deliberately unavailable: a private key must never reach a log or a stream.
  friend std::ostream& operator<<(std::ostream&, const PrivateKey&) = delete;
  /// GoogleTest's printer hook, so a failing assertion shows a placeholder instead of the
  /// raw object bytes it would otherwise dump.
  friend void PrintTo(const PrivateKey&, std::ostream* os);

 private:
  explicit PrivateKey(const std::array<std::uint8_t, 32>& secret) noexcept : secret_(secret) {}
  void wipe() noexcept;

  std::array<std::uint8_t, 32> secret_{};
};

/// An ECDSA signature in Ethereum's form: r, s and the recovery id (the parity of the y
/// coordinate of the nonce point R; 0 or 1).
struct Signature {
  U256 r;
  U256 s;
  std::uint8_t recovery_id = 0;

  friend bool operator==(const Signature&, const Signature&) = default;
};

/// Signs a 32-byte message hash with RFC 6979 deterministic nonces. The result always has low s
/// (s <= n/2, as Ethereum requires since Homestead) and recovery id 0 or 1. Fails with kInternal
/// only if the library refuses (practically never).
Result<Signature> sign_hash(const PrivateKey& key, const Hash32& hash) noexcept;

/// Checks the ranges Ethereum accepts: 0 < r < n, 0 < s <= n/2, recovery id 0 or 1
/// (kInvalidSignature otherwise).
Result<void> check_signature(const Signature& signature) noexcept;

/// The public key that produced `signature` over `hash`. kInvalidSignature when the values are out
/// of range (see `check_signature`, high s included) or no key recovers.
Result<PublicKey> recover_public_key(const Hash32& hash, const Signature& signature) noexcept;

/// `address_from_public_key(recover_public_key(hash, signature))`.
Result<Address> recover_address(const Hash32& hash, const Signature& signature) noexcept;

}  // namespace lottery::eth
