// SPDX-License-Identifier: Apache-2.0
#pragma once
// COSE_Sign1 (RFC 9052 §4.2) as the Nitro Secure Module produces it: an array
// [protected (bstr of a CBOR map), unprotected (map), payload (bstr),
// signature (bstr)], optionally wrapped in tag 18, signed with ES384
// (ECDSA P-384 over SHA-384, signature = r || s, 48 bytes each).

#include "custody/cbor.hpp"
#include "eth/bytes.hpp"

#include <cstdint>
#include <optional>

namespace lottery::custody {

/// COSE algorithm id of ES384.
inline constexpr std::int64_t kCoseEs384 = -35;
/// The CBOR tag of COSE_Sign1.
inline constexpr std::uint64_t kCoseSign1Tag = 18;

struct CoseSign1 {
  eth::Bytes protected_header;  ///< serialised map (may be empty)
  cbor::Value unprotected = cbor::Value::map({});
  eth::Bytes payload;
  eth::Bytes signature;
};

/// Parses a (tagged or untagged) COSE_Sign1. Throws cbor::Error when the
/// structure is wrong (including a protected header that is not a map).
CoseSign1 parse_cose_sign1(eth::ByteView bytes, const cbor::Limits& limits = {});

/// Serialises untagged, as the NSM does.
eth::Bytes encode_cose_sign1(const CoseSign1& message);

/// The bytes that are signed: CBOR ["Signature1", protected, h'', payload].
eth::Bytes cose_sig_structure(const CoseSign1& message);

/// The `alg` (label 1) of the protected header, if present and an integer.
std::optional<std::int64_t> cose_algorithm(const CoseSign1& message);

/// True when `message` is ES384-signed (alg -35 in the protected header) and
/// the signature verifies with the P-384 public key of the DER certificate
/// `signer_der`. False for anything else, including a malformed certificate.
bool verify_cose_es384(const CoseSign1& message, eth::ByteView signer_der);

}  // namespace lottery::custody
