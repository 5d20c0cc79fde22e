// SPDX-License-Identifier: Apache-2.0
#include "server/ws.hpp"

#include "logging/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/json/parse.hpp>

namespace lottery::server {

namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 256;
std::atomic<std::uint64_t> g_next_session_id{1};

}  // namespace

std::optional<MessageKind> message_kind_for(store::ChangeKind kind) noexcept {
  switch (kind) {
    case store::ChangeKind::kReorg:
      return MessageKind::kReorg;
    case store::ChangeKind::kConfig:
      return MessageKind::kConfig;
    case store::ChangeKind::kRound:
      return MessageKind::kRound;
    case store::ChangeKind::kParticipants:
      return MessageKind::kParticipants;
    case store::ChangeKind::kHistory:
      return MessageKind::kHistory;
    case store::ChangeKind::kActivity:
      return MessageKind::kActivity;
    case store::ChangeKind::kOperatorStatus:
      return MessageKind::kOperatorStatus;
    case store::ChangeKind::kChainHead:
    case store::ChangeKind::kFinality:
      return std::nullopt;
  }
  return std::nullopt;
}

WsSession::WsSession(Stream stream, WsOptions options, WsMetrics metrics)
    : ws_(std::move(stream)),
      options_(options),
      metrics_(metrics),
      id_(g_next_session_id.fetch_add(1)),
      queue_(options.send_queue) {}

std::size_t WsSession::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

infra::Task<void> WsSession::run(Request request, Broadcaster& broadcaster,
                                 const store::Store& store, const WsFeed* feed) {
  auto self = shared_from_this();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = options_.handshake_timeout;
  // Beast pings after half the idle timeout without traffic and drops the
  // peer if nothing arrives in the other half.
  timeouts.idle_timeout = options_.ping_interval * 2;
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.read_message_max(options_.max_message_bytes);
  ws_.text(true);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "lottery"); }));

  auto [accept_ec] = co_await ws_.async_accept(request, kUseTuple);
  if (accept_ec) co_return;
  request = {};  // the upgrade request's headers are not needed for the session's lifetime

  // Register before taking the snapshot so no commit falls in between; the
  // queue drops changes the snapshot already contains.
  broadcaster.add(self);
  if (feed != nullptr) {
    auto [text, position] = feed->current();
    std::lock_guard lock(mutex_);
    queue_.set_initial_snapshot(std::move(text), position);
  } else {
    const auto snap = store.snapshot();
    std::lock_guard lock(mutex_);
    queue_.set_initial_snapshot(snap->views.ws_snapshot, snap->version);
  }
  pump();  // the writer starts with the snapshot

  // Read in small pieces: a whole-message read reserves a 1.5 KiB frame
  // buffer per idle client, and clients rarely send anything.
  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, bytes] = co_await ws_.async_read_some(buffer, kReadChunk, kUseTuple);
    if (ec) break;
    if (!ws_.is_message_done()) continue;
    if (ws_.got_text()) {
      handle_client_message(beast::buffers_to_string(buffer.data()));
    }
    buffer.consume(buffer.size());
  }
  broadcaster.remove(id_);
  closing_ = true;
  // A write stuck on a peer that stopped reading would keep the socket open.
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).close(ignored);
}

void WsSession::handle_client_message(std::string_view text) {
  // Only {"type":"ping"} means something; anything else is ignored.
  boost::system::error_code ec;
  const auto doc = boost::json::parse(text, ec);
  if (ec || !doc.is_object()) return;
  const auto* type = doc.as_object().if_contains("type");
  if (type == nullptr || !type->is_string() || type->as_string() != "ping") return;
  if (metrics_.client_pings != nullptr) metrics_.client_pings->inc();
  deliver(MessageKind::kPong, 0, pong_message(), nullptr, 0);
}

void WsSession::deliver(MessageKind kind, std::uint64_t version,
                        const std::shared_ptr<const std::string>& text,
                        const std::shared_ptr<const std::string>& resync,
                        std::uint64_t resync_version) {
  if (!text || dropped_.load()) return;
  SendQueue::PushResult result;
  bool start_writer = false;
  {
    std::lock_guard lock(mutex_);
    result = queue_.push({kind, version, text}, resync, resync_version);
    if (!pumping_ && !queue_.empty() && !result.stuck) {
      pumping_ = true;
      start_writer = true;
    }
  }
  if (result.dropped > 0 && metrics_.dropped != nullptr) {
    metrics_.dropped->inc(static_cast<double>(result.dropped));
  }
  if (result.resynced && metrics_.resyncs != nullptr) metrics_.resyncs->inc();
  if (result.stuck) {
    if (!dropped_.exchange(true)) {
      if (metrics_.slow_disconnects != nullptr) metrics_.slow_disconnects->inc();
      logging::log_info("server", "closing a WebSocket client that cannot keep up",
                        {{"session", id_}});
      close(websocket::close_code::policy_error);
    }
    return;
  }
  if (start_writer) asio::post(ws_.get_executor(), [self = shared_from_this()] { self->pump(); });
}

void WsSession::pump() {
  // Closing: the writer stays marked busy, so nothing is posted any more.
  if (closing_) return;
  std::optional<QueuedMessage> message;
  {
    std::lock_guard lock(mutex_);
    message = queue_.pop();
    if (!message) {
      pumping_ = false;
      return;
    }
  }
  in_flight_ = std::move(message->text);
  write_started_.store(ticks(std::chrono::steady_clock::now()));
  // A plain completion handler (no coroutine): this is the per-client cost
  // of every broadcast. It runs on the stream's strand.
  ws_.async_write(asio::buffer(*in_flight_),
                  [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                    self->on_written(ec);
                  });
}

void WsSession::on_written(boost::system::error_code ec) {
  write_started_.store(0);
  in_flight_.reset();
  // A failed write ends the writer (still marked busy); the reader sees the
  // broken connection and ends the session.
  if (ec) return;
  if (metrics_.sent != nullptr) metrics_.sent->inc();
  pump();
}

infra::Task<void> WsSession::close_now(websocket::close_code code) {
  auto self = shared_from_this();
  if (closing_) co_return;
  closing_ = true;
  close_deadline_.store(ticks(std::chrono::steady_clock::now() + options_.close_timeout));
  // The reader sees the peer's close reply and ends the session.
  auto [ec] = co_await ws_.async_close(websocket::close_reason(code), kUseTuple);
  (void)ec;
}

void WsSession::close(websocket::close_code code) {
  asio::co_spawn(ws_.get_executor(), close_now(code), asio::detached);
}

void WsSession::force_close() {
  asio::post(ws_.get_executor(), [self = shared_from_this()] {
    self->closing_ = true;
    beast::error_code ignored;
    beast::get_lowest_layer(self->ws_).close(ignored);
  });
}

bool WsSession::check_stuck(std::chrono::steady_clock::time_point now) {
  const auto now_ticks = ticks(now);
  const auto started = write_started_.load();
  const auto send_limit =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(options_.send_timeout)
          .count();
  const bool write_stuck = started != 0 && now_ticks - started > send_limit;
  const auto deadline = close_deadline_.load();
  const bool close_stuck = deadline != 0 && now_ticks > deadline;
  if (!write_stuck && !close_stuck) return false;
  if (write_stuck && !dropped_.exchange(true) && metrics_.slow_disconnects != nullptr) {
    metrics_.slow_disconnects->inc();
  }
  write_started_.store(0);
  close_deadline_.store(0);
  force_close();
  return true;
}

Broadcaster::Broadcaster(infra::Gauge* clients_gauge) : clients_gauge_(clients_gauge) {}

void Broadcaster::add(const std::shared_ptr<WsSession>& session) {
  std::optional<websocket::close_code> closing;
  {
    std::lock_guard lock(mutex_);
    sessions_[session->id()] = session;
    if (clients_gauge_ != nullptr) clients_gauge_->set(static_cast<double>(sessions_.size()));
    closing = closing_;
  }
  // A session that finished its handshake after `close_all` is closed too.
  if (closing) session->close(*closing);
}

void Broadcaster::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(id);
  if (clients_gauge_ != nullptr) clients_gauge_->set(static_cast<double>(sessions_.size()));
}

std::size_t Broadcaster::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::vector<std::shared_ptr<WsSession>> Broadcaster::sessions() const {
  std::vector<std::shared_ptr<WsSession>> out;
  std::lock_guard lock(mutex_);
  out.reserve(sessions_.size());
  for (const auto& [id, weak] : sessions_) {
    if (auto session = weak.lock()) out.push_back(std::move(session));
  }
  return out;
}

void Broadcaster::publish(const store::ChangeSet& changes) {
  bool any = false;
  for (const auto& change : changes.changes) {
    if (change.message && message_kind_for(change.kind)) any = true;
  }
  if (!any) return;
  const auto live = sessions();
  if (live.empty()) return;
  const std::uint64_t version = changes.snapshot ? changes.snapshot->version : 0;
  std::shared_ptr<const std::string> resync;
  if (changes.snapshot) resync = changes.snapshot->views.ws_snapshot;
  for (const auto& change : changes.changes) {
    const auto kind = message_kind_for(change.kind);
    if (!change.message || !kind) continue;
    for (const auto& session : live)
      session->deliver(*kind, version, change.message, resync, version);
  }
}

void Broadcaster::publish(const FeedBatch& batch) {
  if (batch.messages.empty()) return;
  const auto live = sessions();
  for (const auto& [kind, text] : batch.messages) {
    for (const auto& session : live)
      session->deliver(kind, batch.position, text, batch.snapshot, batch.position);
  }
}

void Broadcaster::close_all(websocket::close_code code) {
  {
    std::lock_guard lock(mutex_);
    closing_ = code;
  }
  for (const auto& session : sessions()) session->close(code);
}

std::size_t Broadcaster::sweep(std::chrono::steady_clock::time_point now) {
  std::size_t dropped = 0;
  for (const auto& session : sessions()) {
    if (session->check_stuck(now)) ++dropped;
  }
  return dropped;
}

}  // namespace lottery::server
