// SPDX-License-Identifier: Apache-2.0
#include "eth/secp256k1.hpp"

#include "eth/hex.hpp"
#include "eth/keccak.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

namespace lottery::eth {
namespace {

PrivateKey key_from_hex(std::string_view text) {
  auto key = PrivateKey::from_hex(text);
  EXPECT_TRUE(key) << text;
  if (!key) std::abort();
  return std::move(*key);
}

Hash32 hash_from_hex(std::string_view text) {
  auto hash = hex_decode_fixed<32>(text);
  EXPECT_TRUE(hash) << text;
  return hash ? *hash : Hash32{};
}

U256 u256_hex(std::string_view text) {
  auto value = u256_from_hex(text);
  EXPECT_TRUE(value) << text;
  return value ? *value : U256{};
}

// Well-known key → address pairs: keys 1, 2, 3 (generator multiples), the EIP-155 example key,
// Anvil/Hardhat's first development account, and n-1, the largest valid key.
TEST(Secp256k1, KnownKeysGiveKnownAddresses) {
  struct Case {
    const char* key;
    const char* address;
  };
  const Case cases[] = {
      {"0x0000000000000000000000000000000000000000000000000000000000000001",
       "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"},
      {"0x0000000000000000000000000000000000000000000000000000000000000002",
       "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"},
      {"0x0000000000000000000000000000000000000000000000000000000000000003",
       "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69"},
      {"0x4646464646464646464646464646464646464646464646464646464646464646",
       "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F"},
      {"0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
       "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"},
      {"0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140",
       "0x80C0dbf239224071c59dD8970ab9d542E3414aB2"},
  };
  for (const auto& c : cases) {
    const PrivateKey key = key_from_hex(c.key);
    EXPECT_EQ(to_checksum(key.address()), c.address) << c.key;
  }
}

TEST(Secp256k1, KeyOneHasGeneratorAsPublicKey) {
  const PrivateKey key =
      key_from_hex("0x0000000000000000000000000000000000000000000000000000000000000001");
  EXPECT_EQ(hex_encode(key.public_key()),
            "0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
            "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8");
}

TEST(Secp256k1, RejectsInvalidKeys) {
  struct Case {
    const char* key;
    Errc error;
  };
  const Case cases[] = {
      {"0x0000000000000000000000000000000000000000000000000000000000000000",
       Errc::kInvalidPrivateKey},
      {"0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
       Errc::kInvalidPrivateKey},  // n
      {"0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142",
       Errc::kInvalidPrivateKey},  // n+1
      {"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
       Errc::kInvalidPrivateKey},
      {"0x01", Errc::kWrongLength},
      {"0x000000000000000000000000000000000000000000000000000000000000000001", Errc::kWrongLength},
      {"0x", Errc::kWrongLength},
      {"46464646", Errc::kMissingHexPrefix},
      {"0xzz", Errc::kInvalidHexDigit},
  };
  for (const auto& c : cases) {
    auto key = PrivateKey::from_hex(c.key);
    ASSERT_FALSE(key) << c.key;
    EXPECT_EQ(key.error(), make_error_code(c.error)) << c.key;
  }
}

TEST(Secp256k1, PrivateKeyIsMoveOnlyAndWipedWhenMovedFrom) {
  static_assert(!std::is_copy_constructible_v<PrivateKey>);
  static_assert(!std::is_copy_assignable_v<PrivateKey>);
  static_assert(std::is_nothrow_move_constructible_v<PrivateKey>);
  PrivateKey first =
      key_from_hex("0x4646464646464646464646464646464646464646464646464646464646464646");
  PrivateKey second = std::move(first);
  EXPECT_EQ(second.expose_secret()[0], 0x46);
  // The moved-from object no longer holds the secret; reading it after the move is the point.
  // NOLINTNEXTLINE(bugprone-use-after-move,clang-analyzer-cplusplus.Move)
  const auto& leftover = first.expose_secret();
  for (const auto b : leftover) EXPECT_EQ(b, 0);
}

TEST(Secp256k1, PrintsOnlyAPlaceholder) {
  const PrivateKey key =
      key_from_hex("0x4646464646464646464646464646464646464646464646464646464646464646");
  std::ostringstream os;
  PrintTo(key, &os);
  EXPECT_EQ(os.str().find("46"), std::string::npos);
  EXPECT_NE(os.str().find("redacted"), std::string::npos);
}

// Deterministic (RFC 6979) signatures. The first is the EIP-155 example (its signing hash, key and
// published r, s; v = 37 means recovery id 0); the others were produced by Foundry's
// `cast wallet sign --no-hash` (an independent implementation) and are written out here as data.
TEST(Secp256k1, DeterministicSignatures) {
  struct Case {
    const char* key;
    const char* hash;
    const char* r;
    const char* s;
    std::uint8_t recovery_id;
  };
  const Case cases[] = {
      {"0x4646464646464646464646464646464646464646464646464646464646464646",
       "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53",
       "0x28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276",
       "0x67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83", 0},
      {"0x0000000000000000000000000000000000000000000000000000000000000001",
       "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
       "0x03925438bf9bdfed9cb8d9d9467f8fc624f389846f0db71f4f5c84b483077da6",
       "0x2ca68cb1027ace392bc6a84fe0ba29288aa07942f571f56201dd33c009ee3886", 1},
      {"0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
       "0x0000000000000000000000000000000000000000000000000000000000000001",
       "0xa60a6906512e182138437a161eebd743f725438c71210b926fcd721b9a7c4bfa",
       "0x151b0de4e4103d8b44f1539c214dc5b85a2c217c93d3f3c69dd7f9d0a93ac306", 1},
  };
  for (const auto& c : cases) {
    const PrivateKey key = key_from_hex(c.key);
    const Hash32 hash = hash_from_hex(c.hash);
    auto sig = sign_hash(key, hash);
    ASSERT_TRUE(sig) << c.key;
    EXPECT_EQ(sig->r, u256_hex(c.r)) << c.key;
    EXPECT_EQ(sig->s, u256_hex(c.s)) << c.key;
    EXPECT_EQ(sig->recovery_id, c.recovery_id) << c.key;
    auto again = sign_hash(key, hash);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *sig);
    auto recovered = recover_address(hash, *sig);
    ASSERT_TRUE(recovered);
    EXPECT_EQ(*recovered, key.address());
  }
}

TEST(Secp256k1, SignRecoverRoundTripsWithLowS) {
  const U256 half_n = secp256k1_order() >> 1;
  for (int i = 1; i <= 40; ++i) {
    const std::string seed = "key-" + std::to_string(i);
    auto key = PrivateKey::from_bytes(keccak256(std::string_view(seed)));
    ASSERT_TRUE(key);
    const std::string msg = "message-" + std::to_string(i);
    const Hash32 hash = keccak256(std::string_view(msg));
    auto sig = sign_hash(*key, hash);
    ASSERT_TRUE(sig);
    EXPECT_LE(sig->s, half_n);
    EXPECT_LE(sig->recovery_id, 1);
    auto pub = recover_public_key(hash, *sig);
    ASSERT_TRUE(pub);
    EXPECT_EQ(*pub, key->public_key());

    // A different hash recovers some other key (or none), never the signer.
    Hash32 other = hash;
    other[0] ^= 0x01;
    auto wrong = recover_address(other, *sig);
    if (wrong) {
      EXPECT_NE(*wrong, key->address());
    }

    // Flipping the recovery id yields the other candidate point, not the signer.
    Signature flipped = *sig;
    flipped.recovery_id ^= 1;
    auto flipped_addr = recover_address(hash, flipped);
    if (flipped_addr) {
      EXPECT_NE(*flipped_addr, key->address());
    }
  }
}

TEST(Secp256k1, RejectsOutOfRangeSignatures) {
  const PrivateKey key =
      key_from_hex("0x4646464646464646464646464646464646464646464646464646464646464646");
  const Hash32 hash =
      hash_from_hex("0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
  auto good = sign_hash(key, hash);
  ASSERT_TRUE(good);
  const U256& n = secp256k1_order();

  Signature high_s = *good;
  high_s.s = n - good->s;  // the malleable twin that Homestead forbids
  high_s.recovery_id ^= 1;
  Signature zero_r = *good;
  zero_r.r = 0;
  Signature zero_s = *good;
  zero_s.s = 0;
  Signature r_is_n = *good;
  r_is_n.r = n;
  Signature bad_id = *good;
  bad_id.recovery_id = 2;
  Signature bad_id_27 = *good;
  bad_id_27.recovery_id = 27;

  for (const Signature& sig : {high_s, zero_r, zero_s, r_is_n, bad_id, bad_id_27}) {
    EXPECT_EQ(check_signature(sig).error(), make_error_code(Errc::kInvalidSignature));
    auto pub = recover_public_key(hash, sig);
    ASSERT_FALSE(pub);
    EXPECT_EQ(pub.error(), make_error_code(Errc::kInvalidSignature));
  }
  EXPECT_TRUE(check_signature(*good));
}

TEST(Secp256k1, RejectsUnrecoverableSignature) {
  // r = 5 is not the x coordinate of any curve point (x^3 + 7 = 132 is not a square mod p),
  // so no public key recovers.
  const Hash32 hash =
      hash_from_hex("0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
  const Signature sig{U256(5), U256(1), 0};
  auto pub = recover_public_key(hash, sig);
  ASSERT_FALSE(pub);
  EXPECT_EQ(pub.error(), make_error_code(Errc::kInvalidSignature));
}

}  // namespace
}  // namespace lottery::eth
