// SPDX-License-Identifier: Apache-2.0
#pragma once
// `lottery inject-key --url URL [--key-file F] [--attest [--allow-dev] [--root-cert F]]`:
// the client side of SPEC §7. Reads the operator key (from --key-file, else
// BLOCKCHAIN_OPERATOR_PRIVATE_KEY, else a hidden prompt on the terminal, else
// one line of stdin), fetches the service's secp384r1 key from
// /api/get_pub_key, optionally checks that key against a fresh attestation
// document (nonce from this process), encrypts with ECIES and POSTs it to
// /api/set_operator_key. The key is never printed.
//
// Exit codes: 0 injected; 1 bad input (no key, not a key, bad options);
// 2 the service could not be reached or answered something unexpected;
// 3 the attestation check failed (or was a dev document without --allow-dev);
// 4 the service refused the key (wrong key/address, already set, rate limited, …).

#include <CLI/CLI.hpp>

#include <chrono>
#include <string>

namespace lottery::app {

/// One HTTP exchange (http:// or https://, certificate verified against the system store).
struct HttpReply {
  int status = 0;  ///< 0 when no answer arrived (see `error`)
  std::string body;
  std::string content_type;
  std::string error;
};

/// Sends `method` ("GET"/"POST") to `url` with `body` (when POST) and waits at
/// most `timeout`. Bodies above 1 MiB are refused.
HttpReply http_exchange(const std::string& method, const std::string& url, const std::string& body,
                        const std::string& content_type, std::chrono::milliseconds timeout);

/// `base` without a trailing slash + `path`.
std::string join_url(const std::string& base, const std::string& path);

void register_inject_key_command(CLI::App& cli);

}  // namespace lottery::app
