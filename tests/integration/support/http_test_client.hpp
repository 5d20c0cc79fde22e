// SPDX-License-Identifier: Apache-2.0
#pragma once

// Small Beast clients for tests of the HTTP/WebSocket server: one-shot HTTP
// requests, raw byte exchanges (for malformed requests) and a WebSocket
// client that collects every message on a background thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace lottery::integration {

struct HttpReply {
  int status = 0;  ///< 0 when no response arrived
  std::string body;
  std::map<std::string, std::string> headers;  ///< lower-case names
  std::string error;                           ///< transport error, if any

  /// The header value or "" (name in lower case).
  std::string header(const std::string& name) const;
  /// The body parsed as JSON (null when it is not JSON).
  boost::json::value json() const;
};

/// Sends one request to 127.0.0.1:`port` on a fresh connection and reads the answer.
HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body = {},
                       const std::vector<std::pair<std::string, std::string>>& headers = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// Writes `raw` bytes and reads until the server closes or `timeout` passes;
/// returns what arrived.
std::string raw_exchange(std::uint16_t port, const std::string& raw,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// The status code of the first response line in `raw` ("HTTP/1.1 413 …" -> 413), or 0.
int status_of(const std::string& raw);

/// A WebSocket client that reads every message on its own thread.
class WsTestClient {
 public:
  WsTestClient() = default;
  ~WsTestClient();
  WsTestClient(const WsTestClient&) = delete;
  WsTestClient& operator=(const WsTestClient&) = delete;

  /// Connects and performs the upgrade; false (with `error()`) on failure.
  /// With `read` false the client never reads (a slow consumer).
  bool connect(std::uint16_t port, const std::string& target = "/ws/lottery", bool read = true,
               const std::string& origin = {});

  /// The next message, waiting up to `timeout`.
  std::optional<std::string> next(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// The next message whose "type" is `type`, skipping others (kept in `skipped()`).
  std::optional<boost::json::value> next_of_type(
      const std::string& type, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// Messages received so far and not yet taken.
  std::size_t pending() const;

  void send(const std::string& text);
  /// Waits until the server closes the connection; returns the close code (0 if none).
  std::optional<int> wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  int pings() const;
  bool closed() const;
  const std::string& error() const { return error_; }
  /// Closes from the client side (normal closure).
  void close();

 private:
  void read_loop();
  void write_next();

  boost::asio::io_context ioc_;
  std::optional<boost::beast::websocket::stream<boost::beast::tcp_stream>> ws_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> messages_;
  std::deque<std::string> outbox_;  ///< io_context thread only
  bool closed_ = false;
  int close_code_ = 0;
  int pings_ = 0;
  std::string error_;
};

}  // namespace lottery::integration
