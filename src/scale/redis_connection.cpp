// SPDX-License-Identifier: Apache-2.0
#include "scale/redis_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/url/parse.hpp>

#include <charconv>
#include <stdexcept>
#include <system_error>

namespace lottery::scale {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = std::size_t{16} * 1024;

[[noreturn]] void fail(const boost::system::error_code& ec, const std::string& what) {
  throw std::system_error(ec, "redis: " + what);
}

}  // namespace

std::string RedisEndpoint::label() const {
  return host + ':' + std::to_string(port);
}

RedisEndpoint parse_redis_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw std::invalid_argument("REDIS_URL is not a URL: use redis://host:port");
  const auto& u = *parsed;
  if (u.scheme() == "rediss") {
    throw std::invalid_argument(
        "REDIS_URL uses rediss:// (TLS), which this build does not speak: use redis:// through a "
        "TLS sidecar (stunnel, a service mesh) or a private network");
  }
  if (u.scheme() != "redis") throw std::invalid_argument("REDIS_URL must start with redis://");
  RedisEndpoint out;
  out.host = std::string(u.host_address());
  if (out.host.empty()) throw std::invalid_argument("REDIS_URL has no host: use redis://host:port");
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (u.has_port()) {
    const auto port = u.port_number();
    if (port == 0) throw std::invalid_argument("REDIS_URL has an invalid port (1..65535)");
    out.port = port;
  }
  if (u.has_userinfo()) {
    out.user = std::string(u.user());
    out.password = std::string(u.password());
    // redis://password@host (no colon) is a common shorthand for the default user's password.
    if (!u.has_password() && !out.user.empty()) {
      out.password = out.user;
      out.user.clear();
    }
  }
  std::string_view path = u.encoded_path();
  if (!path.empty() && path != "/") {
    path.remove_prefix(1);
    std::uint32_t db = 0;
    const auto [end, ec] = std::from_chars(path.data(), path.data() + path.size(), db);
    if (ec != std::errc{} || end != path.data() + path.size() || db > 15) {
      throw std::invalid_argument("REDIS_URL's path must be a database number 0..15 (/0)");
    }
    out.db = db;
  }
  return out;
}

RedisConnection::RedisConnection(infra::Executor executor) : stream_(std::move(executor)) {}

infra::Task<void> RedisConnection::connect(const RedisEndpoint& endpoint,
                                           std::chrono::milliseconds timeout) {
  tcp::resolver resolver(stream_.get_executor());
  auto [rec, results] =
      co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), kUseTuple);
  if (rec) fail(rec, "cannot resolve " + endpoint.label());
  stream_.expires_after(timeout);
  auto [cec, ep] = co_await stream_.async_connect(results, kUseTuple);
  (void)ep;
  if (cec) fail(cec, "cannot connect to " + endpoint.label());
  stream_.socket().set_option(tcp::no_delay(true));
  parser_.reset();
  if (!endpoint.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!endpoint.user.empty()) auth.push_back(endpoint.user);
    auth.push_back(endpoint.password);
    co_await command(std::move(auth), timeout);
  }
  if (endpoint.db != 0) co_await command(cmd("SELECT", std::to_string(endpoint.db)), timeout);
}

infra::Task<Reply> RedisConnection::command(std::vector<std::string> args,
                                            std::chrono::milliseconds timeout) {
  const std::string bytes = encode_command(args);
  stream_.expires_after(timeout);
  auto [wec, written] = co_await asio::async_write(stream_, asio::buffer(bytes), kUseTuple);
  (void)written;
  if (wec) {
    close();
    fail(wec, "write failed");
  }
  Reply reply = co_await read_one();
  stream_.expires_never();
  if (reply.is_error()) throw RedisError("redis: " + reply.str);
  co_return reply;
}

infra::Task<void> RedisConnection::send(std::vector<std::string> args) {
  const std::string bytes = encode_command(args);
  auto [ec, written] = co_await asio::async_write(stream_, asio::buffer(bytes), kUseTuple);
  (void)written;
  if (ec) {
    close();
    fail(ec, "write failed");
  }
}

infra::Task<Reply> RedisConnection::read() {
  co_return co_await read_one();
}

infra::Task<Reply> RedisConnection::read_one() {
  for (;;) {
    std::optional<Reply> reply;
    try {
      reply = parser_.next();
    } catch (...) {
      close();
      throw;
    }
    if (reply) co_return std::move(*reply);
    read_buffer_.resize(kReadChunk);
    auto [ec, n] = co_await stream_.async_read_some(asio::buffer(read_buffer_), kUseTuple);
    if (ec) {
      close();
      fail(ec, ec == beast::error::timeout ? "timed out" : "read failed");
    }
    try {
      parser_.feed(std::string_view(read_buffer_.data(), n));
    } catch (...) {
      close();
      throw;
    }
  }
}

void RedisConnection::close() noexcept {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

bool RedisConnection::is_open() const noexcept {
  return stream_.socket().is_open();
}

RedisClient::RedisClient(infra::Executor executor, RedisEndpoint endpoint,
                         std::chrono::milliseconds connect_timeout)
    : executor_(std::move(executor)),
      endpoint_(std::move(endpoint)),
      connect_timeout_(connect_timeout),
      lock_(std::make_shared<Lock>(executor_, 1)) {
  lock_->try_send(boost::system::error_code{});  // the one token
}

infra::Task<Reply> RedisClient::command(std::vector<std::string> args,
                                        std::chrono::milliseconds timeout) {
  auto lock = lock_;
  auto [lec] = co_await lock->async_receive(kUseTuple);
  if (lec) fail(lec, "client closed");
  // Give the token back however this ends (reply, error reply, I/O error, cancellation).
  struct Release {
    std::shared_ptr<Lock> lock;
    ~Release() { lock->try_send(boost::system::error_code{}); }
  } release{lock};
  if (!connection_ || !connection_->is_open()) {
    connection_ = std::make_unique<RedisConnection>(executor_);
    co_await connection_->connect(endpoint_, connect_timeout_);
  }
  try {
    co_return co_await connection_->command(std::move(args), timeout);
  } catch (const RedisError&) {
    throw;  // an error reply: the connection is fine
  } catch (...) {
    // I/O error, timeout or cancellation: a reply may still be on its way; start clean.
    connection_->close();
    throw;
  }
}

void RedisClient::close() {
  // The socket is only touched by the lock holder; closing from outside would race. Closing is
  // done by the failing command itself, so here it is enough to drop a connection nobody uses.
  if (lock_->try_receive([](boost::system::error_code) {})) {
    if (connection_) connection_->close();
    lock_->try_send(boost::system::error_code{});
  }
}

}  // namespace lottery::scale
