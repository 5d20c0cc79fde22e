// SPDX-License-Identifier: Apache-2.0
#include "custody/cose.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace lottery::custody {
namespace {

constexpr std::size_t kEs384Half = 48;

struct X509Free {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct SigFree {
  void operator()(ECDSA_SIG* p) const noexcept { ECDSA_SIG_free(p); }
};

}  // namespace

CoseSign1 parse_cose_sign1(eth::ByteView bytes, const cbor::Limits& limits) {
  cbor::Value top = cbor::decode(bytes, limits);
  if (top.type == cbor::Type::kTag) {
    if (top.number != kCoseSign1Tag)
      throw cbor::Error("the document has a tag other than COSE_Sign1 (18)");
    cbor::Value inner = std::move(top.items.front());
    top = std::move(inner);
  }
  if (!top.is_array() || top.items.size() != 4) {
    throw cbor::Error("the document is not a COSE_Sign1 array of four items");
  }
  auto& items = top.items;
  if (!items[0].is_bytes() || !items[1].is_map() || !items[2].is_bytes() || !items[3].is_bytes()) {
    throw cbor::Error("COSE_Sign1 items must be (bstr, map, bstr, bstr)");
  }
  CoseSign1 out;
  out.protected_header = std::move(items[0].bytes);
  if (!out.protected_header.empty()) {
    const cbor::Value header = cbor::decode(out.protected_header, limits);
    if (!header.is_map()) throw cbor::Error("the COSE protected header is not a map");
  }
  out.unprotected = std::move(items[1]);
  out.payload = std::move(items[2].bytes);
  out.signature = std::move(items[3].bytes);
  return out;
}

eth::Bytes encode_cose_sign1(const CoseSign1& message) {
  return cbor::encode(cbor::Value::array(
      {cbor::Value::byte_string(message.protected_header), message.unprotected,
       cbor::Value::byte_string(message.payload), cbor::Value::byte_string(message.signature)}));
}

eth::Bytes cose_sig_structure(const CoseSign1& message) {
  return cbor::encode(cbor::Value::array(
      {cbor::Value::text_string("Signature1"), cbor::Value::byte_string(message.protected_header),
       cbor::Value::byte_string({}), cbor::Value::byte_string(message.payload)}));
}

std::optional<std::int64_t> cose_algorithm(const CoseSign1& message) {
  if (message.protected_header.empty()) return std::nullopt;
  try {
    const cbor::Value header = cbor::decode(message.protected_header);
    const cbor::Value* alg = header.find(std::int64_t{1});
    if (alg == nullptr) return std::nullopt;
    if (alg->type == cbor::Type::kNegative && alg->number < (1ULL << 62)) {
      return -1 - static_cast<std::int64_t>(alg->number);
    }
    if (alg->type == cbor::Type::kUnsigned && alg->number < (1ULL << 62)) {
      return static_cast<std::int64_t>(alg->number);
    }
  } catch (const cbor::Error&) {
  }
  return std::nullopt;
}

bool verify_cose_es384(const CoseSign1& message, eth::ByteView signer_der) {
  if (cose_algorithm(message) != kCoseEs384) return false;
  if (message.signature.size() != 2 * kEs384Half) return false;
  const unsigned char* p = signer_der.data();
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(signer_der.size())));
  if (!cert || p != signer_der.data() + signer_der.size()) return false;
  std::unique_ptr<EVP_PKEY, PkeyFree> key(X509_get_pubkey(cert.get()));
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC ||
      EVP_PKEY_get_bits(key.get()) != 384) {
    return false;
  }
  // COSE carries r || s; OpenSSL verifies DER-encoded ECDSA-Sig-Value.
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(message.signature.data(), kEs384Half, nullptr);
  BIGNUM* s = BN_bin2bn(message.signature.data() + kEs384Half, kEs384Half, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) return false;
  std::unique_ptr<unsigned char, void (*)(unsigned char*)> der_owner(
      der, [](unsigned char* q) { OPENSSL_free(q); });
  const eth::Bytes tbs = cose_sig_structure(message);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), der, static_cast<std::size_t>(der_len), tbs.data(),
                          tbs.size()) == 1;
}

}  // namespace lottery::custody
