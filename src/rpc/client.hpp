// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "infra/backoff.hpp"
#include "infra/task.hpp"
#include "infra/task_group.hpp"
#include "rpc/health.hpp"
#include "rpc/json_rpc.hpp"
#include "rpc/transport.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lottery::rpc {

struct ClientOptions {
  /// Deadline of one attempt (connect + send + reply).
  std::chrono::milliseconds request_timeout{10'000};
  /// Attempts per call, first one included.
  std::uint32_t max_attempts = 4;
  /// Delay before retrying on the same endpoint (failing over to another
  /// endpoint happens at once).
  infra::BackoffPolicy backoff{std::chrono::milliseconds{200}, std::chrono::milliseconds{5'000},
                               2.0};
  HealthOptions health;
  TransportOptions transport;
  /// Receives one line per failed attempt and per endpoint switch; may be empty.
  infra::LogSink log;
};

/// Per-call overrides.
struct CallOptions {
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<std::uint32_t> max_attempts;
};

/// JSON-RPC 2.0 client over one or more endpoints with failover.
///
/// Each attempt goes to the healthiest endpoint (see `HealthTracker`).
/// Endpoint faults (transport errors, timeouts, rate limits, malformed or
/// oversized replies) count against that endpoint and the call moves on to
/// the next best one; transient faults (`is_retriable`) are also retried on
/// the same endpoint after a jittered backoff. Node verdicts (reverts, nonce
/// errors, …) are returned at once and never retried.
///
/// Note for senders: a retried `eth_sendRawTransaction` may reach a node that
/// already has the transaction; treat kAlreadyKnown (and kNonceTooLow for the
/// same hash) accordingly.
///
/// Thread-safe; the client must outlive the calls and subscriptions made on
/// it. Destroying it closes its transports.
class RpcClient {
 public:
  /// `transports` must not be empty; their order is the preference order.
  RpcClient(infra::Executor executor, std::vector<std::shared_ptr<Transport>> transports,
            ClientOptions options = {});
  ~RpcClient();
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  /// Parses `urls` (comma-separated http/https/ws/wss) and creates the
  /// transports; no I/O yet. Throws std::invalid_argument for a bad URL.
  static std::unique_ptr<RpcClient> create(infra::Executor executor, std::string_view urls,
                                           ClientOptions options = {});

  /// One call; returns its "result". Throws RpcException.
  infra::Task<boost::json::value> call(std::string method, boost::json::array params,
                                       CallOptions options = {});

  /// All calls in one request (one HTTP POST / one WS message); outcomes are
  /// parallel to `calls`. Per-call node errors are in the outcomes; throws
  /// RpcException only when the whole batch failed on every attempt.
  infra::Task<std::vector<CallOutcome>> batch(std::vector<Call> calls, CallOptions options = {});

  /// `eth_subscribe` with `params` (e.g. ["newHeads"]) on the healthiest
  /// WebSocket endpoint. newHeads notifications also update that endpoint's
  /// head. Throws RpcException (kOther when no ws(s) endpoint is configured).
  infra::Task<std::shared_ptr<Subscription>> subscribe(boost::json::array params,
                                                       CallOptions options = {});

  /// True when at least one endpoint is ws:// or wss://.
  bool supports_subscriptions() const noexcept;

  /// Asks every endpoint for eth_blockNumber (concurrently is not needed for
  /// a handful of URLs: one after the other, each with the request timeout)
  /// and updates heads and health. Never throws for endpoint failures.
  infra::Task<void> probe_endpoints();

  /// Calls `probe_endpoints()` every `interval` until cancelled. Run it in
  /// the app's TaskGroup so resting or lagging endpoints are re-checked and
  /// the client returns to the primary once it is healthy again.
  infra::Task<void> run_probes(std::chrono::milliseconds interval);

  /// Records a head seen on endpoint `index` by other means.
  void report_head(std::size_t index, std::uint64_t head);

  std::vector<EndpointStats> stats() const;
  /// Index of the endpoint the next call would use.
  std::size_t preferred_endpoint() const;
  std::size_t endpoint_count() const noexcept { return transports_.size(); }
  const Endpoint& endpoint(std::size_t index) const { return transports_.at(index)->endpoint(); }

  /// Closes every transport (WebSocket loops end; subscriptions fail).
  void close();

 private:
  infra::Task<std::vector<CallOutcome>> execute(std::vector<Call> calls, bool as_batch,
                                                CallOptions options);
  std::vector<RequestId> allocate_ids(std::size_t n);
  void log(const std::string& line) const;

  infra::Executor executor_;
  std::vector<std::shared_ptr<Transport>> transports_;
  ClientOptions options_;
  std::atomic<RequestId> next_id_{1};
  mutable std::mutex mutex_;
  HealthTracker health_;
};

}  // namespace lottery::rpc
