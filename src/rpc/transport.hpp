// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "infra/task.hpp"
#include "rpc/endpoint.hpp"
#include "rpc/json_rpc.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace lottery::rpc {

/// Bounds and timeouts shared by the HTTP and WebSocket transports.
struct TransportOptions {
  std::size_t max_response_bytes =
      std::size_t{16} * 1024 * 1024;                      ///< reply body / WS message limit
  std::size_t max_header_bytes = std::size_t{16} * 1024;  ///< HTTP reply header limit
  std::chrono::milliseconds connect_timeout{10'000};      ///< TCP connect + TLS + WS handshake
  std::size_t max_idle_connections = 4;                   ///< HTTP keep-alive pool size
  std::chrono::milliseconds ws_idle_timeout{
      30'000};                            ///< WS: ping after half of it, drop after all of it
  std::size_t subscription_queue = 1024;  ///< WS: undelivered notifications per subscription
  std::string user_agent = "enclave-lottery";
  /// TLS context; nullptr means a default client context with the system CA
  /// store, peer verification and host name checks.
  std::shared_ptr<boost::asio::ssl::context> tls;
};

/// A default TLS client context: TLS 1.2+, system CA certificates, verify peer.
std::shared_ptr<boost::asio::ssl::context> make_default_tls_context();

/// A stream of `eth_subscription` notifications for one subscription.
/// One consumer at a time.
class Subscription {
 public:
  virtual ~Subscription() = default;
  /// Waits for the next notification's `result`. Notifications that arrived
  /// before a drop are delivered first; then it throws RpcException
  /// (kTransport) for good: the connection was lost or the subscriber fell
  /// too far behind. The caller should resubscribe and backfill.
  virtual infra::Task<boost::json::value> next() = 0;
  /// The node's subscription id.
  virtual const std::string& id() const noexcept = 0;
  /// Unsubscribes (best effort) and makes `next()` throw. Idempotent.
  virtual void close() = 0;
};

/// Moves JSON-RPC payloads to one endpoint and back.
class Transport {
 public:
  virtual ~Transport() = default;

  /// Sends `payload` (one request or a batch whose ids are `ids`) and returns
  /// the raw reply text. Throws RpcException: kTimeout past `timeout`,
  /// kResponseTooLarge, kRateLimited (HTTP 429), kTransport (connect, TLS,
  /// I/O, dropped connection, other HTTP errors).
  virtual infra::Task<std::string> request(std::string payload, std::vector<RequestId> ids,
                                           std::chrono::milliseconds timeout) = 0;

  /// True for WebSocket transports, which support `subscribe`.
  virtual bool supports_subscriptions() const noexcept { return false; }

  /// Sends `eth_subscribe` with `params` under request id `id`.
  /// Throws RpcException (kMethodNotFound-like node errors, transport errors);
  /// the base implementation throws kOther ("not supported over HTTP").
  virtual infra::Task<std::shared_ptr<Subscription>> subscribe(RequestId id,
                                                               boost::json::array params,
                                                               std::chrono::milliseconds timeout);

  virtual const Endpoint& endpoint() const noexcept = 0;

  /// Closes connections; pending requests fail with kTransport. Later
  /// requests reconnect.
  virtual void close() = 0;
};

/// Creates the transport for `endpoint` (HTTP(S) or WS(S)) on `executor`.
/// No I/O happens until the first request.
std::shared_ptr<Transport> make_transport(infra::Executor executor, Endpoint endpoint,
                                          TransportOptions options);

}  // namespace lottery::rpc
