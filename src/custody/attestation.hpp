// SPDX-License-Identifier: Apache-2.0
#pragma once
// Attestation documents (SPEC §7): produced through the Nitro Secure Module
// when the process runs in a Nitro Enclave, or as a clearly marked unsigned
// dev document elsewhere; and verified (certificate chain to the AWS Nitro
// root, COSE ES384 signature, nonce, bound public key).
//
// Document payload (the NSM's, RFC 8949 map with text keys):
//   module_id (text), digest ("SHA384"), timestamp (uint, ms), pcrs ({uint: bstr}),
//   certificate (bstr, DER), cabundle ([bstr, …], root first), public_key,
//   user_data, nonce (bstr or null). Dev documents add "dev": true, carry
//   zero PCRs, an empty certificate and cabundle, and an empty signature.
// user_data = operator address (20 bytes; zero while unknown) || injection
// public key (97 bytes), so one document binds both.

#include "custody/answer.hpp"
#include "custody/cbor.hpp"
#include "custody/cose.hpp"
#include "custody/ecies.hpp"
#include "eth/address.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lottery::custody {

inline constexpr std::string_view kNsmDevicePath = "/dev/nsm";
/// Bounds the NSM applies (and so do we, for every caller).
inline constexpr std::size_t kMaxNonceBytes = 512;
inline constexpr std::size_t kMaxUserDataBytes = 512;
/// Largest document accepted by the verifier (real ones are about 4.5 KiB).
inline constexpr std::size_t kMaxDocumentBytes = std::size_t{64} * 1024;
/// A dev document's module id.
inline constexpr std::string_view kDevModuleId = "dev-not-an-enclave";

/// Thrown for documents that are not attestation documents, and by the NSM path.
class AttestationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AttestationDocument {
  std::string module_id;
  std::string digest = "SHA384";
  std::uint64_t timestamp_ms = 0;
  std::map<std::uint64_t, eth::Bytes> pcrs;
  eth::Bytes certificate;
  std::vector<eth::Bytes> cabundle;
  std::optional<eth::Bytes> public_key;
  std::optional<eth::Bytes> user_data;
  std::optional<eth::Bytes> nonce;
  bool dev = false;
};

/// The payload map.
cbor::Value to_cbor(const AttestationDocument& doc);
/// Reads a payload map; throws AttestationError / cbor::Error on a wrong shape.
AttestationDocument attestation_from_cbor(const cbor::Value& payload);

/// user_data of SPEC §7: address || public key.
eth::Bytes bind_user_data(const std::optional<eth::Address>& operator_address,
                          const P384PublicKey& public_key);

/// The committed AWS Nitro Enclaves root certificate (G1), DER, and its published
/// SHA-256 fingerprint (lower-case hex).
eth::ByteView aws_nitro_root_der();
inline constexpr std::string_view kAwsNitroRootSha256 =
    "641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b";
/// SHA-256 of `data` as lower-case hex.
std::string sha256_hex(eth::ByteView data);
/// DER from a PEM certificate (or the input itself when it already is DER).
/// Throws AttestationError.
eth::Bytes certificate_der(eth::ByteView pem_or_der);

/// True when the NSM device exists.
bool nsm_available(std::string_view path = kNsmDevicePath);

/// Start-up check: with ENCLAVE_ATTESTATION_ENABLED=true the NSM must be there,
/// so production can never fall back to dev documents. Returns the one-line
/// error to print, or nullopt when fine.
std::optional<std::string> check_attestation_environment(
    bool attestation_enabled, std::string_view nsm_path = kNsmDevicePath);

/// One raw NSM request/response through the ioctl of the NSM driver.
/// Throws AttestationError when the device fails.
eth::Bytes nsm_call(std::string_view path, eth::ByteView request);

/// Builds the NSM request {"Attestation": {"user_data", "nonce", "public_key"}}.
eth::Bytes nsm_attestation_request(eth::ByteView user_data, eth::ByteView nonce,
                                   eth::ByteView public_key);
/// Extracts the document from an NSM response {"Attestation": {"document": bstr}};
/// throws AttestationError with the NSM's error ({"Error": "..."}) otherwise.
eth::Bytes nsm_attestation_document(eth::ByteView response);

struct AttestorOptions {
  /// true: documents from the NSM at `nsm_path`; false: dev documents.
  bool use_nsm = false;
  std::string nsm_path = std::string(kNsmDevicePath);
  /// The operator address to bind (configured, else the contract's; nullopt = zeros).
  std::function<std::optional<eth::Address>()> operator_address;
  /// Unix milliseconds (tests replace it).
  std::function<std::int64_t()> now_ms;
};

class Attestor {
 public:
  Attestor(const P384PublicKey& public_key, AttestorOptions options);

  /// The raw document (COSE_Sign1 bytes) for `nonce` (<= kMaxNonceBytes; may be empty).
  /// Throws AttestationError when the NSM fails or the nonce is too long.
  eth::Bytes attestation_cbor(eth::ByteView nonce) const;

  /// GET /api/attestation?nonce=<hex>: 200 {attestation_document (base64), pcrs,
  /// user_data, public_key, nonce, dev, module_id, timestamp, operator_address[, warning]};
  /// 400 for a nonce that is not hex or too long; 500 when the NSM fails.
  HttpAnswer attestation_json(std::string_view nonce_hex) const;

  /// POST /.well-known/attestation: the raw document as application/cbor. The
  /// nonce comes from `nonce_hex` (query) or a JSON body {"nonce": "<hex>"}.
  HttpAnswer attestation_raw(std::string_view nonce_hex, std::string_view body) const;

  bool dev() const noexcept { return !options_.use_nsm; }

 private:
  P384PublicKey public_key_;
  AttestorOptions options_;
};

/// What `verify_attestation` checks against.
struct VerifyOptions {
  /// Trust anchor (DER); default: the committed AWS Nitro root.
  std::optional<eth::Bytes> root_der;
  std::optional<eth::Bytes> expected_nonce;
  std::optional<eth::Bytes> expected_public_key;
  /// Certificate validity is checked at this unix time (seconds); default: now.
  std::optional<std::int64_t> at_time;
};

/// One verdict per check, in order.
struct VerifyCheck {
  std::string name;
  bool ok = false;
  std::string detail;
};

struct VerifyReport {
  bool ok = false;   ///< every check passed (a dev document is never ok)
  bool dev = false;  ///< an unsigned dev document: proves nothing
  AttestationDocument document;
  std::vector<VerifyCheck> checks;
};

/// Verifies a document. Never throws for bad input: a malformed document is a
/// failed "decode" check.
VerifyReport verify_attestation(eth::ByteView document, const VerifyOptions& options);

/// Hex (no 0x, either case) to bytes; nullopt for odd length or bad digits.
std::optional<eth::Bytes> bare_hex_decode(std::string_view text);

}  // namespace lottery::custody
