// SPDX-License-Identifier: Apache-2.0
#include "custody/attestation.hpp"

#include "eth/hex.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <boost/json.hpp>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

namespace lottery::custody {
namespace {

namespace json = boost::json;
using cbor::Value;

// AWS_NitroEnclaves_Root-G1 (CN=aws.nitro-enclaves, O=Amazon, OU=AWS, C=US, P-384,
// valid 2019-10-28 .. 2049-10-28), published by AWS at
// https://aws-nitro-enclaves.amazonaws.com/AWS_NitroEnclaves_Root-G1.zip; its DER
// SHA-256 is kAwsNitroRootSha256 (checked on first use and by the unit tests).
constexpr std::string_view kAwsNitroRootBase64 =
    "MIICETCCAZagAwIBAgIRAPkxdWgbkK/hHUbMtOTn+FYwCgYIKoZIzj0EAwMwSTELMAkGA1UEBhMCVVMxDzANBgNVBAoM"
    "BkFtYXpvbjEMMAoGA1UECwwDQVdTMRswGQYDVQQDDBJhd3Mubml0cm8tZW5jbGF2ZXMwHhcNMTkxMDI4MTMyODA1WhcN"
    "NDkxMDI4MTQyODA1WjBJMQswCQYDVQQGEwJVUzEPMA0GA1UECgwGQW1hem9uMQwwCgYDVQQLDANBV1MxGzAZBgNVBAMM"
    "EmF3cy5uaXRyby1lbmNsYXZlczB2MBAGByqGSM49AgEGBSuBBAAiA2IABPwCVOumCMHzaHDimtqQvkY4MpJzbolL//Zy"
    "2YlES1BR5TSksfbb48C8WBoyt7F2Bw7eEtaaP+ohG2bnUs990d0JX28TcPQXCEPZ3BABIeTPYwEoCWZEh8l5YoQwTcU/"
    "9KNCMEAwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQUkCW1DdkFR+eWw5b6cp3PmanfS5YwDgYDVR0PAQH/BAQDAgGG"
    "MAoGCCqGSM49BAMDA2kAMGYCMQCjfy+Rocm9Xue4YnwWmNJVA44fA0P5W2OpYow9OYCVRaEevL8uO1XYru5xtMPWrfMC"
    "MQCi85sWBbJwKKXdS6BptQFuZbT73o/gBh1qUxl/nNr12UO8Yfwr6wPLb+6NIwLz3/Y=";

// The NSM driver's raw message ioctl: _IOWR(0x0A, 0, struct { iovec request; iovec response; }).
struct NsmIovec {
  std::uint64_t addr;
  std::uint64_t len;
};
struct NsmRaw {
  NsmIovec request;
  NsmIovec response;
};
constexpr std::uint8_t kNsmMagic = 0x0A;
constexpr std::size_t kNsmRequestMax = 0x1000;
constexpr std::size_t kNsmResponseMax = 0x3000;

struct X509Free {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
struct StoreFree {
  void operator()(X509_STORE* p) const noexcept { X509_STORE_free(p); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* p) const noexcept { X509_STORE_CTX_free(p); }
};
struct StackFree {
  void operator()(STACK_OF(X509) * p) const noexcept { sk_X509_pop_free(p, X509_free); }
};
struct BioFree {
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr parse_der(eth::ByteView der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (cert && p != der.data() + der.size()) return nullptr;  // trailing bytes
  return cert;
}

std::string hex(eth::ByteView data) {
  return eth::hex_encode_bare(data);
}

std::int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const Value& require(const Value& map, std::string_view key) {
  const Value* v = map.find(key);
  if (v == nullptr)
    throw AttestationError("the attestation document has no '" + std::string(key) + "'");
  return *v;
}

std::optional<eth::Bytes> optional_bytes(const Value& map, std::string_view key) {
  const Value* v = map.find(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_bytes()) throw AttestationError("'" + std::string(key) + "' must be a byte string");
  return v->bytes;
}

HttpAnswer error_answer(int status, std::string_view code, std::string_view message) {
  json::object o;
  o["error"] = code;
  o["message"] = message;
  return {status, json::serialize(o), "application/json"};
}

}  // namespace

std::optional<eth::Bytes> bare_hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  eth::Bytes out(text.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = digit(text[2 * i]);
    const int lo = digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return out;
}

Value to_cbor(const AttestationDocument& doc) {
  auto bytes_or_null = [](const std::optional<eth::Bytes>& b) {
    return b ? Value::byte_string(*b) : Value::null();
  };
  std::vector<std::pair<Value, Value>> pcrs;
  for (const auto& [index, value] : doc.pcrs) {
    pcrs.emplace_back(Value::uint(index), Value::byte_string(value));
  }
  std::vector<Value> bundle;
  for (const auto& cert : doc.cabundle) bundle.push_back(Value::byte_string(cert));
  std::vector<std::pair<Value, Value>> entries;
  entries.emplace_back(Value::text_string("module_id"), Value::text_string(doc.module_id));
  entries.emplace_back(Value::text_string("digest"), Value::text_string(doc.digest));
  entries.emplace_back(Value::text_string("timestamp"), Value::uint(doc.timestamp_ms));
  entries.emplace_back(Value::text_string("pcrs"), Value::map(std::move(pcrs)));
  entries.emplace_back(Value::text_string("certificate"), Value::byte_string(doc.certificate));
  entries.emplace_back(Value::text_string("cabundle"), Value::array(std::move(bundle)));
  entries.emplace_back(Value::text_string("public_key"), bytes_or_null(doc.public_key));
  entries.emplace_back(Value::text_string("user_data"), bytes_or_null(doc.user_data));
  entries.emplace_back(Value::text_string("nonce"), bytes_or_null(doc.nonce));
  if (doc.dev) entries.emplace_back(Value::text_string("dev"), Value::boolean(true));
  return Value::map(std::move(entries));
}

AttestationDocument attestation_from_cbor(const Value& payload) {
  if (!payload.is_map()) throw AttestationError("the attestation payload is not a CBOR map");
  AttestationDocument doc;
  const Value& module_id = require(payload, "module_id");
  const Value& digest = require(payload, "digest");
  const Value& timestamp = require(payload, "timestamp");
  const Value& pcrs = require(payload, "pcrs");
  const Value& certificate = require(payload, "certificate");
  const Value& cabundle = require(payload, "cabundle");
  if (!module_id.is_text() || !digest.is_text() || timestamp.type != cbor::Type::kUnsigned ||
      !pcrs.is_map() || !certificate.is_bytes() || !cabundle.is_array()) {
    throw AttestationError("the attestation document fields have the wrong types");
  }
  doc.module_id = module_id.text;
  doc.digest = digest.text;
  doc.timestamp_ms = timestamp.number;
  for (const auto& [k, v] : pcrs.entries) {
    if (k.type != cbor::Type::kUnsigned || k.number > 31 || !v.is_bytes()) {
      throw AttestationError("a PCR entry is not {index: bytes}");
    }
    doc.pcrs[k.number] = v.bytes;
  }
  doc.certificate = certificate.bytes;
  for (const auto& cert : cabundle.items) {
    if (!cert.is_bytes()) throw AttestationError("a cabundle entry is not a byte string");
    doc.cabundle.push_back(cert.bytes);
  }
  doc.public_key = optional_bytes(payload, "public_key");
  doc.user_data = optional_bytes(payload, "user_data");
  doc.nonce = optional_bytes(payload, "nonce");
  const Value* dev = payload.find("dev");
  doc.dev = dev != nullptr && dev->type == cbor::Type::kTrue;
  return doc;
}

eth::Bytes bind_user_data(const std::optional<eth::Address>& operator_address,
                          const P384PublicKey& public_key) {
  // Sized once: growing the vector with insert() trips a false GCC 12 -Warray-bounds at -O3.
  eth::Bytes out(20 + public_key.size(), 0);
  if (operator_address) {
    std::memcpy(out.data(), operator_address->bytes.data(), operator_address->bytes.size());
  }
  std::memcpy(out.data() + 20, public_key.data(), public_key.size());
  return out;
}

eth::ByteView aws_nitro_root_der() {
  static const eth::Bytes der = [] {
    auto decoded = base64_decode(kAwsNitroRootBase64);
    if (!decoded || sha256_hex(*decoded) != kAwsNitroRootSha256) {
      throw std::logic_error("the embedded AWS Nitro root certificate is corrupt");
    }
    return *decoded;
  }();
  return der;
}

std::string sha256_hex(eth::ByteView data) {
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> digest{};
  SHA256(data.data(), data.size(), digest.data());
  return hex(digest);
}

eth::Bytes certificate_der(eth::ByteView pem_or_der) {
  static constexpr std::string_view kBegin = "-----BEGIN";
  const std::string_view text(reinterpret_cast<const char*>(pem_or_der.data()), pem_or_der.size());
  if (text.find(kBegin) == std::string_view::npos) {
    if (!parse_der(pem_or_der)) throw AttestationError("not a DER or PEM certificate");
    return {pem_or_der.begin(), pem_or_der.end()};
  }
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) throw AttestationError("not a PEM certificate");
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert.get(), &der);
  if (len <= 0) throw AttestationError("cannot re-encode the certificate");
  eth::Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

bool nsm_available(std::string_view path) {
  return ::access(std::string(path).c_str(), F_OK) == 0;
}

std::optional<std::string> check_attestation_environment(bool attestation_enabled,
                                                         std::string_view nsm_path) {
  if (!attestation_enabled || nsm_available(nsm_path)) return std::nullopt;
  return "ENCLAVE_ATTESTATION_ENABLED=true but " + std::string(nsm_path) +
         " does not exist: run inside a Nitro Enclave, or set ENCLAVE_ATTESTATION_ENABLED=false "
         "to serve unsigned dev attestation documents";
}

eth::Bytes nsm_call(std::string_view path, eth::ByteView request) {
  if (request.size() > kNsmRequestMax) throw AttestationError("NSM request too large");
  const int fd = ::open(std::string(path).c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    throw AttestationError("cannot open " + std::string(path) + ": " + std::strerror(errno));
  }
  eth::Bytes response(kNsmResponseMax);
  NsmRaw raw{};
  raw.request = {reinterpret_cast<std::uint64_t>(request.data()), request.size()};
  raw.response = {reinterpret_cast<std::uint64_t>(response.data()), response.size()};
  const unsigned long command = _IOWR(kNsmMagic, 0, NsmRaw);
  const int rc = ::ioctl(fd, command, &raw);
  const int saved = errno;
  ::close(fd);
  if (rc < 0) throw AttestationError(std::string("NSM ioctl failed: ") + std::strerror(saved));
  if (raw.response.len > response.size()) throw AttestationError("NSM response too large");
  response.resize(static_cast<std::size_t>(raw.response.len));
  return response;
}

eth::Bytes nsm_attestation_request(eth::ByteView user_data, eth::ByteView nonce,
                                   eth::ByteView public_key) {
  auto bytes_or_null = [](eth::ByteView b) {
    return b.empty() ? Value::null() : Value::byte_string(b);
  };
  std::vector<std::pair<Value, Value>> inner;
  inner.emplace_back(Value::text_string("user_data"), bytes_or_null(user_data));
  inner.emplace_back(Value::text_string("nonce"), bytes_or_null(nonce));
  inner.emplace_back(Value::text_string("public_key"), bytes_or_null(public_key));
  std::vector<std::pair<Value, Value>> outer;
  outer.emplace_back(Value::text_string("Attestation"), Value::map(std::move(inner)));
  return cbor::encode(Value::map(std::move(outer)));
}

eth::Bytes nsm_attestation_document(eth::ByteView response) {
  const Value v = cbor::decode(response);
  if (const Value* error = v.find("Error")) {
    throw AttestationError("the NSM refused the request: " +
                           (error->is_text() ? error->text : cbor::diagnostic(*error)));
  }
  const Value* att = v.find("Attestation");
  const Value* doc = att != nullptr ? att->find("document") : nullptr;
  if (doc == nullptr || !doc->is_bytes()) throw AttestationError("unexpected NSM response");
  return doc->bytes;
}

Attestor::Attestor(const P384PublicKey& public_key, AttestorOptions options)
    : public_key_(public_key), options_(std::move(options)) {
  if (!options_.now_ms) options_.now_ms = system_ms;
}

eth::Bytes Attestor::attestation_cbor(eth::ByteView nonce) const {
  if (nonce.size() > kMaxNonceBytes) throw AttestationError("nonce too long");
  const std::optional<eth::Address> address =
      options_.operator_address ? options_.operator_address() : std::nullopt;
  const eth::Bytes user_data = bind_user_data(address, public_key_);
  if (options_.use_nsm) {
    return nsm_attestation_document(
        nsm_call(options_.nsm_path, nsm_attestation_request(user_data, nonce, public_key_)));
  }
  AttestationDocument doc;
  doc.module_id = std::string(kDevModuleId);
  doc.timestamp_ms = static_cast<std::uint64_t>(options_.now_ms());
  for (std::uint64_t i = 0; i < 16; ++i) doc.pcrs[i] = eth::Bytes(48, 0);
  doc.public_key = eth::Bytes(public_key_.begin(), public_key_.end());
  doc.user_data = user_data;
  if (!nonce.empty()) doc.nonce = eth::Bytes(nonce.begin(), nonce.end());
  doc.dev = true;
  CoseSign1 message;
  message.payload = cbor::encode(to_cbor(doc));
  return encode_cose_sign1(message);
}

HttpAnswer Attestor::attestation_json(std::string_view nonce_hex) const {
  const auto nonce = bare_hex_decode(nonce_hex);
  if (!nonce) {
    return error_answer(400, "invalid_nonce", "nonce must be hex digits (an even number, no 0x).");
  }
  if (nonce->size() > kMaxNonceBytes) {
    return error_answer(400, "invalid_nonce", "nonce must be at most 512 bytes.");
  }
  eth::Bytes raw;
  AttestationDocument doc;
  try {
    raw = attestation_cbor(*nonce);
    doc = attestation_from_cbor(cbor::decode(parse_cose_sign1(raw).payload));
  } catch (const std::exception& e) {
    return error_answer(500, "attestation_failed",
                        std::string("No attestation document: ") + e.what());
  }
  json::object pcrs;
  for (const auto& [index, value] : doc.pcrs) pcrs[std::to_string(index)] = hex(value);
  json::object o;
  o["attestation_document"] = base64_encode(raw);
  o["pcrs"] = std::move(pcrs);
  o["user_data"] = doc.user_data ? json::value(hex(*doc.user_data)) : json::value(nullptr);
  o["public_key"] = doc.public_key ? json::value(hex(*doc.public_key)) : json::value(nullptr);
  o["nonce"] = doc.nonce ? json::value(hex(*doc.nonce)) : json::value(nullptr);
  o["dev"] = doc.dev;
  o["module_id"] = doc.module_id;
  o["timestamp"] = doc.timestamp_ms;
  if (doc.user_data && doc.user_data->size() >= 20) {
    eth::Address address;
    std::memcpy(address.bytes.data(), doc.user_data->data(), 20);
    o["operator_address"] =
        address == eth::Address{} ? json::value(nullptr) : json::value(eth::to_checksum(address));
  }
  if (doc.dev) {
    o["warning"] =
        "DEVELOPMENT DOCUMENT: not produced by a Nitro Enclave and not signed; it proves nothing "
        "about the code that runs or where the key lives.";
  }
  return {200, json::serialize(o), "application/json"};
}

HttpAnswer Attestor::attestation_raw(std::string_view nonce_hex, std::string_view body) const {
  std::string from_body;
  if (nonce_hex.empty() && !body.empty()) {
    boost::system::error_code ec;
    const json::value doc = json::parse(body, ec);
    const json::value* nonce =
        !ec && doc.is_object() ? doc.as_object().if_contains("nonce") : nullptr;
    if (ec || !doc.is_object() || (nonce != nullptr && !nonce->is_string())) {
      return error_answer(400, "invalid_request", "Send no body or {\"nonce\": \"<hex>\"}.");
    }
    if (nonce != nullptr) from_body = std::string(nonce->as_string());
    nonce_hex = from_body;
  }
  const auto nonce = bare_hex_decode(nonce_hex);
  if (!nonce || nonce->size() > kMaxNonceBytes) {
    return error_answer(400, "invalid_nonce", "nonce must be hex digits, at most 512 bytes.");
  }
  try {
    const eth::Bytes raw = attestation_cbor(*nonce);
    return {200, std::string(raw.begin(), raw.end()), "application/cbor"};
  } catch (const std::exception& e) {
    return error_answer(500, "attestation_failed",
                        std::string("No attestation document: ") + e.what());
  }
}

VerifyReport verify_attestation(eth::ByteView document, const VerifyOptions& options) {
  VerifyReport report;
  auto check = [&](std::string name, bool ok, std::string detail) {
    report.checks.push_back({std::move(name), ok, std::move(detail)});
    return ok;
  };
  CoseSign1 message;
  try {
    if (document.size() > kMaxDocumentBytes) throw AttestationError("document too large");
    message = parse_cose_sign1(document);
    report.document = attestation_from_cbor(cbor::decode(message.payload));
    check("decode", true, "COSE_Sign1 with an attestation document");
  } catch (const std::exception& e) {
    check("decode", false, e.what());
    return report;
  }
  const AttestationDocument& doc = report.document;
  bool ok = true;

  if (doc.dev || (message.signature.empty() && doc.certificate.empty())) {
    report.dev = true;
    check("signature", false,
          "unsigned development document (module '" + doc.module_id +
              "'): it proves nothing about the enclave or the key");
    ok = false;
  } else {
    // Chain: leaf certificate -> cabundle -> trusted root.
    const eth::Bytes root_der =
        options.root_der ? *options.root_der
                         : eth::Bytes(aws_nitro_root_der().begin(), aws_nitro_root_der().end());
    X509Ptr root = parse_der(root_der);
    X509Ptr leaf = parse_der(doc.certificate);
    std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
    bool parsed = root && leaf && untrusted;
    for (const auto& der : doc.cabundle) {
      X509Ptr cert = parse_der(der);
      if (!cert || !parsed) {
        parsed = false;
        break;
      }
      if (sk_X509_push(untrusted.get(), cert.get()) <= 0) {
        parsed = false;
        break;
      }
      (void)cert.release();
    }
    bool chain_ok = false;
    std::string chain_detail = "a certificate does not parse";
    if (parsed) {
      std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
      std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
      if (store && ctx && X509_STORE_add_cert(store.get(), root.get()) == 1 &&
          X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) == 1) {
        const std::int64_t when =
            options.at_time ? *options.at_time : static_cast<std::int64_t>(std::time(nullptr));
        X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), static_cast<time_t>(when));
        chain_ok = X509_verify_cert(ctx.get()) == 1;
        chain_detail = chain_ok
                           ? "leaf certificate chains to the trusted root (SHA-256 " +
                                 sha256_hex(root_der) + ")"
                           : std::string("certificate chain: ") +
                                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
      }
    }
    ok &= check("certificate_chain", chain_ok, chain_detail);
    const bool sig_ok = leaf && verify_cose_es384(message, doc.certificate);
    ok &= check("signature", sig_ok,
                sig_ok ? "COSE ES384 signature by the leaf certificate"
                       : "the COSE signature does not verify with the leaf certificate (or is "
                         "not ES384)");
  }

  if (options.expected_nonce) {
    const bool nonce_ok = doc.nonce && *doc.nonce == *options.expected_nonce;
    ok &= check("nonce", nonce_ok,
                nonce_ok ? "nonce matches"
                         : "nonce " + (doc.nonce ? hex(*doc.nonce) : std::string("(none)")) +
                               " differs from the expected " + hex(*options.expected_nonce));
  }
  // The served key must be the one bound in the document (public_key and user_data).
  const bool bound =
      doc.public_key && doc.user_data && doc.user_data->size() == 20 + doc.public_key->size() &&
      std::equal(doc.public_key->begin(), doc.public_key->end(), doc.user_data->begin() + 20);
  ok &= check("binding", bound,
              bound ? "user_data = operator address || public_key"
                    : "user_data does not bind the public key");
  if (options.expected_public_key) {
    const bool key_ok = doc.public_key && *doc.public_key == *options.expected_public_key;
    ok &= check("public_key", key_ok,
                key_ok ? "bound public key is the one the service serves"
                       : "the document binds another public key than the expected one");
  }
  report.ok = ok && !report.dev;
  return report;
}

}  // namespace lottery::custody
