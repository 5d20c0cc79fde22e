// SPDX-License-Identifier: Apache-2.0
#include "server/server.hpp"

#include "infra/runtime.hpp"
#include "logging/log.hpp"
#include "server/api.hpp"
#include "server/rate_limit.hpp"
#include "server/static_files.hpp"
#include "server/ws.hpp"
#include "server/ws_handshake.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <unordered_map>

namespace lottery::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kLingerBytes = std::size_t{1} << 20;

bool is_api_path(std::string_view path) {
  auto starts = [&](std::string_view prefix) { return path.substr(0, prefix.size()) == prefix; };
  return path == "/api" || starts("/api/") || path == "/ws" || starts("/ws/") ||
         path == "/metrics" || path == "/health" || starts("/contracts/");
}

/// One TCP connection, as seen by shutdown.
struct Connection {
  std::atomic<bool> idle{true};
  std::atomic<bool> upgraded{false};
  bool stream_gone = false;     // strand only: the stream no longer exists
  std::function<void()> close;  // set once; posts a socket close to the connection's strand
};

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(infra::Executor ex, ServerOptions opts, ServerContext ctx)
      : executor(std::move(ex)),
        options(std::move(opts)),
        context(std::move(ctx)),
        cors(options.cors_origins),
        limiter(options.rate_limit_per_minute, options.rate_limit_burst),
        files(options.static_dir),
        control(asio::make_strand(executor)),
        acceptor(control),
        sweep_timer(control) {
    if (context.store == nullptr) throw std::invalid_argument("server: a store is required");
    if (context.metrics == nullptr) context.metrics = &infra::metrics();
    auto& reg = *context.metrics;
    requests = &reg.counter("lottery_http_requests_total", "HTTP requests by route and status",
                            {"route", "status"});
    latency = &reg.histogram("lottery_http_request_duration_seconds",
                             "Time to answer an HTTP request", {"route"});
    ws_clients = &reg.gauge("lottery_ws_clients", "Connected WebSocket clients").with({});
    ws_metrics.sent =
        &reg.counter("lottery_ws_messages_sent_total", "WebSocket messages sent to clients")
             .with({});
    ws_metrics.dropped = &reg.counter("lottery_ws_messages_dropped_total",
                                      "WebSocket messages dropped for slow clients")
                              .with({});
    ws_metrics.resyncs =
        &reg.counter("lottery_ws_resyncs_total",
                     "Slow WebSocket clients sent a fresh snapshot instead of a backlog")
             .with({});
    ws_metrics.slow_disconnects = &reg.counter("lottery_ws_slow_disconnects_total",
                                               "WebSocket clients dropped for not reading")
                                       .with({});
    ws_metrics.client_pings = &reg.counter("lottery_ws_client_pings_total",
                                           "Application-level pings from WebSocket clients")
                                   .with({});
    rate_limited =
        &reg.counter("lottery_http_rate_limited_total", "Requests refused by the per-IP rate limit")
             .with({});
    const std::size_t lanes =
        options.ws_fanout_lanes != 0 ? options.ws_fanout_lanes : infra::usable_cores();
    broadcaster = std::make_unique<Broadcaster>(ws_clients, executor, lanes);
  }

  infra::Executor executor;
  ServerOptions options;
  ServerContext context;
  Router router;
  CorsPolicy cors;
  RateLimiter limiter;
  StaticFiles files;
  /// The acceptor and the sweep timer live on this strand; stop() reaches
  /// them through it (Asio objects are not safe to touch from two threads).
  asio::strand<infra::Executor> control;
  tcp::acceptor acceptor;
  asio::steady_timer sweep_timer;
  std::unique_ptr<Broadcaster> broadcaster;
  store::Subscription subscription;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::atomic<bool> running{false};
  std::atomic<bool> stopping{false};
  std::uint16_t bound_port = 0;
  std::shared_ptr<std::shared_ptr<const std::string>> openapi =
      std::make_shared<std::shared_ptr<const std::string>>();

  infra::Family<infra::Counter>* requests = nullptr;
  infra::Family<infra::Histogram>* latency = nullptr;
  infra::Gauge* ws_clients = nullptr;
  infra::Counter* rate_limited = nullptr;
  WsMetrics ws_metrics;

  mutable std::mutex connections_mutex;
  std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> connections;
  std::uint64_t next_connection = 0;

  void start();
  infra::Task<void> accept_loop();
  infra::Task<void> sweep_loop();
  infra::Task<void> stop();
  infra::Task<void> serve(tcp::socket socket);
  infra::Task<Response> handle(const Request& req, const std::string& ip);
  /// Keeps a connection in `connections` until destroyed (shutdown waits for
  /// it); held through a shared_ptr, never copied.
  struct Registration {
    Impl* impl;
    std::uint64_t id;
    std::shared_ptr<Connection> conn;
    ~Registration() {
      conn->stream_gone = true;
      impl->unregister_connection(id);
    }
  };
  infra::Task<void> upgrade(beast::tcp_stream stream, Request req, std::string early_bytes,
                            std::string ip, std::shared_ptr<Registration> registration);
  void finish(Response& res, const Request* req, bool keep_alive);
  void count(std::string_view route, const Response& res,
             std::chrono::steady_clock::time_point began);

  /// The metric children of one route label, looked up on first use.
  struct RouteMetrics {
    std::atomic<infra::Histogram*> latency{nullptr};
    std::atomic<infra::Counter*> ok{nullptr};  ///< status 200
  };
  /// Keys fixed by `start()` (route patterns and the fixed labels), so the
  /// request path finds its metrics without the families' mutex and label
  /// vectors; other statuses still go through `with`.
  std::unordered_map<std::string_view, std::unique_ptr<RouteMetrics>> route_metrics;

  std::uint64_t register_connection(std::shared_ptr<Connection> conn) {
    std::lock_guard lock(connections_mutex);
    const std::uint64_t id = ++next_connection;
    connections.emplace(id, std::move(conn));
    return id;
  }
  void unregister_connection(std::uint64_t id) {
    std::lock_guard lock(connections_mutex);
    connections.erase(id);
  }
  std::size_t connection_count() const {
    std::lock_guard lock(connections_mutex);
    return connections.size();
  }
  std::vector<std::shared_ptr<Connection>> connection_list() const {
    std::lock_guard lock(connections_mutex);
    std::vector<std::shared_ptr<Connection>> out;
    for (const auto& [id, conn] : connections) out.push_back(conn);
    return out;
  }
};

ServerOptions options_from(const config::ServerSettings& settings) {
  ServerOptions out;
  out.host = settings.host;
  out.port = settings.port;
  out.cors_origins = settings.cors_origins;
  std::error_code ec;
  if (!settings.static_dir.empty() && std::filesystem::is_directory(settings.static_dir, ec)) {
    out.static_dir = settings.static_dir;
  }
  out.abi_path = settings.abi_path;
  out.max_body_bytes = static_cast<std::size_t>(settings.max_body_bytes);
  out.idle_timeout = std::chrono::seconds(settings.idle_timeout_seconds);
  out.rate_limit_per_minute = settings.rate_limit_per_minute;
  out.ws_max_clients = settings.ws_max_clients;
  out.ws_send_queue = settings.ws_send_queue;
  return out;
}

void Server::Impl::start() {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  if (ec) {
    throw std::system_error(ec, "server: SERVER_HOST '" + options.host + "' is not an IP address");
  }
  const tcp::endpoint endpoint(address, options.port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint, ec);
  if (ec) {
    throw std::system_error(ec, "server: cannot listen on " + options.host + ':' +
                                    std::to_string(options.port) +
                                    " (port in use? set SERVER_PORT)");
  }
  acceptor.listen(asio::socket_base::max_listen_connections);
  bound_port = acceptor.local_endpoint().port();

  *openapi = std::make_shared<const std::string>(
      boost::json::serialize(router.openapi("Enclave Lottery API", options.version)));
  std::weak_ptr<Impl> weak = weak_from_this();
  if (context.ws_feed) {
    context.ws_feed->attach([weak](const FeedBatch& batch) {
      if (auto self = weak.lock()) self->broadcaster->publish(batch);
    });
  } else {
    subscription = context.store->subscribe([weak](const store::ChangeSet& changes) {
      if (auto self = weak.lock()) self->broadcaster->publish(changes);
    });
  }
  for (const Route& route : router.routes()) {
    route_metrics.try_emplace(route.spec.pattern, std::make_unique<RouteMetrics>());
  }
  for (std::string_view label :
       {"static", "not_found", "options", "invalid", "method_not_allowed", "/ws/lottery"}) {
    route_metrics.try_emplace(label, std::make_unique<RouteMetrics>());
  }
  running = true;
  auto self = shared_from_this();
  asio::co_spawn(control, accept_loop(), asio::detached);
  asio::co_spawn(control, sweep_loop(), asio::detached);
  logging::log_info("server", "listening",
                    {{"host", options.host},
                     {"port", bound_port},
                     {"static_dir", options.static_dir.empty() ? "(none)" : options.static_dir}});
}

infra::Task<void> Server::Impl::accept_loop() {
  auto self = shared_from_this();
  while (!stopping) {
    auto strand = asio::make_strand(executor);
    auto [ec, socket] = co_await acceptor.async_accept(strand, kUseTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping) break;
      // Out of descriptors and similar: back off briefly instead of spinning.
      logging::log_warn("server", "accept failed", {{"error", ec.message()}});
      asio::steady_timer pause(executor, std::chrono::milliseconds(100));
      co_await pause.async_wait(kUseTuple);
      continue;
    }
    // Answers and broadcasts are written whole; Nagle would only hold a
    // small write back until the previous one is acknowledged.
    boost::system::error_code nodelay_ec;
    socket.set_option(tcp::no_delay(true), nodelay_ec);
    auto connection_executor = socket.get_executor();
    asio::co_spawn(connection_executor, serve(std::move(socket)), asio::detached);
  }
}

infra::Task<void> Server::Impl::sweep_loop() {
  auto self = shared_from_this();
  // Often enough for every deadline the sweep enforces: stuck writes, and
  // the WebSocket keep-alive (ping after one interval, drop after two).
  const auto period =
      std::clamp(std::min(options.ws_send_timeout / 4, options.ws_ping_interval / 4),
                 std::chrono::milliseconds(50), std::chrono::milliseconds(1000));
  while (running) {
    sweep_timer.expires_after(period);
    auto [ec] = co_await sweep_timer.async_wait(kUseTuple);
    if (ec && !running) break;
    broadcaster->sweep(std::chrono::steady_clock::now());
  }
}

void Server::Impl::count(std::string_view route, const Response& res,
                         std::chrono::steady_clock::time_point began) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  const auto it = route_metrics.find(route);
  if (it == route_metrics.end()) {
    requests->with({route, std::to_string(static_cast<unsigned>(res.status))}).inc();
    latency->with({route}).observe(seconds);
    return;
  }
  RouteMetrics& cached = *it->second;
  // Two threads may both look a child up the first time; they find the same one.
  infra::Histogram* histogram = cached.latency.load(std::memory_order_acquire);
  if (histogram == nullptr) {
    histogram = &latency->with({route});
    cached.latency.store(histogram, std::memory_order_release);
  }
  histogram->observe(seconds);
  if (res.status != http::status::ok) {
    requests->with({route, std::to_string(static_cast<unsigned>(res.status))}).inc();
    return;
  }
  infra::Counter* counter = cached.ok.load(std::memory_order_acquire);
  if (counter == nullptr) {
    counter = &requests->with({route, "200"});
    cached.ok.store(counter, std::memory_order_release);
  }
  counter->inc();
}

infra::Task<Response> Server::Impl::handle(const Request& req, const std::string& ip) {
  const auto began = std::chrono::steady_clock::now();
  const std::string_view origin = req[http::field::origin];
  const std::string_view host = req[http::field::host];
  auto target = parse_target(req.target());
  if (!target) {
    Response res = error_response(http::status::bad_request, "invalid_path",
                                  "The request path is malformed or leaves the site.");
    count("invalid", res, began);
    co_return res;
  }
  const http::verb method = req.method();
  RouteMatch match =
      router.match(method == http::verb::options ? http::verb::get : method, target->path);
  const bool api = is_api_path(target->path);

  // CORS preflight and OPTIONS.
  if (method == http::verb::options) {
    Response res;
    res.status = http::status::no_content;
    res.content_type.clear();
    RouteMatch any = router.match(http::verb::get, target->path);
    std::string allow = "GET, HEAD, OPTIONS";
    if (any.kind == RouteMatch::Kind::kMethodNotAllowed) allow = any.allow;
    if (any.kind == RouteMatch::Kind::kNotFound) {
      RouteMatch post = router.match(http::verb::post, target->path);
      if (post.kind == RouteMatch::Kind::kMatched)
        allow = "POST, OPTIONS";
      else if (api) {
        res = error_response(http::status::not_found, "not_found", "No such endpoint.");
        count("not_found", res, began);
        co_return res;
      }
    }
    res.headers.emplace_back("Allow", allow);
    if (cors.listed(origin)) {
      res.headers.emplace_back("Access-Control-Allow-Methods", allow);
      res.headers.emplace_back("Access-Control-Allow-Headers", "Content-Type");
      res.headers.emplace_back("Access-Control-Max-Age", "600");
    }
    count("options", res, began);
    co_return res;
  }

  if (match.kind == RouteMatch::Kind::kNotFound) {
    Response res;
    std::string_view route = "not_found";
    if (!api && (method == http::verb::get || method == http::verb::head)) {
      res = files.serve(target->path, req[http::field::accept_encoding],
                        req[http::field::if_none_match]);
      route = "static";
    } else if (!api) {
      res = error_response(http::status::method_not_allowed, "method_not_allowed",
                           "Only GET and HEAD are allowed here.");
      res.headers.emplace_back("Allow", "GET, HEAD, OPTIONS");
      route = "static";
    } else {
      res = error_response(http::status::not_found, "not_found", "No such endpoint.");
    }
    count(route, res, began);
    co_return res;
  }
  if (match.kind == RouteMatch::Kind::kMethodNotAllowed) {
    Response res =
        error_response(http::status::method_not_allowed, "method_not_allowed",
                       "This endpoint does not accept " + std::string(req.method_string()) +
                           "; use " + match.allow + '.');
    res.headers.emplace_back("Allow", match.allow);
    count("method_not_allowed", res, began);
    co_return res;
  }

  const Route& route = *match.route;
  if (method == http::verb::post && !cors.allows(origin, host)) {
    Response res =
        error_response(http::status::forbidden, "origin_not_allowed",
                       "Requests from this origin are not allowed (SERVER_CORS_ORIGINS).");
    count(route.spec.pattern, res, began);
    co_return res;
  }
  if (route.spec.rate_limited && !route.spec.websocket) {
    const auto decision = limiter.take(ip);
    if (!decision.allowed) {
      rate_limited->inc();
      Response res = error_response(http::status::too_many_requests, "rate_limited",
                                    "Too many requests from your address; retry later.");
      res.headers.emplace_back("Retry-After", std::to_string(decision.retry_after_s));
      count(route.spec.pattern, res, began);
      co_return res;
    }
  }
  if (route.spec.has_json_body) {
    const std::string_view type = req[http::field::content_type];
    if (!type.empty() && type.substr(0, 16) != "application/json") {
      Response res = error_response(http::status::unsupported_media_type, "unsupported_media_type",
                                    "Send the body as application/json.");
      count(route.spec.pattern, res, began);
      co_return res;
    }
  }
  RequestContext ctx{req, std::move(target->path), std::move(target->query),
                     std::move(match.path_params), ip};
  Response res;
  std::string failure;
  try {
    res = co_await route.handler(ctx);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    logging::log_error("server", "handler failed",
                       {{"route", route.spec.pattern}, {"error", failure}});
    res = error_response(http::status::internal_server_error, "internal_error",
                         "The server could not answer this request; try again.");
  }
  count(route.spec.pattern, res, began);
  co_return res;
}

void Server::Impl::finish(Response& res, const Request* req, bool keep_alive) {
  (void)keep_alive;
  if (req == nullptr) return;
  const std::string_view origin = (*req)[http::field::origin];
  if (cors.listed(origin)) {
    res.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    res.headers.emplace_back("Vary", "Origin");
  }
}

namespace {

/// The header lines every response starts with (server and security
/// headers), rendered once.
const std::string& fixed_header_lines() {
  static const std::string lines = [] {
    std::string out = "Server: lottery\r\n";
    for (const auto& [name, value] : security_headers()) {
      out.append(name).append(": ").append(value).append("\r\n");
    }
    return out;
  }();
  return lines;
}

infra::Task<boost::system::error_code> write_response(beast::tcp_stream& stream, Response& res,
                                                      unsigned version, bool head, bool keep_alive,
                                                      std::chrono::milliseconds timeout) {
  // The header block is rendered by hand into one string and written with
  // the shared body in one gather write: Beast's fields container and
  // serializer cost an allocation per header and most of the CPU of a
  // cached answer (H1). Values come from our handlers and from request
  // headers the parser already checked (no CR/LF).
  const bool bodyless =
      res.status == http::status::not_modified || res.status == http::status::no_content;
  const auto code = static_cast<unsigned>(res.status);
  std::string header;
  header.reserve(512);
  header.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(std::to_string(code));
  header.append(" ").append(http::obsolete_reason(res.status)).append("\r\n");
  header.append(fixed_header_lines());
  for (const auto& [name, value] : res.headers) {
    header.append(name).append(": ").append(value).append("\r\n");
  }
  if (!res.content_type.empty() && !bodyless) {
    header.append("Content-Type: ").append(res.content_type).append("\r\n");
  }
  // HEAD answers carry the GET answer's Content-Length but no body.
  if (!bodyless) header.append("Content-Length: ").append(std::to_string(res.body_size()));
  if (!bodyless) header.append("\r\n");
  if (version == 10 && keep_alive) header.append("Connection: keep-alive\r\n");
  if (version != 10 && !keep_alive) header.append("Connection: close\r\n");
  header.append("\r\n");
  stream.expires_after(timeout);
  if (head || bodyless || !res.body || res.body->empty()) {
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(header), kUseTuple);
    co_return ec;
  }
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(header), asio::buffer(*res.body)};
  auto [ec, n] = co_await asio::async_write(stream, buffers, kUseTuple);
  co_return ec;
}

/// Completion of a detached WebSocket upgrade: what escaped it is logged once.
auto log_websocket_failure(std::string ip) {
  return [ip = std::move(ip)](const std::exception_ptr& failure) {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      logging::log_warn("server", "websocket failed", {{"client", ip}, {"error", e.what()}});
    }
  };
}

/// Sends an error for a request that could not be parsed and closes the
/// connection, reading (and discarding) a bounded amount of what the client
/// is still sending so the answer is not lost to a TCP reset.
infra::Task<void> reject_and_close(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                   Response res, std::chrono::milliseconds timeout) {
  res.close = true;
  auto ec = co_await write_response(stream, res, 11, false, false, timeout);
  if (ec) co_return;
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  // Linger: stop at EOF, after 1 MiB, after 2 s, or after 300 ms of silence.
  std::size_t drained = 0;
  const auto linger_end =
      std::chrono::steady_clock::now() + std::min(timeout, std::chrono::milliseconds(2000));
  while (drained < kLingerBytes && std::chrono::steady_clock::now() < linger_end) {
    buffer.clear();
    stream.expires_after(std::chrono::milliseconds(300));
    auto [read_ec, n] = co_await stream.async_read_some(buffer.prepare(16384), kUseTuple);
    if (read_ec) break;
    drained += n;
  }
  stream.close();
}

}  // namespace

infra::Task<void> Server::Impl::serve(tcp::socket socket) {
  auto self = shared_from_this();
  boost::system::error_code ep_ec;
  const auto remote = socket.remote_endpoint(ep_ec);
  const std::string ip = ep_ec ? std::string("unknown") : remote.address().to_string();
  beast::tcp_stream stream(std::move(socket));
  auto conn = std::make_shared<Connection>();
  const auto strand = stream.get_executor();
  // Shutdown closes idle sockets from another thread: the close is posted to
  // the connection's strand, and skipped once the stream is gone or upgraded.
  conn->close = [strand, raw = &stream, weak = std::weak_ptr<Connection>(conn)] {
    if (auto c = weak.lock()) {
      asio::post(strand, [raw, c] {
        if (c->stream_gone || c->upgraded) return;
        beast::error_code ignored;
        raw->socket().close(ignored);
      });
    }
  };
  const std::uint64_t conn_id = register_connection(conn);
  beast::flat_buffer buffer;
  try {
    std::shared_ptr<Registration> unregister(new Registration{this, conn_id, conn});
    conn.reset();
    for (;;) {
      if (buffer.size() == 0) {
        unregister->conn->idle = true;
        if (stopping) break;
        stream.expires_after(options.idle_timeout);
        auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kUseTuple);
        unregister->conn->idle = false;
        if (ec) break;
        buffer.commit(n);
      }
      unregister->conn->idle = false;
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      parser.body_limit(options.max_body_bytes);
      stream.expires_after(options.request_timeout);
      auto [header_ec, header_n] =
          co_await http::async_read_header(stream, buffer, parser, kUseTuple);
      if (header_ec == http::error::header_limit) {
        co_await reject_and_close(
            stream, buffer,
            error_response(http::status::request_header_fields_too_large, "headers_too_large",
                           "The request headers are larger than " +
                               std::to_string(options.max_header_bytes) + " bytes."),
            options.request_timeout);
        break;
      }
      if (header_ec == http::error::body_limit) {
        co_await reject_and_close(
            stream, buffer,
            error_response(http::status::payload_too_large, "body_too_large",
                           "The request body is larger than " +
                               std::to_string(options.max_body_bytes) + " bytes."),
            options.request_timeout);
        break;
      }
      if (header_ec == beast::error::timeout || header_ec == http::error::end_of_stream ||
          header_ec == asio::error::eof || header_ec == asio::error::operation_aborted ||
          header_ec == asio::error::connection_reset) {
        break;
      }
      if (header_ec) {
        co_await reject_and_close(
            stream, buffer,
            error_response(http::status::bad_request, "bad_request",
                           "Malformed HTTP request: " + header_ec.message() + '.'),
            options.request_timeout);
        break;
      }
      const bool upgrade_request = boost::beast::websocket::is_upgrade(parser.get());
      if (!upgrade_request && parser.get()[http::field::expect] == "100-continue") {
        http::response<http::empty_body> cont{http::status::continue_, 11};
        auto [cont_ec, cont_n] = co_await http::async_write(stream, cont, kUseTuple);
        if (cont_ec) break;
      }
      auto [body_ec, body_n] = co_await http::async_read(stream, buffer, parser, kUseTuple);
      if (body_ec == http::error::body_limit) {
        co_await reject_and_close(
            stream, buffer,
            error_response(http::status::payload_too_large, "body_too_large",
                           "The request body is larger than " +
                               std::to_string(options.max_body_bytes) + " bytes."),
            options.request_timeout);
        break;
      }
      if (body_ec) {
        if (body_ec != beast::error::timeout && body_ec != asio::error::eof &&
            body_ec != http::error::end_of_stream && body_ec != asio::error::operation_aborted) {
          co_await reject_and_close(
              stream, buffer,
              error_response(http::status::bad_request, "bad_request",
                             "Malformed request body: " + body_ec.message() + '.'),
              options.request_timeout);
        }
        break;
      }
      Request req = parser.release();

      if (upgrade_request) {
        auto target = parse_target(req.target());
        const RouteMatch match =
            target ? router.match(http::verb::get, target->path) : RouteMatch{};
        if (req.method() == http::verb::get && match.kind == RouteMatch::Kind::kMatched &&
            match.route->spec.websocket) {
          unregister->conn->upgraded = true;
          // The session gets a coroutine of its own and this frame (parser,
          // read buffer, response state) ends: a WebSocket can live for
          // hours, and at 10,000 clients every kilobyte per client counts.
          // Frames a client sent right behind its request are the session's.
          asio::co_spawn(
              strand,
              upgrade(std::move(stream), std::move(req), beast::buffers_to_string(buffer.data()),
                      ip, std::move(unregister)),
              log_websocket_failure(ip));
          co_return;
        }
      }

      Response res = co_await handle(req, ip);
      const bool keep_alive = req.keep_alive() && !res.close && !stopping;
      finish(res, &req, keep_alive);
      auto write_ec =
          co_await write_response(stream, res, req.version(), req.method() == http::verb::head,
                                  keep_alive, options.request_timeout);
      if (write_ec || !keep_alive) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.close();
  } catch (const std::exception& e) {
    logging::log_warn("server", "connection failed", {{"client", ip}, {"error", e.what()}});
  }
}

infra::Task<void> Server::Impl::upgrade(beast::tcp_stream stream, Request req,
                                        std::string early_bytes, std::string ip,
                                        std::shared_ptr<Registration> registration) {
  auto self = shared_from_this();
  const auto began = std::chrono::steady_clock::now();
  auto refuse = [&](Response res) -> infra::Task<void> {
    count("/ws/lottery", res, began);
    co_await write_response(stream, res, req.version(), false, false, options.request_timeout);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.close();
  };
  if (stopping) {
    co_await refuse(error_response(http::status::service_unavailable, "shutting_down",
                                   "The server is shutting down."));
    co_return;
  }
  if (!cors.allows(req[http::field::origin], req[http::field::host])) {
    co_await refuse(error_response(http::status::forbidden, "origin_not_allowed",
                                   "WebSocket connections from this origin are not allowed."));
    co_return;
  }
  const auto decision = limiter.take(ip);
  if (!decision.allowed) {
    rate_limited->inc();
    Response res = error_response(http::status::too_many_requests, "rate_limited",
                                  "Too many connection attempts from your address; retry later.");
    res.headers.emplace_back("Retry-After", std::to_string(decision.retry_after_s));
    co_await refuse(std::move(res));
    co_return;
  }
  if (broadcaster->size() >= options.ws_max_clients) {
    co_await refuse(error_response(http::status::service_unavailable, "too_many_clients",
                                   "The server has too many WebSocket clients; retry later."));
    co_return;
  }
  auto handshake = ws_handshake(req);
  if (handshake.refusal) {
    co_await refuse(std::move(*handshake.refusal));
    co_return;
  }
  Response ok;
  ok.status = http::status::switching_protocols;
  count("/ws/lottery", ok, began);
  WsOptions ws_options;
  ws_options.send_queue = options.ws_send_queue;
  ws_options.max_message_bytes = options.ws_max_message_bytes;
  ws_options.ping_interval = options.ws_ping_interval;
  ws_options.send_timeout = options.ws_send_timeout;
  if (stopping) co_return;
  auto session = std::make_shared<WsSession>(stream.release_socket(), ws_options, ws_metrics);
  // The session keeps the server (and its broadcaster) alive, and the
  // connection's entry for shutdown, until it ends.
  auto keepalive =
      std::make_shared<std::pair<std::shared_ptr<Impl>, std::shared_ptr<Registration>>>(
          std::move(self), std::move(registration));
  // This coroutine runs on the connection's strand, where the session's
  // handlers run too.
  session->start(handshake.accept, early_bytes, *broadcaster, *context.store, context.ws_feed.get(),
                 std::move(keepalive));
}

infra::Task<void> Server::Impl::stop() {
  auto self = shared_from_this();
  if (stopping.exchange(true)) co_return;
  logging::log_info("server", "stopping",
                    {{"connections", connection_count()}, {"websockets", broadcaster->size()}});
  // On the control strand, where the accept loop runs.
  asio::post(control, [self] {
    beast::error_code ignored;
    self->acceptor.close(ignored);
  });
  subscription.reset();
  if (context.ws_feed) context.ws_feed->attach({});
  broadcaster->close_all(ws_status::kGoingAway);
  for (const auto& conn : connection_list()) {
    if (conn->idle && !conn->upgraded && conn->close) conn->close();
  }
  const auto deadline = std::chrono::steady_clock::now() + options.shutdown_deadline;
  asio::steady_timer timer(executor);
  while (connection_count() > 0 && std::chrono::steady_clock::now() < deadline) {
    // Connections that finish a request while stopping close themselves;
    // ones that became idle after the first pass are closed here.
    for (const auto& conn : connection_list()) {
      if (conn->idle && !conn->upgraded && conn->close) conn->close();
    }
    broadcaster->sweep(std::chrono::steady_clock::now());
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(kUseTuple);
  }
  if (connection_count() > 0) {
    logging::log_warn("server", "shutdown deadline passed; closing remaining connections",
                      {{"connections", connection_count()}});
    for (const auto& session : broadcaster->sessions()) session->force_close();
    for (const auto& conn : connection_list()) {
      if (conn->close) conn->close();
    }
    const auto grace = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (connection_count() > 0 && std::chrono::steady_clock::now() < grace) {
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(kUseTuple);
    }
  }
  running = false;
  asio::post(control, [self] { self->sweep_timer.cancel(); });
  logging::log_info("server", "stopped");
}

Server::Server(infra::Executor executor, ServerOptions options, ServerContext context)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options), std::move(context))) {
  ApiDeps deps;
  deps.options = &impl_->options;
  deps.context = &impl_->context;
  deps.files = &impl_->files;
  deps.started = impl_->started;
  Broadcaster* broadcaster = impl_->broadcaster.get();
  deps.websocket_clients = [broadcaster] { return broadcaster->size(); };
  deps.openapi = impl_->openapi;
  add_api_routes(impl_->router, std::move(deps));
}

Server::~Server() {
  impl_->running = false;
  impl_->subscription.reset();
  if (impl_->context.ws_feed) impl_->context.ws_feed->attach({});
  // Without a prior stop(), close the listener on its strand; the loops end
  // on their own (the sweep within a second).
  asio::post(impl_->control, [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->sweep_timer.cancel();
  });
}

void Server::add_route(const RouteSpec& spec, const Handler& handler) {
  if (impl_->running) throw std::logic_error("server: add_route after start()");
  impl_->router.add(spec, handler);
}

void Server::start() {
  impl_->start();
}

std::uint16_t Server::port() const {
  return impl_->bound_port;
}

infra::Task<void> Server::stop() {
  return impl_->stop();
}

std::size_t Server::websocket_clients() const {
  return impl_->broadcaster->size();
}

std::size_t Server::connections() const {
  return impl_->connection_count();
}

const Router& Server::router() const {
  return impl_->router;
}

}  // namespace lottery::server
