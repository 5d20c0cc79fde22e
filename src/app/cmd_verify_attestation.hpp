// SPDX-License-Identifier: Apache-2.0
#pragma once
// `lottery verify-attestation [--file F | --url URL] [--nonce HEX]
//  [--expect-public-key HEX] [--root-cert F] [--at-time UNIX]`:
// checks an attestation document (SPEC §7): COSE_Sign1 ES384 signature by the
// leaf certificate, the chain up to the AWS Nitro root (committed; another
// root with --root-cert), the nonce, and that the bound public key is the one
// the service serves. With --url it asks for a fresh document (random nonce
// unless --nonce) and fetches /api/get_pub_key to compare. --file accepts the
// raw CBOR, its base64, or the JSON of /api/attestation.
//
// Exit codes: 0 verified; 1 a check failed; 2 the document could not be read
// or fetched; 3 an unsigned dev document (proves nothing).

#include <CLI/CLI.hpp>

namespace lottery::app {

void register_verify_attestation_command(CLI::App& cli);

}  // namespace lottery::app
