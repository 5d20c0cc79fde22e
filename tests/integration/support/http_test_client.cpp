// SPDX-License-Identifier: Apache-2.0
#include "support/http_test_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <functional>

namespace lottery::integration {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

std::string HttpReply::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

boost::json::value HttpReply::json() const {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  return ec ? boost::json::value() : value;
}

HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       std::chrono::milliseconds timeout) {
  HttpReply reply;
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty() || method == "POST") {
    req.body() = body;
    req.prepare_payload();
  }
  req.keep_alive(false);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  if (method == "HEAD") parser.skip(true);
  stream.expires_after(timeout);
  stream.async_connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
        if (ec) {
          reply.error = ec.message();
          return;
        }
        http::async_write(stream, req, [&](beast::error_code wec, std::size_t) {
          if (wec) {
            reply.error = wec.message();
            return;
          }
          http::async_read(stream, buffer, parser, [&](beast::error_code rec, std::size_t) {
            if (rec) reply.error = rec.message();
          });
        });
      });
  ioc.run();
  if (parser.is_header_done()) {
    const auto& res = parser.get();
    reply.status = static_cast<int>(res.result_int());
    reply.body = res.body();
    for (const auto& field : res) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      auto& slot = reply.headers[name];
      if (!slot.empty()) slot += ", ";
      slot += std::string(field.value());
    }
  }
  return reply;
}

std::string raw_exchange(std::uint16_t port, const std::string& raw,
                         std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  std::string received;
  std::array<char, 16384> chunk{};
  asio::steady_timer timer(ioc, timeout);
  timer.async_wait([&](beast::error_code ec) {
    if (!ec) {
      beast::error_code ignored;
      socket.close(ignored);
    }
  });
  std::function<void()> read_more = [&] {
    socket.async_read_some(asio::buffer(chunk), [&](beast::error_code ec, std::size_t n) {
      received.append(chunk.data(), n);
      if (ec) {
        timer.cancel();
        return;
      }
      read_more();
    });
  };
  socket.async_connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
        if (ec) {
          timer.cancel();
          return;
        }
        // Write and read at once: the server may answer
        // before it has read everything we send.
        asio::async_write(socket, asio::buffer(raw), [](beast::error_code, std::size_t) {});
        read_more();
      });
  ioc.run();
  return received;
}

int status_of(const std::string& raw) {
  if (raw.size() < 12 || raw.compare(0, 5, "HTTP/") != 0) return 0;
  const std::size_t space = raw.find(' ');
  if (space == std::string::npos || space + 4 > raw.size()) return 0;
  return std::atoi(raw.substr(space + 1, 3).c_str());
}

WsTestClient::~WsTestClient() {
  if (ws_) {
    asio::post(ioc_, [this] {
      beast::error_code ignored;
      beast::get_lowest_layer(*ws_).socket().close(ignored);
    });
  }
  if (thread_.joinable()) thread_.join();
}

bool WsTestClient::connect(std::uint16_t port, const std::string& target, bool read,
                           const std::string& origin) {
  ws_.emplace(ioc_);
  beast::error_code ec;
  beast::get_lowest_layer(*ws_).socket().connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    error_ = ec.message();
    return false;
  }
  if (!origin.empty()) {
    ws_->set_option(websocket::stream_base::decorator(
        [origin](websocket::request_type& req) { req.set(http::field::origin, origin); }));
  }
  websocket::response_type res;
  ws_->handshake(res, "127.0.0.1:" + std::to_string(port), target, ec);
  if (ec) {
    error_ = ec.message() + " (status " + std::to_string(res.result_int()) + ")";
    return false;
  }
  ws_->control_callback([this](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping) {
      std::lock_guard lock(mutex_);
      ++pings_;
    }
  });
  if (read) {
    read_loop();
  }
  thread_ = std::thread([this] { ioc_.run(); });
  return true;
}

void WsTestClient::read_loop() {
  auto buffer = std::make_shared<beast::flat_buffer>();
  ws_->async_read(*buffer, [this, buffer](beast::error_code ec, std::size_t) {
    std::lock_guard lock(mutex_);
    if (ec) {
      closed_ = true;
      if (ws_->reason().code != websocket::close_code::none) {
        close_code_ = static_cast<int>(ws_->reason().code);
      }
      cv_.notify_all();
      return;
    }
    messages_.push_back(beast::buffers_to_string(buffer->data()));
    cv_.notify_all();
    read_loop();
  });
}

std::optional<std::string> WsTestClient::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!cv_.wait_for(lock, timeout, [&] { return !messages_.empty() || closed_; })) {
    return std::nullopt;
  }
  if (messages_.empty()) return std::nullopt;
  std::string message = std::move(messages_.front());
  messages_.pop_front();
  return message;
}

std::optional<boost::json::value> WsTestClient::next_of_type(const std::string& type,
                                                             std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto text = next(left);
    if (!text) return std::nullopt;
    boost::system::error_code ec;
    auto doc = boost::json::parse(*text, ec);
    if (ec || !doc.is_object()) continue;
    const auto* t = doc.as_object().if_contains("type");
    if (t != nullptr && t->is_string() && t->as_string() == type) return doc;
  }
}

std::size_t WsTestClient::pending() const {
  std::lock_guard lock(mutex_);
  return messages_.size();
}

void WsTestClient::send(const std::string& text) {
  asio::post(ioc_, [this, text] {
    outbox_.push_back(text);
    if (outbox_.size() == 1) write_next();
  });
}

void WsTestClient::write_next() {
  // One write at a time (Beast's rule); runs on the client's io_context.
  ws_->async_write(asio::buffer(outbox_.front()), [this](beast::error_code ec, std::size_t) {
    outbox_.pop_front();
    if (ec) {
      outbox_.clear();
      return;
    }
    if (!outbox_.empty()) write_next();
  });
}

std::optional<int> WsTestClient::wait_closed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!cv_.wait_for(lock, timeout, [&] { return closed_; })) return std::nullopt;
  return close_code_;
}

int WsTestClient::pings() const {
  std::lock_guard lock(mutex_);
  return pings_;
}

bool WsTestClient::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

void WsTestClient::close() {
  asio::post(ioc_,
             [this] { ws_->async_close(websocket::close_code::normal, [](beast::error_code) {}); });
}

}  // namespace lottery::integration
