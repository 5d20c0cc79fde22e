// SPDX-License-Identifier: Apache-2.0
#include "eth/secp256k1.hpp"

#include "eth/hex.hpp"

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sys/random.h>

#include <cerrno>
#include <ostream>

namespace lottery::eth {
namespace {

// Overwrites memory in a way the optimiser may not drop as a dead store.
void secure_wipe(std::uint8_t* data, std::size_t size) noexcept {
  volatile std::uint8_t* p = data;
  for (std::size_t i = 0; i < size; ++i) p[i] = 0;
}

// Fills `out` from the kernel's CSPRNG; false if it is unavailable.
bool os_random(std::array<std::uint8_t, 32>& out) noexcept {
  std::size_t filled = 0;
  while (filled < out.size()) {
    const ssize_t got = ::getrandom(out.data() + filled, out.size() - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    filled += static_cast<std::size_t>(got);
  }
  return true;
}

// One context for the process. libsecp256k1 contexts are safe to share between threads for
// every operation except randomisation, which happens here, once, before anyone else sees it.
const secp256k1_context* context() noexcept {
  static secp256k1_context* const ctx = [] {
    secp256k1_context* created = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    std::array<std::uint8_t, 32> seed{};
    // Blinding is a side-channel defence; without OS randomness signing stays correct, so a
    // missing seed leaves the context unblinded rather than failing every signature.
    const bool blinded = os_random(seed) && secp256k1_context_randomize(created, seed.data()) == 1;
    static_cast<void>(blinded);
    secure_wipe(seed.data(), seed.size());
    return created;
  }();
  return ctx;
}

const U256& half_order() noexcept {
  static const U256 half = secp256k1_order() >> 1;
  return half;
}

PublicKey serialize_public_key(const secp256k1_pubkey& pubkey) noexcept {
  std::array<std::uint8_t, 65> tagged{};
  std::size_t size = tagged.size();
  (void)secp256k1_ec_pubkey_serialize(context(), tagged.data(), &size, &pubkey,
                                      SECP256K1_EC_UNCOMPRESSED);
  PublicKey xy{};
  for (std::size_t i = 0; i < xy.size(); ++i) xy[i] = tagged[i + 1];  // drop the 0x04 tag
  return xy;
}

}  // namespace

const U256& secp256k1_order() noexcept {
  static const U256 n("0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141");
  return n;
}

Result<PrivateKey> PrivateKey::from_bytes(ByteView bytes) noexcept {
  if (bytes.size() != 32) return make_error_code(Errc::kWrongLength);
  std::array<std::uint8_t, 32> secret{};
  for (std::size_t i = 0; i < secret.size(); ++i) secret[i] = bytes[i];
  const bool valid = secp256k1_ec_seckey_verify(context(), secret.data()) == 1;
  PrivateKey key(secret);
  secure_wipe(secret.data(), secret.size());
  if (!valid) return make_error_code(Errc::kInvalidPrivateKey);
  return key;
}

Result<PrivateKey> PrivateKey::from_hex(std::string_view text) noexcept {
  auto bytes = hex_decode(text);
  if (!bytes) return bytes.error();
  auto key = from_bytes(*bytes);
  secure_wipe(bytes->data(), bytes->size());
  return key;
}

PrivateKey::PrivateKey(PrivateKey&& other) noexcept : secret_(other.secret_) {
  other.wipe();
}

PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
  if (this != &other) {
    secret_ = other.secret_;
    other.wipe();
  }
  return *this;
}

PrivateKey::~PrivateKey() {
  wipe();
}

void PrivateKey::wipe() noexcept {
  secure_wipe(secret_.data(), secret_.size());
}

PublicKey PrivateKey::public_key() const noexcept {
  secp256k1_pubkey pubkey;
  // Cannot fail: the constructor only admits keys that secp256k1_ec_seckey_verify accepted.
  if (secp256k1_ec_pubkey_create(context(), &pubkey, secret_.data()) != 1) return PublicKey{};
  return serialize_public_key(pubkey);
}

Address PrivateKey::address() const noexcept {
  return address_from_public_key(public_key());
}

void PrintTo(const PrivateKey&, std::ostream* os) {
  *os << "PrivateKey(<redacted>)";
}

Result<Signature> sign_hash(const PrivateKey& key, const Hash32& hash) noexcept {
  secp256k1_ecdsa_recoverable_signature sig;
  // A null nonce function selects RFC 6979 (secp256k1_nonce_function_default).
  if (secp256k1_ecdsa_sign_recoverable(context(), &sig, hash.data(), key.expose_secret().data(),
                                       nullptr, nullptr) != 1) {
    return make_error_code(Errc::kInternal);
  }
  std::array<std::uint8_t, 64> compact{};
  int recid = 0;
  (void)secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), compact.data(), &recid,
                                                                &sig);
  // Ids 2 and 3 mean R.x overflowed n (probability about 2^-127); Ethereum cannot express them.
  if (recid < 0 || recid > 1) return make_error_code(Errc::kInternal);
  auto r = u256_from_be(ByteView(compact).first(32));
  auto s = u256_from_be(ByteView(compact).last(32));
  if (!r || !s) return make_error_code(Errc::kInternal);
  Signature out{*r, *s, static_cast<std::uint8_t>(recid)};
  // libsecp256k1 already normalises to low s; checking keeps the documented promise independent
  // of the library version.
  if (auto ok = check_signature(out); !ok) return make_error_code(Errc::kInternal);
  return out;
}

Result<void> check_signature(const Signature& signature) noexcept {
  if (signature.r == 0 || signature.r >= secp256k1_order()) {
    return make_error_code(Errc::kInvalidSignature);
  }
  if (signature.s == 0 || signature.s > half_order()) {
    return make_error_code(Errc::kInvalidSignature);
  }
  if (signature.recovery_id > 1) return make_error_code(Errc::kInvalidSignature);
  return {};
}

Result<PublicKey> recover_public_key(const Hash32& hash, const Signature& signature) noexcept {
  if (auto ok = check_signature(signature); !ok) return ok.error();
  std::array<std::uint8_t, 64> compact{};
  const Hash32 r = u256_to_be32(signature.r);
  const Hash32 s = u256_to_be32(signature.s);
  for (std::size_t i = 0; i < 32; ++i) {
    compact[i] = r[i];
    compact[32 + i] = s[i];
  }
  secp256k1_ecdsa_recoverable_signature sig;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &sig, compact.data(),
                                                          signature.recovery_id) != 1) {
    return make_error_code(Errc::kInvalidSignature);
  }
  secp256k1_pubkey pubkey;
  if (secp256k1_ecdsa_recover(context(), &pubkey, &sig, hash.data()) != 1) {
    return make_error_code(Errc::kInvalidSignature);
  }
  return serialize_public_key(pubkey);
}

Result<Address> recover_address(const Hash32& hash, const Signature& signature) noexcept {
  auto pubkey = recover_public_key(hash, signature);
  if (!pubkey) return pubkey.error();
  return address_from_public_key(*pubkey);
}

}  // namespace lottery::eth
