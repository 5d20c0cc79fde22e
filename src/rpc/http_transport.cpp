// SPDX-License-Identifier: Apache-2.0
// HTTP(S) transport: one POST per payload over a small pool of keep-alive
// connections; each connection serves one request at a time.
#include "rpc/transport_detail.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <mutex>

namespace lottery::rpc::detail {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using infra::Task;

struct Connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;

  beast::tcp_stream& tcp_layer() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

struct Exchange {
  boost::system::error_code ec;
  bool got_reply_bytes = false;
  http::response<http::string_body> response;
  bool leftover = false;  // bytes after the reply: the connection must not be reused
};

class HttpTransport final : public Transport {
 public:
  HttpTransport(infra::Executor executor, Endpoint endpoint, TransportOptions options)
      : executor_(std::move(executor)),
        endpoint_(std::move(endpoint)),
        options_(std::move(options)) {}

  const Endpoint& endpoint() const noexcept override { return endpoint_; }

  void close() override {
    std::lock_guard lock(mutex_);
    idle_.clear();
  }

  Task<std::string> request(std::string payload, std::vector<RequestId>,
                            std::chrono::milliseconds timeout) override {
    const auto deadline = Clock::now() + timeout;
    std::unique_ptr<Connection> conn = take_idle();
    bool reused = conn != nullptr;
    for (;;) {
      if (!conn) conn = co_await connect(deadline, timeout);
      // Not a ?: expression: g++ 12 destroys co_await results in one twice.
      Exchange ex;
      if (conn->tls) {
        ex = co_await exchange(*conn->tls, *conn, payload, deadline);
      } else {
        ex = co_await exchange(*conn->plain, *conn, payload, deadline);
      }
      if (ex.ec) {
        // A keep-alive connection the server closed while idle fails on first
        // use without any reply; that is not the endpoint's fault: reconnect once.
        if (reused && !ex.got_reply_bytes && ex.ec != beast::error::timeout) {
          conn.reset();
          reused = false;
          continue;
        }
        throw RpcException(io_error(ex.ec, "HTTP request", endpoint_, options_, timeout));
      }
      auto& res = ex.response;
      const bool keep = res.keep_alive() && !ex.leftover;
      if (keep) {
        conn->tcp_layer().expires_never();
        give_back(std::move(conn));
      }
      const unsigned status = res.result_int();
      if (status >= 200 && status < 300) co_return std::move(res.body());
      if (status == 429) {
        RpcError e = make_error(RpcErrc::kRateLimited, "HTTP 429 Too Many Requests");
        e.http_status = 429;
        throw RpcException(std::move(e));
      }
      // Some nodes send JSON-RPC errors with a non-2xx status: pass those on
      // so the node's code and message are classified.
      if (auto parsed = parse_json(res.body());
          parsed && (parsed->is_object() || parsed->is_array())) {
        co_return std::move(res.body());
      }
      RpcError e = make_error(RpcErrc::kTransport, "HTTP " + std::to_string(status) + " " +
                                                       std::string(res.reason()) + " from " +
                                                       endpoint_.redacted());
      e.http_status = static_cast<int>(status);
      throw RpcException(std::move(e));
    }
  }

 private:
  std::unique_ptr<Connection> take_idle() {
    std::lock_guard lock(mutex_);
    if (idle_.empty()) return nullptr;
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }

  void give_back(std::unique_ptr<Connection> conn) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(conn));
  }

  Task<std::unique_ptr<Connection>> connect(Clock::time_point deadline,
                                            std::chrono::milliseconds timeout) {
    boost::system::error_code ec;
    tcp::resolver resolver(executor_);
    auto results = co_await resolver.async_resolve(endpoint_.host, std::to_string(endpoint_.port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      throw RpcException(make_error(
          RpcErrc::kTransport, "cannot resolve " + endpoint_.redacted() + ": " + ec.message()));
    }
    auto conn = std::make_unique<Connection>();
    if (endpoint_.is_tls()) {
      conn->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor_, *options_.tls);
    } else {
      conn->plain = std::make_unique<beast::tcp_stream>(executor_);
    }
    auto& layer = conn->tcp_layer();
    layer.expires_at(std::min(deadline, Clock::now() + options_.connect_timeout));
    co_await layer.async_connect(results, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) throw RpcException(io_error(ec, "connect", endpoint_, options_, timeout));
    layer.socket().set_option(tcp::no_delay(true), ec);
    if (conn->tls) {
      prepare_tls(*conn->tls, endpoint_.host);
      co_await conn->tls->async_handshake(ssl::stream_base::client,
                                          asio::redirect_error(asio::use_awaitable, ec));
      if (ec) throw RpcException(io_error(ec, "TLS handshake", endpoint_, options_, timeout));
    }
    co_return conn;
  }

  template <class Stream>
  Task<Exchange> exchange(Stream& stream, Connection& conn, const std::string& payload,
                          Clock::time_point deadline) {
    Exchange ex;
    http::request<http::string_body> req{http::verb::post, endpoint_.target, 11};
    req.set(http::field::host, endpoint_.host_header());
    req.set(http::field::user_agent, options_.user_agent);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::accept, "application/json");
    if (!endpoint_.authorization.empty())
      req.set(http::field::authorization, endpoint_.authorization);
    req.keep_alive(true);
    req.body() = payload;
    req.prepare_payload();

    conn.tcp_layer().expires_at(deadline);
    co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ex.ec));
    if (ex.ec) co_return ex;

    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_response_bytes);
    parser.header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(options_.max_header_bytes, UINT32_MAX)));
    co_await http::async_read(stream, conn.buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ex.ec));
    ex.got_reply_bytes = parser.got_some() || conn.buffer.size() > 0;
    if (ex.ec) co_return ex;
    ex.leftover = conn.buffer.size() > 0;
    ex.response = parser.release();
    co_return ex;
  }

  infra::Executor executor_;
  Endpoint endpoint_;
  TransportOptions options_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace

std::shared_ptr<Transport> make_http_transport(infra::Executor executor, Endpoint endpoint,
                                               TransportOptions options) {
  return std::make_shared<HttpTransport>(std::move(executor), std::move(endpoint),
                                         std::move(options));
}

}  // namespace lottery::rpc::detail
