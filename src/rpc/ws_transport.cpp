// SPDX-License-Identifier: Apache-2.0
// WebSocket transport: one connection per endpoint, requests multiplexed by
// JSON-RPC id, eth_subscription notifications routed to subscriptions.
// All state lives on one strand; public entry points hop onto it with co_spawn.
#include "rpc/transport_detail.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <deque>
#include <unordered_map>

namespace lottery::rpc::detail {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Strand = asio::strand<infra::Executor>;
using infra::Task;
using ErrorCode = boost::system::error_code;

/// The socket stack of one connection (plain or TLS), behind one interface so
/// the transport logic is written once.
class WsStream {
 public:
  virtual ~WsStream() = default;
  virtual Task<ErrorCode> open(tcp::resolver::results_type results, const Endpoint& endpoint,
                               const TransportOptions& options, Clock::time_point connect_deadline,
                               std::string& phase) = 0;
  virtual Task<ErrorCode> write(const std::string& text) = 0;
  virtual Task<ErrorCode> read(std::string& out) = 0;
  virtual void shutdown() = 0;
};

template <class NextLayer>
class WsStreamImpl final : public WsStream {
 public:
  template <class... Args>
  // The analyzer follows Beast's stream constructor into any_executor and reports a
  // use-after-free inside Boost that ASan never sees at run time (a false positive).
  // NOLINTNEXTLINE(clang-analyzer-cplusplus.NewDelete)
  explicit WsStreamImpl(Args&&... args) : ws_(std::forward<Args>(args)...) {}

  Task<ErrorCode> open(tcp::resolver::results_type results, const Endpoint& endpoint,
                       const TransportOptions& options, Clock::time_point connect_deadline,
                       std::string& phase) override {
    ErrorCode ec;
    auto& layer = beast::get_lowest_layer(ws_);
    layer.expires_at(connect_deadline);
    phase = "connect";
    co_await layer.async_connect(results, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return ec;
    layer.socket().set_option(tcp::no_delay(true), ec);
    if constexpr (!std::is_same_v<NextLayer, beast::tcp_stream>) {
      phase = "TLS handshake";
      prepare_tls(ws_.next_layer(), endpoint.host);
      co_await ws_.next_layer().async_handshake(ssl::stream_base::client,
                                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return ec;
    }
    // From here the websocket's own timeouts (handshake, idle + pings) apply.
    layer.expires_never();
    const auto remaining =
        std::max(Clock::duration{std::chrono::milliseconds{1}}, connect_deadline - Clock::now());
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = remaining;
    timeouts.idle_timeout = options.ws_idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    const std::string agent = options.user_agent;
    const std::string auth = endpoint.authorization;
    ws_.set_option(websocket::stream_base::decorator([agent, auth](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, agent);
      if (!auth.empty()) req.set(beast::http::field::authorization, auth);
    }));
    ws_.read_message_max(options.max_response_bytes);
    ws_.text(true);
    phase = "WebSocket handshake";
    co_await ws_.async_handshake(endpoint.host_header(), endpoint.target,
                                 asio::redirect_error(asio::use_awaitable, ec));
    co_return ec;
  }

  Task<ErrorCode> write(const std::string& text) override {
    ErrorCode ec;
    co_await ws_.async_write(asio::buffer(text), asio::redirect_error(asio::use_awaitable, ec));
    co_return ec;
  }

  Task<ErrorCode> read(std::string& out) override {
    ErrorCode ec;
    beast::flat_buffer buffer;
    co_await ws_.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) out = beast::buffers_to_string(buffer.data());
    co_return ec;
  }

  void shutdown() override {
    ErrorCode ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

 private:
  websocket::stream<NextLayer> ws_;
};

class WsTransport;

// An exchange is not cancelled from the caller's side: Boost.Asio 1.81's
// co_spawn forwards a cancellation onto the strand by a posted handler that
// can run after the exchange finished and freed its signal (a use-after-free
// seen under ASan at shutdown; asio issue #1332). An exchange ends anyway: by
// its reply, its own timeout, or close(), which the service calls on stop.
auto uncancellable() {
  return asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable);
}

class WsSubscription final : public Subscription,
                             public std::enable_shared_from_this<WsSubscription> {
 public:
  WsSubscription(Strand strand, std::string id, std::size_t capacity,
                 std::weak_ptr<WsTransport> owner)
      : strand_(std::move(strand)),
        id_(std::move(id)),
        capacity_(capacity),
        signal_(strand_),
        owner_(std::move(owner)) {}

  Task<json::value> next() override {
    co_return co_await asio::co_spawn(strand_, next_on_strand(shared_from_this()),
                                      asio::use_awaitable);
  }

  const std::string& id() const noexcept override { return id_; }

  void close() override;

  /// On the strand: queue a notification; false when the queue overflowed
  /// and the subscription closed itself.
  bool push(json::value value) {
    if (closed_) return false;
    if (queue_.size() >= capacity_) {
      fail(make_error(RpcErrc::kTransport, "subscription " + id_ + " fell behind by more than " +
                                               std::to_string(capacity_) + " notifications"));
      return false;
    }
    queue_.push_back(std::move(value));
    signal_.cancel();
    return true;
  }

  /// On the strand: end the subscription with `error` (after queued items).
  void fail(RpcError error) {
    if (closed_) return;
    closed_ = true;
    reason_ = std::move(error);
    signal_.cancel();
  }

 private:
  static Task<json::value> next_on_strand(std::shared_ptr<WsSubscription> self) {
    while (self->queue_.empty() && !self->closed_) {
      self->signal_.expires_at(Clock::time_point::max());
      ErrorCode ec;
      co_await self->signal_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (!self->queue_.empty()) {
      json::value value = std::move(self->queue_.front());
      self->queue_.pop_front();
      co_return value;
    }
    throw RpcException(self->reason_);
  }

  Strand strand_;
  std::string id_;
  std::size_t capacity_;
  asio::steady_timer signal_;
  std::weak_ptr<WsTransport> owner_;
  std::deque<json::value> queue_;
  bool closed_ = false;
  RpcError reason_;
};

class WsTransport final : public Transport, public std::enable_shared_from_this<WsTransport> {
 public:
  WsTransport(const infra::Executor& executor, Endpoint endpoint, TransportOptions options)
      : strand_(asio::make_strand(executor)),
        endpoint_(std::move(endpoint)),
        options_(std::move(options)),
        outbox_signal_(strand_) {}

  const Endpoint& endpoint() const noexcept override { return endpoint_; }
  bool supports_subscriptions() const noexcept override { return true; }

  Task<std::string> request(std::string payload, std::vector<RequestId> ids,
                            std::chrono::milliseconds timeout) override {
    auto result = co_await asio::co_spawn(
        strand_, exchange(shared_from_this(), std::move(payload), std::move(ids), timeout, false),
        uncancellable());
    co_return std::move(result.first);
  }

  Task<std::shared_ptr<Subscription>> subscribe(RequestId id, json::array params,
                                                std::chrono::milliseconds timeout) override {
    Call call{"eth_subscribe", std::move(params)};
    std::vector<RequestId> ids(1, id);
    auto result = co_await asio::co_spawn(
        strand_,
        exchange(shared_from_this(), serialize_request(id, call), std::move(ids), timeout, true),
        uncancellable());
    if (!result.second) {
      auto outcome = parse_response(result.first, id);
      if (outcome.error) throw RpcException(*outcome.error);
      throw RpcException(
          make_error(RpcErrc::kMalformedResponse, "eth_subscribe reply has no subscription id"));
    }
    co_return result.second;
  }

  void close() override {
    asio::post(strand_, [self = shared_from_this()] {
      self->drop(self->generation_, make_error(RpcErrc::kTransport, "connection closed by client"));
    });
  }

  /// On the strand: forget a subscription and tell the node (best effort).
  void unsubscribe(const std::string& sub_id) {
    subs_.erase(sub_id);
    if (state_ != State::kConnected) return;
    json::array params;
    params.emplace_back(sub_id);
    // Ids from the top half are never used by the client: the reply is ignored.
    enqueue(serialize_request(kUnsubscribeIdBase + unsubscribe_seq_++,
                              Call{"eth_unsubscribe", std::move(params)}));
  }

 private:
  enum class State : std::uint8_t { kIdle, kConnecting, kConnected };
  static constexpr RequestId kUnsubscribeIdBase = RequestId{1} << 63;

  struct Pending {
    explicit Pending(const Strand& strand) : timer(strand) {}
    asio::steady_timer timer;
    std::vector<RequestId> ids;
    bool subscribe = false;
    bool done = false;
    std::string reply;
    std::optional<RpcError> error;
    std::shared_ptr<WsSubscription> subscription;
  };

  static Task<std::pair<std::string, std::shared_ptr<WsSubscription>>> exchange(
      std::shared_ptr<WsTransport> self, std::string payload, std::vector<RequestId> ids,
      std::chrono::milliseconds timeout, bool subscribe) {
    const auto deadline = Clock::now() + timeout;
    co_await self->ensure_connected(deadline, timeout);
    auto pending = std::make_shared<Pending>(self->strand_);
    pending->timer.expires_at(deadline);
    pending->ids = ids;
    pending->subscribe = subscribe;
    for (auto id : ids) {
      if (self->pending_.contains(id)) {
        throw RpcException(make_error(
            RpcErrc::kOther, "request id " + std::to_string(id) + " is already in flight"));
      }
    }
    for (auto id : ids) self->pending_[id] = pending;
    self->enqueue(std::move(payload));
    while (!pending->done && !pending->error) {
      ErrorCode ec;
      co_await pending->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) break;  // deadline passed
      if (ec == asio::error::operation_aborted && !pending->done && !pending->error)
        break;  // cancelled by caller
    }
    if (pending->done) co_return std::make_pair(std::move(pending->reply), pending->subscription);
    if (pending->error) throw RpcException(*pending->error);
    for (auto id : ids) {
      if (auto it = self->pending_.find(id); it != self->pending_.end() && it->second == pending)
        self->pending_.erase(it);
    }
    throw RpcException(make_error(RpcErrc::kTimeout, "no reply from " + self->endpoint_.redacted() +
                                                         " within " +
                                                         std::to_string(timeout.count()) + " ms"));
  }

  Task<void> ensure_connected(Clock::time_point deadline, std::chrono::milliseconds timeout) {
    while (state_ != State::kConnected) {
      if (state_ == State::kConnecting) {
        auto event = connect_event_;
        ErrorCode ec;
        co_await event->async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (state_ != State::kConnected && connect_error_) throw RpcException(*connect_error_);
        continue;
      }
      state_ = State::kConnecting;
      connect_event_ = std::make_shared<asio::steady_timer>(strand_, Clock::time_point::max());
      std::optional<RpcError> failure;
      std::shared_ptr<WsStream> stream;
      try {
        stream = co_await open_stream(std::min(deadline, Clock::now() + options_.connect_timeout),
                                      timeout);
      } catch (const RpcException& e) {
        failure = e.error();
      }
      if (failure) {
        state_ = State::kIdle;
        connect_error_ = failure;
        connect_event_->cancel();
        throw RpcException(*failure);
      }
      stream_ = stream;
      ++generation_;
      state_ = State::kConnected;
      connect_error_.reset();
      connect_event_->cancel();
      auto self = shared_from_this();
      asio::co_spawn(strand_, reader(self, generation_, stream), asio::detached);
      asio::co_spawn(strand_, writer(self, generation_, stream), asio::detached);
    }
  }

  Task<std::shared_ptr<WsStream>> open_stream(Clock::time_point connect_deadline,
                                              std::chrono::milliseconds timeout) {
    ErrorCode ec;
    tcp::resolver resolver(strand_);
    auto results = co_await resolver.async_resolve(endpoint_.host, std::to_string(endpoint_.port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      throw RpcException(make_error(
          RpcErrc::kTransport, "cannot resolve " + endpoint_.redacted() + ": " + ec.message()));
    }
    std::shared_ptr<WsStream> stream;
    if (endpoint_.is_tls()) {
      stream = std::make_shared<WsStreamImpl<beast::ssl_stream<beast::tcp_stream>>>(strand_,
                                                                                    *options_.tls);
    } else {
      stream = std::make_shared<WsStreamImpl<beast::tcp_stream>>(strand_);
    }
    std::string phase;
    ec = co_await stream->open(results, endpoint_, options_, connect_deadline, phase);
    if (ec) {
      stream->shutdown();
      auto error = io_error(ec, phase, endpoint_, options_, timeout);
      if (ec == beast::error::timeout) {
        error.message = phase + " with " + endpoint_.redacted() + " timed out";
      }
      throw RpcException(std::move(error));
    }
    co_return stream;
  }

  void enqueue(std::string message) {
    outbox_.push_back(std::move(message));
    outbox_signal_.cancel();
  }

  static Task<void> writer(std::shared_ptr<WsTransport> self, std::uint64_t generation,
                           std::shared_ptr<WsStream> stream) {
    while (generation == self->generation_ && self->state_ == State::kConnected) {
      if (self->outbox_.empty()) {
        self->outbox_signal_.expires_at(Clock::time_point::max());
        ErrorCode ec;
        co_await self->outbox_signal_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      std::string message = std::move(self->outbox_.front());
      self->outbox_.pop_front();
      const auto ec = co_await stream->write(message);
      if (ec) {
        self->drop(generation,
                   io_error(ec, "WebSocket write", self->endpoint_, self->options_, {}));
        co_return;
      }
    }
  }

  static Task<void> reader(std::shared_ptr<WsTransport> self, std::uint64_t generation,
                           std::shared_ptr<WsStream> stream) {
    for (;;) {
      std::string text;
      const auto ec = co_await stream->read(text);
      if (generation != self->generation_) co_return;
      if (ec) {
        auto error = io_error(ec, "WebSocket read", self->endpoint_, self->options_, {});
        if (ec == beast::error::timeout) {
          error = make_error(RpcErrc::kTransport, "WebSocket to " + self->endpoint_.redacted() +
                                                      " stopped answering pings");
        }
        self->drop(generation, error);
        co_return;
      }
      self->dispatch(text);
    }
  }

  void dispatch(const std::string& text) {
    auto msg = inspect_message(text);
    if (msg.kind == IncomingMessage::Kind::kNotification) {
      auto it = subs_.find(msg.subscription);
      if (it == subs_.end()) return;
      auto sub = it->second.lock();
      if (!sub || !sub->push(std::move(msg.result))) unsubscribe(msg.subscription);
      return;
    }
    if (msg.kind != IncomingMessage::Kind::kResponse) return;  // garbage from the node: ignored
    std::shared_ptr<Pending> pending;
    for (auto id : msg.ids) {
      if (auto it = pending_.find(id); it != pending_.end()) {
        pending = it->second;
        break;
      }
    }
    if (!pending) return;  // late reply after a timeout, or an id we never sent
    for (auto id : pending->ids) pending_.erase(id);
    pending->reply = text;
    pending->done = true;
    if (pending->subscribe && msg.parsed) {
      // Registered here, before any later message is read, so the first
      // notification cannot slip past the subscriber.
      auto outcome = parse_response_value(*msg.parsed, pending->ids.front());
      if (outcome.ok() && outcome.result.is_string()) {
        std::string sub_id(outcome.result.get_string());
        auto sub = std::make_shared<WsSubscription>(strand_, sub_id, options_.subscription_queue,
                                                    weak_from_this());
        subs_[sub_id] = sub;
        pending->subscription = std::move(sub);
      }
    }
    pending->timer.cancel();
  }

  void drop(std::uint64_t generation, const RpcError& error) {
    if (generation != generation_ || state_ != State::kConnected) return;
    state_ = State::kIdle;
    ++generation_;
    if (stream_) stream_->shutdown();
    stream_.reset();
    outbox_.clear();
    outbox_signal_.cancel();
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [id, p] : pending) {
      if (!p->done && !p->error) {
        p->error = error;
        p->timer.cancel();
      }
    }
    auto subs = std::move(subs_);
    subs_.clear();
    RpcError lost = error;
    lost.message = "subscription ended: " + error.message;
    for (auto& [id, weak] : subs) {
      if (auto sub = weak.lock()) sub->fail(lost);
    }
  }

  Strand strand_;
  Endpoint endpoint_;
  TransportOptions options_;
  State state_ = State::kIdle;
  std::uint64_t generation_ = 0;
  std::shared_ptr<WsStream> stream_;
  std::shared_ptr<asio::steady_timer> connect_event_;
  std::optional<RpcError> connect_error_;
  std::unordered_map<RequestId, std::shared_ptr<Pending>> pending_;
  std::unordered_map<std::string, std::weak_ptr<WsSubscription>> subs_;
  std::deque<std::string> outbox_;
  asio::steady_timer outbox_signal_;
  RequestId unsubscribe_seq_ = 0;
};

void WsSubscription::close() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->closed_) return;
    self->fail(make_error(RpcErrc::kTransport, "subscription " + self->id_ + " closed"));
    if (auto owner = self->owner_.lock()) owner->unsubscribe(self->id_);
  });
}

}  // namespace

std::shared_ptr<Transport> make_ws_transport(const infra::Executor& executor, Endpoint endpoint,
                                             TransportOptions options) {
  return std::make_shared<WsTransport>(executor, std::move(endpoint), std::move(options));
}

}  // namespace lottery::rpc::detail
