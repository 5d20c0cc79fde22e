// SPDX-License-Identifier: Apache-2.0
#pragma once
// Run-time injection of the operator key (SPEC §7), independent of HTTP:
//
//   custody::KeyInjector injector(options);            // makes the secp384r1 pair
//   GET  /api/get_pub_key      -> injector.public_key_json()
//   POST /api/set_operator_key -> injector.handle_set_operator_key(body, client_ip)
//
// Answers (status, JSON body):
//   200 {"success": true, "operator_address", "message", "timestamp"}
//   400 {"success": false, "error", "message"}  bad JSON / base64 / length /
//       ephemeral key / HMAC / GCM tag / key format, or a key of another address
//   403 the same shape: a key was already injected or configured (one-time rule)
//   429 the same shape: too many attempts from this client
//   503 the same shape: the operator address is not known yet (retry later)
// The key itself never appears in a response, log line or exception message.

#include "custody/answer.hpp"
#include "custody/ecies.hpp"
#include "eth/address.hpp"
#include "eth/secp256k1.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace lottery::custody {

struct InjectorOptions {
  /// BLOCKCHAIN_OPERATOR_ADDRESS; when set, the injected key must belong to it.
  std::optional<eth::Address> operator_address;
  /// Otherwise: the contract's `operator()` as last seen (nullopt while unknown).
  /// Called on the request's thread; must be cheap and thread-safe.
  std::function<std::optional<eth::Address>()> contract_operator;
  /// Receives the key after every check passed (e.g. Operator::set_signer).
  /// Called at most once. If it throws, the injection is answered 500 and stays open.
  std::function<void(eth::PrivateKey)> sink;
  /// A configured key won the precedence: injection is closed from the start (403).
  bool key_configured = false;
  /// Attempts per client IP per window (successful or not); 0 = unlimited.
  std::uint32_t max_attempts = 5;
  std::chrono::seconds window{60};
  /// Clients remembered at once; beyond that new clients are refused (429)
  /// until old windows expire, so a flood of addresses cannot grow memory.
  std::size_t max_clients = 10'000;
  /// Monotonic clock for the rate limit (tests replace it).
  std::function<std::chrono::steady_clock::time_point()> clock;
  /// Unix time in milliseconds for the `timestamp` fields (tests replace it).
  std::function<std::int64_t()> now_ms;
};

class KeyInjector {
 public:
  /// Generates the per-process key pair.
  explicit KeyInjector(InjectorOptions options);
  /// Uses the given pair (tests).
  KeyInjector(P384KeyPair keys, InjectorOptions options);

  KeyInjector(const KeyInjector&) = delete;
  KeyInjector& operator=(const KeyInjector&) = delete;

  const P384KeyPair& key_pair() const noexcept { return keys_; }

  /// GET /api/get_pub_key: {public_key_pem, public_key_hex, curve, key_size, usage, timestamp}.
  std::string public_key_json() const;

  /// POST /api/set_operator_key. Thread-safe: of any number of concurrent
  /// calls with valid keys exactly one succeeds; the others get 403.
  HttpAnswer handle_set_operator_key(std::string_view body, std::string_view client_ip);

  /// True once a key was accepted (or the injector was closed).
  bool closed() const;
  /// Closes injection (e.g. a key arrived another way); later attempts get 403.
  void close();

 private:
  bool allow_attempt(std::string_view client_ip);
  HttpAnswer failure(int status, std::string_view code, std::string_view message,
                     std::string_view client_ip) const;
  std::int64_t now_ms() const;

  P384KeyPair keys_;
  InjectorOptions options_;

  mutable std::mutex inject_mutex_;  // held for a whole injection: one at a time
  bool closed_ = false;

  struct Window {
    std::chrono::steady_clock::time_point start;
    std::uint32_t attempts = 0;
  };
  std::mutex rate_mutex_;
  std::map<std::string, Window, std::less<>> windows_;
};

}  // namespace lottery::custody
