// SPDX-License-Identifier: Apache-2.0
#include "support/fake_rpc_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <deque>
#include <future>
#include <list>
#include <optional>

namespace lottery::integration {

namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

std::string reply_object(const json::value& request, const json::value& payload, const char* key) {
  json::object out;
  out["jsonrpc"] = "2.0";
  const auto* obj = request.if_object();
  const auto* id = obj != nullptr ? obj->if_contains("id") : nullptr;
  out["id"] = id != nullptr ? *id : json::value(nullptr);
  out[key] = payload;
  return json::serialize(out);
}

std::string build(const std::string& request, const json::value& payload, const char* key) {
  boost::system::error_code ec;
  auto parsed = json::parse(request, ec);
  if (ec) return reply_object(json::value(nullptr), payload, key);
  if (const auto* arr = parsed.if_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < arr->size(); ++i) {
      if (i) out += ",";
      out += reply_object((*arr)[i], payload, key);
    }
    return out + "]";
  }
  return reply_object(parsed, payload, key);
}
}  // namespace

struct FakeRpcServer::Impl : std::enable_shared_from_this<FakeRpcServer::Impl> {
  struct WsSession {
    explicit WsSession(websocket::stream<beast::tcp_stream> s)
        : ws(std::move(s)), signal(ws.get_executor()) {}
    websocket::stream<beast::tcp_stream> ws;
    std::deque<std::string> outbox;
    asio::steady_timer signal;
    bool closed = false;
    void enqueue(std::string m) {
      outbox.push_back(std::move(m));
      signal.cancel();
    }
  };

  // Owned through pointers so the destructor can tear them down in order:
  // coroutine frames (which hold this Impl) die with the io_context.
  std::unique_ptr<asio::io_context> ctx_ptr = std::make_unique<asio::io_context>();
  asio::io_context& ctx = *ctx_ptr;
  // Keeps run() going between connections until the server is destroyed.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard{
      ctx.get_executor()};
  std::unique_ptr<tcp::acceptor> acceptor_ptr = std::make_unique<tcp::acceptor>(ctx);
  tcp::acceptor& acceptor = *acceptor_ptr;
  std::mutex handler_mutex;
  FakeHandler handler;
  FakeRpcServer* owner = nullptr;
  std::list<std::weak_ptr<beast::tcp_stream>> http_streams;
  std::list<std::weak_ptr<WsSession>> ws_sessions;

  FakeReply handle(const std::string& request) {
    owner->requests_++;
    FakeHandler h;
    {
      std::lock_guard lock(handler_mutex);
      h = handler;
    }
    return h ? h(request) : FakeReply{};
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      ErrorCode ec;
      auto socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      owner->connections_++;
      asio::co_spawn(ctx, session(shared_from_this(), std::move(socket)), asio::detached);
    }
  }

  static asio::awaitable<void> session(std::shared_ptr<Impl> self, tcp::socket socket) {
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    self->http_streams.push_back(stream);
    beast::flat_buffer buffer;
    for (;;) {
      ErrorCode ec;
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      co_await http::async_read(*stream, buffer, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      auto req = parser.release();
      if (websocket::is_upgrade(req)) {
        co_await ws_session(self, websocket::stream<beast::tcp_stream>(std::move(*stream)),
                            std::move(req));
        co_return;
      }
      FakeReply reply = self->handle(req.body());
      if (reply.delay.count() > 0) {
        asio::steady_timer timer(self->ctx, reply.delay);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      if (reply.drop) {
        stream->socket().shutdown(tcp::socket::shutdown_both, ec);
        stream->socket().close(ec);
        co_return;
      }
      http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
      res.set(http::field::content_type, "application/json");
      res.keep_alive(req.keep_alive());
      res.body() = std::move(reply.body);
      res.prepare_payload();
      co_await http::async_write(*stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !res.keep_alive()) co_return;
    }
  }

  static asio::awaitable<void> ws_session(std::shared_ptr<Impl> self,
                                          websocket::stream<beast::tcp_stream> ws,
                                          http::request<http::string_body> req) {
    auto s = std::make_shared<WsSession>(std::move(ws));
    s->ws.read_message_max(64 * 1024 * 1024);
    ErrorCode ec;
    co_await s->ws.async_accept(req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    self->ws_sessions.push_back(s);
    asio::co_spawn(self->ctx, ws_writer(s), asio::detached);
    for (;;) {
      beast::flat_buffer buffer;
      co_await s->ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      FakeReply reply = self->handle(beast::buffers_to_string(buffer.data()));
      if (reply.drop) {
        beast::get_lowest_layer(s->ws).socket().close(ec);
        break;
      }
      // Delayed replies do not block later messages: they may overtake.
      asio::co_spawn(self->ctx, deliver(self, s, std::move(reply)), asio::detached);
    }
    s->closed = true;
    s->signal.cancel();
  }

  static asio::awaitable<void> deliver(std::shared_ptr<Impl> self, std::shared_ptr<WsSession> s,
                                       FakeReply reply) {
    if (reply.delay.count() > 0) {
      asio::steady_timer timer(self->ctx, reply.delay);
      ErrorCode ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (!reply.body.empty()) s->enqueue(std::move(reply.body));
    for (auto& m : reply.extra) s->enqueue(std::move(m));
  }

  static asio::awaitable<void> ws_writer(std::shared_ptr<WsSession> s) {
    while (!s->closed) {
      if (s->outbox.empty()) {
        s->signal.expires_at(asio::steady_timer::time_point::max());
        ErrorCode ec;
        co_await s->signal.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      std::string m = std::move(s->outbox.front());
      s->outbox.pop_front();
      ErrorCode ec;
      co_await s->ws.async_write(asio::buffer(m), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
    }
  }
};

FakeRpcServer::FakeRpcServer(FakeHandler handler) : impl_(std::make_shared<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->owner = this;
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->ctx, impl_->accept_loop(), asio::detached);
  thread_ = std::thread([impl = impl_] { impl->ctx.run(); });
}

FakeRpcServer::~FakeRpcServer() {
  drop_all();
  asio::post(impl_->ctx, [impl = impl_] {
    ErrorCode ec;
    impl->acceptor.close(ec);
    impl->guard.reset();
  });
  impl_->ctx.stop();
  if (thread_.joinable()) thread_.join();
  impl_->guard.reset();
  impl_->acceptor_ptr.reset();
  impl_->ctx_ptr.reset();  // destroys suspended sessions, breaking their hold on impl_
}

void FakeRpcServer::set_handler(FakeHandler handler) {
  std::lock_guard lock(impl_->handler_mutex);
  impl_->handler = std::move(handler);
}

void FakeRpcServer::push(const std::string& message) {
  asio::post(impl_->ctx, [impl = impl_, message] {
    for (auto& weak : impl->ws_sessions) {
      if (auto s = weak.lock(); s && !s->closed) s->enqueue(message);
    }
  });
}

void FakeRpcServer::drop_all() {
  std::promise<void> done;
  auto fut = done.get_future();
  asio::post(impl_->ctx, [impl = impl_, &done] {
    ErrorCode ec;
    for (auto& weak : impl->http_streams) {
      if (auto s = weak.lock()) s->socket().close(ec);
    }
    for (auto& weak : impl->ws_sessions) {
      if (auto s = weak.lock()) beast::get_lowest_layer(s->ws).socket().close(ec);
    }
    impl->http_streams.clear();
    impl->ws_sessions.clear();
    done.set_value();
  });
  if (fut.wait_for(std::chrono::seconds(5)) != std::future_status::ready) return;
}

std::string FakeRpcServer::result_for(const std::string& request, const std::string& result_json) {
  return build(request, json::parse(result_json), "result");
}

std::string FakeRpcServer::error_for(const std::string& request, int code,
                                     const std::string& message) {
  json::object err;
  err["code"] = code;
  err["message"] = message;
  return build(request, err, "error");
}

std::string FakeRpcServer::method_of(const std::string& request) {
  boost::system::error_code ec;
  auto parsed = json::parse(request, ec);
  if (ec || !parsed.is_object()) return "";
  const auto* m = parsed.as_object().if_contains("method");
  return (m != nullptr && m->is_string()) ? std::string(m->get_string()) : std::string();
}

}  // namespace lottery::integration
