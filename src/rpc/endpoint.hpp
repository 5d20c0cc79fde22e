// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lottery::rpc {

enum class Scheme : std::uint8_t { kHttp, kHttps, kWs, kWss };

/// A parsed JSON-RPC endpoint URL.
struct Endpoint {
  Scheme scheme = Scheme::kHttp;
  std::string host;           ///< DNS name or IP literal, without IPv6 brackets
  std::uint16_t port = 0;     ///< explicit port or the scheme's default
  std::string target = "/";   ///< path and query sent in the request line
  std::string authorization;  ///< "Basic …" from user:password@ in the URL, else empty
  std::string url;            ///< the URL as given (may hold an API key: do not log it)

  bool is_tls() const noexcept { return scheme == Scheme::kHttps || scheme == Scheme::kWss; }
  bool is_websocket() const noexcept { return scheme == Scheme::kWs || scheme == Scheme::kWss; }
  /// Value for the Host header: host, bracketed for IPv6, with ":port" unless default.
  std::string host_header() const;
  /// Safe for logs: "https://mainnet.example.io:443/…" — path, query and
  /// credentials elided because providers put API keys there.
  std::string redacted() const;
};

/// Parses one http/https/ws/wss URL. Throws std::invalid_argument with a
/// sentence naming the problem (unsupported scheme, missing host, bad port,
/// fragment) — the URL itself is not repeated since it may hold a secret.
Endpoint parse_endpoint(std::string_view url);

/// Parses a comma-separated list of URLs (spaces around commas are ignored,
/// empty items rejected). Throws std::invalid_argument naming the item number.
std::vector<Endpoint> parse_endpoint_list(std::string_view urls);

}  // namespace lottery::rpc
