// SPDX-License-Identifier: Apache-2.0
#include "custody/ecies.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <climits>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace lottery::custody {
namespace {

constexpr const char* kCurve = "secp384r1";

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const noexcept { EVP_CIPHER_CTX_free(p); }
};
struct KdfFree {
  void operator()(EVP_KDF* p) const noexcept { EVP_KDF_free(p); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* p) const noexcept { EVP_KDF_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};

using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

[[noreturn]] void fail(const char* what) {
  throw std::runtime_error(std::string("OpenSSL: ") + what);
}

// The EC private scalar lives in BIGNUMs; with a secure heap OpenSSL keeps it in
// locked pages and wipes it on free. Best effort: without it keys still work.
void init_secure_heap() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (CRYPTO_secure_malloc_initialized() == 0)
      CRYPTO_secure_malloc_init(std::size_t{64} * 1024, 32);
  });
}

int to_int(std::size_t n) {
  if (n > static_cast<std::size_t>(INT_MAX)) throw std::invalid_argument("buffer too large");
  return static_cast<int>(n);
}

// An EVP_PKEY for a (validated) uncompressed secp384r1 point.
Pkey import_public(eth::ByteView point) {
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld) fail("OSSL_PARAM_BLD_new");
  if (OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kCurve, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    fail("OSSL_PARAM_BLD_push");
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) fail("OSSL_PARAM_BLD_to_param");
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) fail("EVP_PKEY_fromdata_init");
  EVP_PKEY* raw = nullptr;
  // Decoding the point checks that it lies on the curve; a bad point fails here.
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) return nullptr;
  Pkey key(raw);
  PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return key;
}

P384PublicKey export_public(EVP_PKEY* key) {
  P384PublicKey out{};
  std::size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out.data(),
                                      out.size(), &len) != 1 ||
      len != out.size() || out[0] != 0x04) {
    fail("exporting the public key");
  }
  return out;
}

SecretBytes derive(EVP_PKEY* own, EVP_PKEY* peer) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer) != 1) {
    fail("ECDH setup");
  }
  std::size_t len = 0;
  if (EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1 || len != kEcdhSecretSize) fail("ECDH size");
  SecretBytes secret(len);
  if (EVP_PKEY_derive(ctx.get(), secret.data(), &len) != 1 || len != kEcdhSecretSize) {
    fail("ECDH");
  }
  return secret;
}

eth::ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

struct Keys {
  SecretBytes aes;
  SecretBytes mac;
};

Keys derive_keys(const SecretBytes& z) {
  return {hkdf_sha256(z.view(), {}, as_bytes(kAesKeyInfo), 32),
          hkdf_sha256(z.view(), {}, as_bytes(kMacKeyInfo), 32)};
}

}  // namespace

SecretBytes hkdf_sha256(eth::ByteView ikm, eth::ByteView salt, eth::ByteView info,
                        std::size_t length) {
  if (length == 0 || length > std::size_t{255} * 32)
    throw std::invalid_argument("HKDF length out of range");
  std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) fail("EVP_KDF_fetch(HKDF)");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) fail("EVP_KDF_CTX_new");
  char digest[] = "SHA256";
  // OSSL_PARAM takes non-const pointers but only reads the inputs.
  auto* key = const_cast<std::uint8_t*>(ikm.data());
  auto* info_ptr = const_cast<std::uint8_t*>(info.data());
  auto* salt_ptr = const_cast<std::uint8_t*>(salt.data());
  OSSL_PARAM params[5];
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key, ikm.size());
  if (!info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info_ptr, info.size());
  }
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt_ptr, salt.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  SecretBytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.data(), length, params) != 1) fail("HKDF");
  return out;
}

std::array<std::uint8_t, 32> hmac_sha256(eth::ByteView key, eth::ByteView data) {
  std::array<std::uint8_t, 32> out{};
  unsigned int len = 0;
  static const std::uint8_t kEmpty = 0;
  if (HMAC(EVP_sha256(), key.empty() ? &kEmpty : key.data(), to_int(key.size()),
           data.empty() ? &kEmpty : data.data(), data.size(), out.data(), &len) == nullptr ||
      len != out.size()) {
    fail("HMAC-SHA256");
  }
  return out;
}

eth::Bytes random_bytes(std::size_t n) {
  eth::Bytes out(n);
  if (n != 0 && RAND_bytes(out.data(), to_int(n)) != 1) fail("RAND_bytes");
  return out;
}

std::string base64_encode(eth::ByteView data) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) |
                            std::uint32_t{data[i + 2]};
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = data.size() - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{data[i]} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<eth::Bytes> base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) return std::nullopt;
  eth::Bytes out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int pad = 0;
    if (last && text[i + 3] == '=') pad = text[i + 2] == '=' ? 2 : 1;
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      if (k >= 4 - static_cast<std::size_t>(pad)) {
        v <<= 6;
        continue;
      }
      const int d = value(text[i + k]);
      if (d < 0) return std::nullopt;
      v = (v << 6) | static_cast<std::uint32_t>(d);
    }
    // The bits that padding leaves unused must be zero (canonical encoding).
    if ((pad == 1 && (v & 0xffU) != 0) || (pad == 2 && (v & 0xffffU) != 0)) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    if (pad < 2) out.push_back(static_cast<std::uint8_t>(v >> 8));
    if (pad < 1) out.push_back(static_cast<std::uint8_t>(v));
  }
  return out;
}

std::optional<P384PublicKey> parse_p384_public_key(eth::ByteView bytes) {
  if (bytes.size() != kP384PublicKeySize || bytes[0] != 0x04) return std::nullopt;
  if (!import_public(bytes)) return std::nullopt;
  P384PublicKey out{};
  std::memcpy(out.data(), bytes.data(), out.size());
  return out;
}

struct P384KeyPair::Impl {
  Pkey key;
};

P384KeyPair::P384KeyPair(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  public_key_ = export_public(impl_->key.get());
}
P384KeyPair::P384KeyPair(P384KeyPair&&) noexcept = default;
P384KeyPair& P384KeyPair::operator=(P384KeyPair&&) noexcept = default;
P384KeyPair::~P384KeyPair() = default;

P384KeyPair P384KeyPair::generate() {
  init_secure_heap();
  Pkey key(EVP_EC_gen(kCurve));
  if (!key) fail("EVP_EC_gen(secp384r1)");
  // Uncompressed is the default point format; set it anyway so the export is 04||X||Y.
  char uncompressed[] = "uncompressed";
  if (EVP_PKEY_set_utf8_string_param(key.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                     uncompressed) != 1) {
    fail("setting the point format");
  }
  auto impl = std::make_unique<Impl>();
  impl->key = std::move(key);
  return P384KeyPair(std::move(impl));
}

std::string P384KeyPair::public_key_hex() const {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(public_key_.size() * 2);
  for (std::uint8_t b : public_key_) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

std::string P384KeyPair::public_key_pem() const {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->key.get()) != 1) fail("PEM_write_bio_PUBKEY");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) fail("BIO_get_mem_data");
  return {data, static_cast<std::size_t>(len)};
}

SecretBytes P384KeyPair::shared_secret(const P384PublicKey& peer) const {
  Pkey peer_key = import_public(peer);
  if (!peer_key) throw std::invalid_argument("not a secp384r1 point");
  return derive(impl_->key.get(), peer_key.get());
}

std::string_view ecies_error_code(EciesError error) noexcept {
  switch (error) {
    case EciesError::kInvalidLength:
      return "invalid_length";
    case EciesError::kInvalidEphemeralKey:
      return "invalid_ephemeral_key";
    case EciesError::kAuthenticationFailed:
      return "authentication_failed";
    case EciesError::kDecryptionFailed:
      return "decryption_failed";
  }
  return "invalid_ciphertext";
}

std::variant<SecretBytes, EciesError> ecies_decrypt(const P384KeyPair& recipient,
                                                    eth::ByteView message,
                                                    std::size_t max_plaintext) {
  if (message.size() <= kEciesOverhead || message.size() - kEciesOverhead > max_plaintext) {
    return EciesError::kInvalidLength;
  }
  const eth::ByteView ephemeral = message.first(kP384PublicKeySize);
  const eth::ByteView nonce = message.subspan(kP384PublicKeySize, kGcmNonceSize);
  const std::size_t ct_len = message.size() - kEciesOverhead;
  const eth::ByteView ciphertext = message.subspan(kP384PublicKeySize + kGcmNonceSize, ct_len);
  const eth::ByteView tag =
      message.subspan(kP384PublicKeySize + kGcmNonceSize + ct_len, kGcmTagSize);
  const eth::ByteView authenticated = message.first(message.size() - kHmacSize);
  const eth::ByteView mac = message.last(kHmacSize);

  const auto peer = parse_p384_public_key(ephemeral);
  if (!peer) return EciesError::kInvalidEphemeralKey;
  const SecretBytes z = recipient.shared_secret(*peer);
  const Keys keys = derive_keys(z);

  auto expected = hmac_sha256(keys.mac.view(), authenticated);
  const bool mac_ok = constant_time_equal(expected, mac);
  wipe(expected.data(), expected.size());
  if (!mac_ok) return EciesError::kAuthenticationFailed;

  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kGcmNonceSize),
                          nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, keys.aes.data(), nonce.data()) != 1) {
    fail("AES-256-GCM setup");
  }
  SecretBytes plain(ct_len);
  int len = 0;
  if (EVP_DecryptUpdate(ctx.get(), plain.data(), &len, ciphertext.data(), to_int(ct_len)) != 1) {
    return EciesError::kDecryptionFailed;
  }
  std::size_t total = static_cast<std::size_t>(len);
  std::array<std::uint8_t, kGcmTagSize> tag_copy{};
  std::memcpy(tag_copy.data(), tag.data(), tag.size());
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagSize),
                          tag_copy.data()) != 1) {
    fail("AES-256-GCM tag");
  }
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), plain.data() + total, &final_len) != 1) {
    return EciesError::kDecryptionFailed;  // `plain` is wiped on return
  }
  total += static_cast<std::size_t>(final_len);
  plain.shrink(total);
  return plain;
}

eth::Bytes ecies_encrypt(eth::ByteView recipient, eth::ByteView plaintext) {
  const auto peer = parse_p384_public_key(recipient);
  if (!peer) throw std::invalid_argument("the recipient key is not a secp384r1 public key");
  const P384KeyPair ephemeral = P384KeyPair::generate();
  const SecretBytes z = ephemeral.shared_secret(*peer);
  const Keys keys = derive_keys(z);
  const eth::Bytes nonce = random_bytes(kGcmNonceSize);

  eth::Bytes out;
  out.reserve(kEciesOverhead + plaintext.size());
  out.insert(out.end(), ephemeral.public_key().begin(), ephemeral.public_key().end());
  out.insert(out.end(), nonce.begin(), nonce.end());
  const std::size_t ct_at = out.size();
  out.resize(ct_at + plaintext.size() + kGcmTagSize);

  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int final_len = 0;
  static const std::uint8_t kEmpty = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kGcmNonceSize),
                          nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, keys.aes.data(), nonce.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.data() + ct_at, &len,
                        plaintext.empty() ? &kEmpty : plaintext.data(),
                        to_int(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + ct_at + len, &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagSize),
                          out.data() + ct_at + plaintext.size()) != 1) {
    fail("AES-256-GCM encryption");
  }
  const auto mac = hmac_sha256(keys.mac.view(), out);
  out.insert(out.end(), mac.begin(), mac.end());
  return out;
}

}  // namespace lottery::custody
