// SPDX-License-Identifier: Apache-2.0
#pragma once

// One TCP connection to Redis, driven by Asio coroutines (no blocking calls): commands are written
// with our RESP encoder, replies parsed by hiredis' reader (resp.hpp).
//
//   RedisConnection conn(executor);
//   co_await conn.connect(endpoint, 2s);                 // TCP + AUTH + SELECT
//   Reply r = co_await conn.command({"GET", "k"}, 1s);   // throws on error replies and I/O errors
//
// A connection is used by one coroutine at a time, except that `send` may be awaited while a
// `read` is pending (the pub/sub connection pings while it waits for messages). `RedisClient`
// shares one connection between coroutines and reconnects when it breaks.

#include "infra/task.hpp"
#include "scale/resp.hpp"

#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lottery::scale {

/// A command's arguments. A function rather than a braced list: GCC 12 rejects braced lists of
/// string literals inside `co_await` expressions ("array used as initializer").
template <class... Args>
std::vector<std::string> cmd(Args&&... args) {
  std::vector<std::string> out;
  out.reserve(sizeof...(Args));
  (out.emplace_back(std::forward<Args>(args)), ...);
  return out;
}

/// Where Redis is, from `REDIS_URL` (`redis://[user][:password]@host[:port][/db]`).
struct RedisEndpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string user;      ///< ACL user (AUTH user password); empty = default user
  std::string password;  ///< empty = no AUTH
  std::uint32_t db = 0;
  /// `host:port` for logs (never the password).
  std::string label() const;
};

/// Parses a redis:// URL. Throws std::invalid_argument with a sentence naming what is wrong;
/// rediss:// (TLS) is refused with a hint (not supported yet: use a TLS sidecar such as stunnel or
/// a service mesh).
RedisEndpoint parse_redis_url(std::string_view url);

class RedisConnection {
 public:
  explicit RedisConnection(infra::Executor executor);

  /// Connects (resolving the host), then AUTH and SELECT when the endpoint asks for them. Throws
  /// on failure (std::system_error, RedisError, infra::TimeoutError-like beast timeouts).
  infra::Task<void> connect(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout);

  /// Sends `args` and returns the reply. An error reply throws RedisError (the connection stays
  /// usable); an I/O error or `timeout` throws and closes the connection.
  infra::Task<Reply> command(std::vector<std::string> args, std::chrono::milliseconds timeout);

  /// Writes `args` without reading a reply (pub/sub: SUBSCRIBE, PING).
  infra::Task<void> send(std::vector<std::string> args);
  /// The next reply or pushed message; waits without a time limit (use `close()` to stop it).
  infra::Task<Reply> read();

  void close() noexcept;
  bool is_open() const noexcept;

 private:
  infra::Task<Reply> read_one();

  boost::beast::tcp_stream stream_;
  ReplyParser parser_;
  std::string read_buffer_;
};

/// A command connection shared by several coroutines (lease, publisher, fencing checks): one
/// command at a time (an async lock), connecting on first use and again after a failure.
/// Thread-safe.
class RedisClient {
 public:
  RedisClient(infra::Executor executor, RedisEndpoint endpoint,
              std::chrono::milliseconds connect_timeout);

  /// Like `RedisConnection::command`; (re)connects first when needed. Throws on failure.
  infra::Task<Reply> command(std::vector<std::string> args, std::chrono::milliseconds timeout);
  /// Closes the connection (the next command reconnects). Any thread.
  void close();

  const RedisEndpoint& endpoint() const noexcept { return endpoint_; }

 private:
  infra::Executor executor_;
  RedisEndpoint endpoint_;
  std::chrono::milliseconds connect_timeout_;
  using Lock = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;
  std::shared_ptr<Lock> lock_;
  std::unique_ptr<RedisConnection> connection_;  ///< guarded by lock_
};

}  // namespace lottery::scale
