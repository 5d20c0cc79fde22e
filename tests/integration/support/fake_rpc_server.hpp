// SPDX-License-Identifier: Apache-2.0
#pragma once

// A scriptable JSON-RPC server for tests: HTTP and WebSocket on one
// 127.0.0.1 port, answering through a handler the test sets, so hostile node
// behaviour (malformed JSON, huge bodies, wrong ids, errors, delays, dropped
// connections) can be reproduced exactly.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lottery::integration {

/// What the server does with one request (HTTP) or message (WebSocket).
struct FakeReply {
  FakeReply() = default;
  explicit FakeReply(std::string reply_body) : body(std::move(reply_body)) {}

  std::string body;                    ///< reply body / WS message ("" and !drop: WS sends nothing)
  unsigned status = 200;               ///< HTTP status
  std::chrono::milliseconds delay{0};  ///< wait before answering
  bool drop = false;                   ///< close the connection instead of answering
  std::vector<std::string> extra;      ///< WS: more messages after `body` (e.g. notifications)
};

/// Called on the server thread for every request body / WS text message.
using FakeHandler = std::function<FakeReply(const std::string& request)>;

class FakeRpcServer {
 public:
  explicit FakeRpcServer(FakeHandler handler);
  ~FakeRpcServer();
  FakeRpcServer(const FakeRpcServer&) = delete;
  FakeRpcServer& operator=(const FakeRpcServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::string http_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string ws_url() const { return "ws://127.0.0.1:" + std::to_string(port_); }

  void set_handler(FakeHandler handler);
  /// Sends `message` to every open WebSocket session.
  void push(const std::string& message);
  /// Closes every open connection (HTTP keep-alive and WebSocket) abruptly.
  void drop_all();

  std::size_t requests() const noexcept { return requests_.load(); }
  std::size_t connections() const noexcept { return connections_.load(); }

  /// Builds `{"jsonrpc":"2.0","id":<id of request>,"result":<result_json>}`;
  /// for a batch request, one such reply per call, in order.
  static std::string result_for(const std::string& request, const std::string& result_json);
  /// Same with `"error":{"code":code,"message":message}`.
  static std::string error_for(const std::string& request, int code, const std::string& message);
  /// The "method" of a single request ("" for a batch or garbage).
  static std::string method_of(const std::string& request);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
  std::atomic<std::size_t> requests_{0};
  std::atomic<std::size_t> connections_{0};
  std::thread thread_;
};

}  // namespace lottery::integration
