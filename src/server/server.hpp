// SPDX-License-Identifier: Apache-2.0
#pragma once
// The HTTP API, WebSocket feed and static web UI (SPEC §5, §6) on one
// listener. The server only reads the store; everything else it shows comes
// from small providers the app wires in (`ServerContext`).
//
//   server::Server http(runtime.executor(), server::options_from(settings), context);
//   http.start();                                  // binds; throws on failure
//   runtime.on_stop([&](int) { co_spawn(..., http.stop(), detached); });

#include "config/settings.hpp"
#include "infra/metrics.hpp"
#include "infra/task.hpp"
#include "server/router.hpp"
#include "store/store.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lottery::server {

class WsFeed;

/// Listener, limits and timeouts.
struct ServerOptions {
  std::string host = "0.0.0.0";
  std::uint16_t port = 6080;              ///< 0 = any free port (read it back with `port()`)
  std::vector<std::string> cors_origins;  ///< SERVER_CORS_ORIGINS; empty = same origin only
  std::string static_dir;                 ///< built web UI; empty or missing = no UI (404)
  std::string abi_path;  ///< served at /contracts/abi/Lottery.abi; empty = the built-in ABI
  std::size_t max_body_bytes = std::size_t{64} * 1024;   ///< larger bodies: 413
  std::size_t max_header_bytes = std::size_t{8} * 1024;  ///< larger headers: 431
  std::chrono::milliseconds idle_timeout{60'000};  ///< keep-alive connection without a request
  std::chrono::milliseconds request_timeout{
      10'000};                               ///< to receive one request / send one response
  std::uint32_t rate_limit_per_minute = 60;  ///< per IP on POST routes and upgrades; 0 = off
  std::uint32_t rate_limit_burst = 0;        ///< bucket size; 0 = rate_limit_per_minute
  std::size_t ws_max_clients = 10000;
  std::size_t ws_send_queue = 64;           ///< messages per session before coalescing
  std::size_t ws_max_message_bytes = 4096;  ///< larger client messages close the session (1009)
  /// Broadcasts are written to clients by this many tasks in parallel on the
  /// I/O threads (0: one per usable core), so a commit never waits for them.
  std::size_t ws_fanout_lanes = 0;
  std::chrono::milliseconds ws_ping_interval{20'000};  ///< protocol ping after this much silence
  std::chrono::milliseconds ws_send_timeout{10'000};   ///< a write stuck this long drops the client
  std::chrono::milliseconds shutdown_deadline{5'000};  ///< `stop()` force-closes after this
  std::string version = "dev";  ///< shown by /health and the OpenAPI document
};

/// The server settings from the configuration (`server` section), with the
/// static directory used only when it exists.
ServerOptions options_from(const config::ServerSettings& settings);

/// What the server reads besides the store; every provider is optional and
/// may be called from any I/O thread concurrently.
struct ServerContext {
  /// The state to serve (required; must outlive the server).
  store::Store* store = nullptr;
  /// Where request and WebSocket metrics are registered; `/metrics` renders it.
  infra::Registry* metrics = &infra::metrics();
  /// /api/ready: default = the chain is reachable and the first sync is done.
  std::function<bool()> ready;
  /// Extra detail under /api/health `components.blockchain.endpoints`
  /// (e.g. RPC endpoint stats).
  std::function<boost::json::value()> rpc_endpoints;
  /// POST /api/bet: sends a checked raw transaction ("0x…") and returns its
  /// hash. Throws on failure (the message is shown to the client as 502).
  /// Unset: the relay answers 503.
  std::function<infra::Task<std::string>(std::string raw_hex)> relay;
  /// The chain id bets must be signed for; default: the store's chain id.
  std::function<std::uint64_t()> chain_id;
  /// Replicas (SPEC §10): WebSocket clients are fed from this source instead
  /// of the store's commits. Null: the store (one process).
  std::shared_ptr<WsFeed> ws_feed;
  /// /api/health `components.replica` (role, leader, Redis); unset:
  /// `{"role": "standalone"}`.
  std::function<boost::json::value()> replica;
};

/// The HTTP/WebSocket server. All public members are thread-safe except
/// `add_route`, which must be called before `start()`.
class Server {
 public:
  Server(infra::Executor executor, ServerOptions options, ServerContext context);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Adds a route (e.g. the custody routes); it also appears in the OpenAPI
  /// document. Throws std::logic_error after `start()`.
  void add_route(const RouteSpec& spec, const Handler& handler);

  /// Binds host:port and starts accepting. Throws std::system_error with the
  /// address when it cannot listen.
  void start();

  /// The bound port (after `start()`).
  std::uint16_t port() const;

  /// Graceful shutdown: stops accepting, closes WebSockets with 1001 (going
  /// away), lets in-flight requests finish and closes idle connections; after
  /// `shutdown_deadline` closes whatever is left. Completes when every
  /// connection has ended. Idempotent.
  infra::Task<void> stop();

  /// Connected WebSocket clients.
  std::size_t websocket_clients() const;
  /// Open TCP connections (HTTP and WebSocket).
  std::size_t connections() const;

  const Router& router() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace lottery::server
