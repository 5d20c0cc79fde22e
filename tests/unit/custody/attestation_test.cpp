// SPDX-License-Identifier: Apache-2.0
// COSE_Sign1 and attestation verification against a P-384 certificate chain
// (root -> intermediate -> leaf) made here with OpenSSL, shaped like the Nitro
// PKI; the committed AWS root; dev documents; the NSM request/response format.
#include "custody/attestation.hpp"
#include "eth/hex.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/json.hpp>

#include <ctime>
#include <memory>
#include <string>

namespace lottery::custody {
namespace {

namespace json = boost::json;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

Pkey p384() {
  return Pkey(EVP_EC_gen("secp384r1"));
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `key` named `cn`, signed by `issuer_key` (self-signed when
// `issuer` is null), valid from now + `from_s` to now + `to_s`.
Cert make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca,
               long from_s = -3600, long to_s = 3600) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), from_s);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), to_s);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(cert.get(), key);
  X509* issuer_cert = issuer != nullptr ? issuer : cert.get();
  add_ext(cert.get(), issuer_cert, NID_basic_constraints,
          ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_ext(cert.get(), issuer_cert, NID_key_usage,
          ca ? "critical,keyCertSign,cRLSign,digitalSignature" : "critical,digitalSignature");
  add_ext(cert.get(), issuer_cert, NID_subject_key_identifier, "hash");
  X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha384());
  return cert;
}

eth::Bytes der(X509* cert) {
  unsigned char* out = nullptr;
  const int len = i2d_X509(cert, &out);
  eth::Bytes bytes(out, out + len);
  OPENSSL_free(out);
  return bytes;
}

// ES384 over the COSE Sig_structure, r || s.
eth::Bytes es384_sign(EVP_PKEY* key, const CoseSign1& message) {
  const eth::Bytes tbs = cose_sig_structure(message);
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key);
  std::size_t len = 0;
  EVP_DigestSign(ctx.get(), nullptr, &len, tbs.data(), tbs.size());
  eth::Bytes sig_der(len);
  EVP_DigestSign(ctx.get(), sig_der.data(), &len, tbs.data(), tbs.size());
  const unsigned char* p = sig_der.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
  eth::Bytes raw(96, 0);
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw.data(), 48);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw.data() + 48, 48);
  ECDSA_SIG_free(sig);
  return raw;
}

struct Chain {
  Pkey root_key = p384();
  Pkey inter_key = p384();
  Pkey leaf_key = p384();
  Cert root = make_cert(root_key.get(), "test.nitro-enclaves", nullptr, nullptr, true);
  Cert inter =
      make_cert(inter_key.get(), "zone.test.nitro-enclaves", root.get(), root_key.get(), true);
  Cert leaf = make_cert(leaf_key.get(), "i-0123.enc0123", inter.get(), inter_key.get(), false);
};

const P384KeyPair& served_key() {
  static const P384KeyPair k = P384KeyPair::generate();
  return k;
}

AttestationDocument document(const Chain& chain, eth::ByteView nonce) {
  AttestationDocument doc;
  doc.module_id = "i-0123-enc0123";
  doc.timestamp_ms = static_cast<std::uint64_t>(std::time(nullptr)) * 1000;
  for (std::uint64_t i = 0; i < 16; ++i) doc.pcrs[i] = eth::Bytes(48, static_cast<std::uint8_t>(i));
  doc.certificate = der(chain.leaf.get());
  doc.cabundle = {der(chain.root.get()), der(chain.inter.get())};
  const auto& pub = served_key().public_key();
  doc.public_key = eth::Bytes(pub.begin(), pub.end());
  doc.user_data =
      bind_user_data(eth::parse_address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266").value(), pub);
  doc.nonce = eth::Bytes(nonce.begin(), nonce.end());
  return doc;
}

eth::Bytes sign(EVP_PKEY* key, const AttestationDocument& doc, bool tagged = false) {
  CoseSign1 message;
  // Protected header {1: -35} (alg ES384), as the NSM writes it.
  message.protected_header =
      cbor::encode(cbor::Value::map({{cbor::Value::uint(1), cbor::Value::integer(kCoseEs384)}}));
  message.payload = cbor::encode(to_cbor(doc));
  message.signature = es384_sign(key, message);
  eth::Bytes out = encode_cose_sign1(message);
  if (tagged) out.insert(out.begin(), 0xd2);  // tag 18
  return out;
}

const VerifyCheck* find_check(const VerifyReport& r, std::string_view name) {
  for (const auto& c : r.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

TEST(Attestation, CommittedAwsRootMatchesItsPublishedFingerprint) {
  const eth::ByteView root = aws_nitro_root_der();
  EXPECT_EQ(root.size(), 533u);
  EXPECT_EQ(sha256_hex(root), "641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b");
  const std::string pem_path =
      std::string(LOTTERY_SOURCE_DIR) + "/deploy/enclave/aws-nitro-root-g1.pem";
  FILE* f = std::fopen(pem_path.c_str(), "rb");
  ASSERT_NE(f, nullptr) << pem_path;
  eth::Bytes pem(4096);
  pem.resize(std::fread(pem.data(), 1, pem.size(), f));
  std::fclose(f);
  const eth::Bytes from_file = certificate_der(pem);
  EXPECT_TRUE(std::equal(from_file.begin(), from_file.end(), root.begin(), root.end()));
}

TEST(Attestation, GenuineChainVerifies) {
  Chain chain;
  const eth::Bytes nonce = {1, 2, 3, 4, 5, 6, 7, 8};
  for (bool tagged : {false, true}) {
    const eth::Bytes bytes = sign(chain.leaf_key.get(), document(chain, nonce), tagged);
    VerifyOptions options;
    options.root_der = der(chain.root.get());
    options.expected_nonce = nonce;
    const auto& pub = served_key().public_key();
    options.expected_public_key = eth::Bytes(pub.begin(), pub.end());
    const VerifyReport r = verify_attestation(bytes, options);
    for (const auto& c : r.checks) EXPECT_TRUE(c.ok) << c.name << ": " << c.detail;
    EXPECT_TRUE(r.ok);
    EXPECT_FALSE(r.dev);
    EXPECT_EQ(r.document.module_id, "i-0123-enc0123");
    EXPECT_EQ(r.document.pcrs.size(), 16u);
  }
}

TEST(Attestation, RefusesWhatIsWrong) {
  Chain chain;
  const eth::Bytes nonce = {9, 9, 9};
  const auto& pub = served_key().public_key();
  VerifyOptions base;
  base.root_der = der(chain.root.get());
  base.expected_nonce = nonce;
  base.expected_public_key = eth::Bytes(pub.begin(), pub.end());
  const eth::Bytes good = sign(chain.leaf_key.get(), document(chain, nonce));

  auto failed = [](const VerifyReport& r, std::string_view check) {
    const VerifyCheck* c = find_check(r, check);
    return !r.ok && c != nullptr && !c->ok;
  };
  {  // Not the AWS root: the committed root refuses a chain it did not issue.
    VerifyOptions o = base;
    o.root_der.reset();
    EXPECT_TRUE(failed(verify_attestation(good, o), "certificate_chain"));
  }
  {  // Another self-made root.
    Chain other;
    VerifyOptions o = base;
    o.root_der = der(other.root.get());
    EXPECT_TRUE(failed(verify_attestation(good, o), "certificate_chain"));
  }
  {  // Expired leaf (checked an hour and a half later).
    VerifyOptions o = base;
    o.at_time = static_cast<std::int64_t>(std::time(nullptr)) + 5400;
    EXPECT_TRUE(failed(verify_attestation(good, o), "certificate_chain"));
  }
  {  // Missing intermediate.
    AttestationDocument doc = document(chain, nonce);
    doc.cabundle.pop_back();
    EXPECT_TRUE(
        failed(verify_attestation(sign(chain.leaf_key.get(), doc), base), "certificate_chain"));
  }
  {  // Signed by a key that is not the leaf's.
    Pkey stranger = p384();
    EXPECT_TRUE(failed(verify_attestation(sign(stranger.get(), document(chain, nonce)), base),
                       "signature"));
  }
  {  // Payload changed after signing.
    CoseSign1 m = parse_cose_sign1(good);
    AttestationDocument doc = attestation_from_cbor(cbor::decode(m.payload));
    doc.pcrs[0][0] ^= 1;
    m.payload = cbor::encode(to_cbor(doc));
    EXPECT_TRUE(failed(verify_attestation(encode_cose_sign1(m), base), "signature"));
  }
  {  // Signature bit flip, wrong algorithm, truncated signature.
    CoseSign1 m = parse_cose_sign1(good);
    m.signature[5] ^= 1;
    EXPECT_TRUE(failed(verify_attestation(encode_cose_sign1(m), base), "signature"));
    m = parse_cose_sign1(good);
    m.protected_header =
        cbor::encode(cbor::Value::map({{cbor::Value::uint(1), cbor::Value::integer(-7)}}));
    EXPECT_TRUE(failed(verify_attestation(encode_cose_sign1(m), base), "signature"));
    m = parse_cose_sign1(good);
    m.signature.pop_back();
    EXPECT_TRUE(failed(verify_attestation(encode_cose_sign1(m), base), "signature"));
  }
  {  // Another nonce, another served key.
    VerifyOptions o = base;
    o.expected_nonce = eth::Bytes{9, 9, 8};
    EXPECT_TRUE(failed(verify_attestation(good, o), "nonce"));
    o = base;
    const P384KeyPair other = P384KeyPair::generate();
    o.expected_public_key = eth::Bytes(other.public_key().begin(), other.public_key().end());
    EXPECT_TRUE(failed(verify_attestation(good, o), "public_key"));
  }
  {  // user_data that does not bind the public key.
    AttestationDocument doc = document(chain, nonce);
    doc.user_data = eth::Bytes(20, 0);
    EXPECT_TRUE(failed(verify_attestation(sign(chain.leaf_key.get(), doc), base), "binding"));
  }
  {  // Garbage never throws.
    EXPECT_TRUE(failed(verify_attestation(eth::Bytes{0x84, 0x40}, base), "decode"));
    eth::Bytes cut = good;
    cut.resize(cut.size() / 2);
    EXPECT_TRUE(failed(verify_attestation(cut, base), "decode"));
    EXPECT_TRUE(failed(verify_attestation(eth::Bytes(70000, 0), base), "decode"));
  }
}

TEST(Attestation, DevDocumentProvesNothing) {
  AttestorOptions options;
  options.operator_address = [] {
    return eth::parse_address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266").value();
  };
  options.now_ms = [] { return std::int64_t{1'700'000'000'123}; };
  const Attestor attestor(served_key().public_key(), options);
  EXPECT_TRUE(attestor.dev());

  const HttpAnswer answer = attestor.attestation_json("00ff10");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const json::object o = json::parse(answer.body).as_object();
  EXPECT_EQ(o.at("dev").as_bool(), true);
  EXPECT_EQ(o.at("nonce").as_string(), "00ff10");
  EXPECT_EQ(o.at("public_key").as_string(), served_key().public_key_hex());
  EXPECT_EQ(o.at("user_data").as_string(),
            "f39fd6e51aad88f6f4ce6ab8827279cfffb92266" + served_key().public_key_hex());
  EXPECT_EQ(o.at("pcrs").as_object().size(), 16u);
  EXPECT_EQ(o.at("pcrs").as_object().at("0").as_string(), std::string(96, '0'));
  EXPECT_EQ(o.at("timestamp").to_number<std::int64_t>(), 1'700'000'000'123);
  EXPECT_EQ(o.at("operator_address").as_string(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  EXPECT_TRUE(o.contains("warning"));

  const auto raw = base64_decode(std::string(o.at("attestation_document").as_string()));
  ASSERT_TRUE(raw);
  VerifyOptions v;
  v.expected_nonce = eth::Bytes{0x00, 0xff, 0x10};
  v.expected_public_key =
      eth::Bytes(served_key().public_key().begin(), served_key().public_key().end());
  const VerifyReport r = verify_attestation(*raw, v);
  EXPECT_TRUE(r.dev);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(find_check(r, "nonce")->ok);
  EXPECT_TRUE(find_check(r, "public_key")->ok);
  EXPECT_FALSE(find_check(r, "signature")->ok);

  const HttpAnswer cbor_answer = attestor.attestation_raw("", R"({"nonce": "abcd"})");
  EXPECT_EQ(cbor_answer.status, 200);
  EXPECT_EQ(cbor_answer.content_type, "application/cbor");
  const eth::Bytes cbor_bytes(cbor_answer.body.begin(), cbor_answer.body.end());
  EXPECT_EQ(*attestation_from_cbor(cbor::decode(parse_cose_sign1(cbor_bytes).payload)).nonce,
            (eth::Bytes{0xab, 0xcd}));
  EXPECT_EQ(attestor.attestation_raw("", "").status, 200);

  EXPECT_EQ(attestor.attestation_json("abc").status, 400);
  EXPECT_EQ(attestor.attestation_json("zz").status, 400);
  EXPECT_EQ(attestor.attestation_json(std::string(1026, 'a')).status, 400);
  EXPECT_EQ(attestor.attestation_raw("", "[1]").status, 400);
  EXPECT_EQ(attestor.attestation_raw("", R"({"nonce": 5})").status, 400);
}

TEST(Attestation, NsmMessages) {
  const eth::Bytes request = nsm_attestation_request(eth::Bytes{1}, {}, eth::Bytes{2, 3});
  EXPECT_EQ(cbor::diagnostic(cbor::decode(request)),
            "{\"Attestation\": {\"user_data\": h'01', \"nonce\": null, \"public_key\": h'0203'}}");
  const eth::Bytes ok = cbor::encode(
      cbor::Value::map({{cbor::Value::text_string("Attestation"),
                         cbor::Value::map({{cbor::Value::text_string("document"),
                                            cbor::Value::byte_string(eth::Bytes{7, 8})}})}}));
  EXPECT_EQ(nsm_attestation_document(ok), (eth::Bytes{7, 8}));
  const eth::Bytes error = cbor::encode(cbor::Value::map(
      {{cbor::Value::text_string("Error"), cbor::Value::text_string("InvalidArgument")}}));
  EXPECT_THROW(nsm_attestation_document(error), AttestationError);
  EXPECT_THROW(nsm_call("/nonexistent/nsm", request), AttestationError);
  AttestorOptions options;
  options.use_nsm = true;
  options.nsm_path = "/nonexistent/nsm";
  const Attestor attestor(served_key().public_key(), options);
  EXPECT_EQ(attestor.attestation_json("").status, 500);
}

TEST(Attestation, StartupCheck) {
  EXPECT_FALSE(check_attestation_environment(false, "/nonexistent/nsm"));
  const auto error = check_attestation_environment(true, "/nonexistent/nsm");
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("ENCLAVE_ATTESTATION_ENABLED"), std::string::npos);
  EXPECT_FALSE(check_attestation_environment(true, "/dev/null"));
}

}  // namespace
}  // namespace lottery::custody
