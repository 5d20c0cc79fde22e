// SPDX-License-Identifier: Apache-2.0
#include "server/ws.hpp"

#include "logging/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <tuple>
#include <utility>

namespace lottery::server {

namespace {

/// Clients send little (pings, a close); one read takes what is there.
constexpr std::size_t kReadChunk = 4096;
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

WsSession::WsSession(Socket socket, WsOptions options, WsMetrics metrics)
    : options_(options),
      metrics_(metrics),
      id_(g_next_session_id.fetch_add(1)),
      reader_(options.max_message_bytes),
      socket_(std::move(socket)),
      queue_(options.send_queue) {}

std::size_t WsSession::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void WsSession::start(const std::string& handshake_response, const std::string& early_bytes,
                      Broadcaster& broadcaster, const store::Store& store, const WsFeed* feed,
                      std::shared_ptr<void> keepalive) {
  broadcaster_ = &broadcaster;
  keepalive_ = std::move(keepalive);
  last_heard_.store(ticks(std::chrono::steady_clock::now()));
  // Register before taking the snapshot so no commit falls in between; the
  // queue drops changes the snapshot already contains. Until `started_`,
  // deliveries only queue, so the 101 goes out first.
  broadcaster.add(shared_from_this());
  std::shared_ptr<const std::string> snapshot;
  std::uint64_t position = 0;
  if (feed != nullptr) {
    std::tie(snapshot, position) = feed->current();
  } else {
    const auto snap = store.snapshot();
    snapshot = snap->views.ws_snapshot;
    position = snap->version;
  }
  {
    std::lock_guard lock(mutex_);
    queue_.set_initial_snapshot(std::move(snapshot), position);
    // The 101 goes before anything already waiting (a close from close_all).
    control_.insert(0, handshake_response);
    started_ = true;
    flush_locked();
  }
  if (!early_bytes.empty()) consume(early_bytes);
  std::lock_guard lock(mutex_);
  wait_readable_locked();
}

void WsSession::deliver_all(const Messages& messages, std::uint64_t version,
                            const std::shared_ptr<const std::string>& resync,
                            std::uint64_t resync_version) {
  if (dropped_.load(std::memory_order_relaxed)) return;
  SendQueue::PushResult total;
  {
    std::lock_guard lock(mutex_);
    if (ended_ || close_queued_) return;
    for (const auto& [kind, text] : messages) {
      if (!text) continue;
      const auto result = queue_.push({kind, version, text}, resync, resync_version);
      total.dropped += result.dropped;
      total.resynced = total.resynced || result.resynced;
      total.stuck = total.stuck || result.stuck;
    }
    if (!total.stuck) flush_locked();
  }
  account(total);
}

void WsSession::account(const SendQueue::PushResult& result) {
  if (result.dropped > 0 && metrics_.dropped != nullptr) {
    metrics_.dropped->inc(static_cast<double>(result.dropped));
  }
  if (result.resynced && metrics_.resyncs != nullptr) metrics_.resyncs->inc();
  if (result.stuck && !dropped_.exchange(true)) {
    if (metrics_.slow_disconnects != nullptr) metrics_.slow_disconnects->inc();
    logging::log_info("server", "closing a WebSocket client that cannot keep up",
                      {{"session", id_}});
    close(ws_status::kPolicyViolation);
  }
}

void WsSession::flush_locked() {
  if (!started_ || ended_ || waiting_writable_) return;
  for (;;) {
    if (!out_.active()) {
      out_ = Outgoing{};
      if (!control_.empty()) {
        // Control bytes (the 101, pongs, pings, a close) go first, on their own.
        out_.carries_close = close_queued_ && !close_sent_;
        out_.pieces[0].payload = std::make_shared<const std::string>(std::move(control_));
        out_.count = 1;
        control_.clear();
      } else if (close_queued_) {
        return;  // nothing follows a close frame
      } else {
        while (out_.count < kMaxGather) {
          auto message = queue_.pop();
          if (!message) break;
          Piece& piece = out_.pieces[out_.count++];
          piece.header = ws_frame_header(WsOpcode::kText, message->text->size());
          piece.payload = std::move(message->text);
        }
        out_.messages = out_.count;
        if (!out_.active()) return;
      }
    }
    switch (write_locked()) {
      case WriteResult::kDone: {
        const Outgoing done = std::exchange(out_, Outgoing{});
        if (done.messages > 0 && metrics_.sent != nullptr) {
          metrics_.sent->inc(static_cast<double>(done.messages));
        }
        if (done.carries_close) {
          close_sent_ = true;
          if (shutdown_after_close_) {
            shutdown_locked();
            return;
          }
        }
        continue;
      }
      case WriteResult::kBlocked:
        waiting_writable_ = true;
        blocked_since_.store(ticks(std::chrono::steady_clock::now()));
        socket_.async_wait(
            Socket::wait_write,
            [self = shared_from_this()](boost::system::error_code ec) { self->on_writable(ec); });
        return;
      case WriteResult::kFailed:
        // The peer is gone; the reader sees it and ends the session.
        shutdown_locked();
        return;
    }
  }
}

WsSession::WriteResult WsSession::write_locked() {
  std::size_t total = 0;
  for (std::size_t i = 0; i < out_.count; ++i) total += out_.pieces[i].size();
  while (out_.offset < total) {
    // The iovecs of whatever is not written yet: headers and shared payloads.
    std::array<iovec, 2 * kMaxGather> parts{};
    std::size_t count = 0;
    std::size_t skip = out_.offset;
    const auto add = [&](const char* data, std::size_t size) {
      if (skip >= size) {
        skip -= size;
        return;
      }
      // sendmsg does not write through iov_base; the cast only drops const.
      parts[count++] = {const_cast<char*>(data) + skip, size - skip};  // NOLINT
      skip = 0;
    };
    for (std::size_t i = 0; i < out_.count; ++i) {
      const Piece& piece = out_.pieces[i];
      add(piece.header.bytes.data(), piece.header.size);
      add(piece.payload->data(), piece.payload->size());
    }
    msghdr message{};
    message.msg_iov = parts.data();
    message.msg_iovlen = count;
    const ssize_t sent = ::sendmsg(socket_.native_handle(), &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent >= 0) {
      out_.offset += static_cast<std::size_t>(sent);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return WriteResult::kBlocked;
    return WriteResult::kFailed;
  }
  return WriteResult::kDone;
}

void WsSession::on_writable(boost::system::error_code ec) {
  std::lock_guard lock(mutex_);
  waiting_writable_ = false;
  blocked_since_.store(0);
  if (!ec) flush_locked();
}

void WsSession::send_control_locked(const std::string& frame) {
  if (ended_ || close_queued_) return;
  control_ += frame;
  flush_locked();
}

void WsSession::queue_close_locked(const std::string& frame, bool then_shutdown) {
  if (then_shutdown) shutdown_after_close_ = true;
  if (ended_) return;
  if (close_queued_) {
    if (close_sent_ && shutdown_after_close_) shutdown_locked();
    return;
  }
  control_ += frame;
  close_queued_ = true;
  close_deadline_.store(ticks(std::chrono::steady_clock::now() + options_.close_timeout));
  flush_locked();
}

void WsSession::close(std::uint16_t status) {
  std::lock_guard lock(mutex_);
  // The reader ends the session when the peer's close reply arrives.
  queue_close_locked(ws_close_frame(status), false);
}

void WsSession::shutdown_locked() {
  if (ended_) return;
  // Shut down, not close: the descriptor stays ours until the session ends,
  // and the pending read wakes up and ends the session.
  boost::system::error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.cancel(ignored);
}

void WsSession::force_close() {
  std::lock_guard lock(mutex_);
  shutdown_locked();
}

void WsSession::wait_readable_locked() {
  if (ended_) return;
  socket_.async_wait(Socket::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
    self->on_readable(ec);
  });
}

void WsSession::on_readable(boost::system::error_code ec) {
  if (ec) {
    finish();
    return;
  }
  // One buffer per thread: an idle client holds none.
  thread_local std::array<char, kReadChunk> buffer;
  for (;;) {
    ssize_t got = 0;
    {
      std::lock_guard lock(mutex_);
      if (ended_) return;
      got = ::recv(socket_.native_handle(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    }
    if (got == 0) break;  // the peer closed the connection
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) break;
      std::lock_guard lock(mutex_);
      wait_readable_locked();
      return;
    }
    consume(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
  }
  finish();
}

void WsSession::consume(std::string_view bytes) {
  last_heard_.store(ticks(std::chrono::steady_clock::now()));
  ping_outstanding_.store(false);
  const auto failure =
      reader_.feed(bytes, [this](WsClientFrame&& frame) { on_frame(std::move(frame)); });
  if (failure) {
    // Fail the connection (§7.1.7): say why, then close without waiting.
    std::lock_guard lock(mutex_);
    queue_close_locked(ws_close_frame(*failure), true);
  }
}

void WsSession::on_frame(WsClientFrame&& frame) {
  switch (frame.opcode) {
    case WsOpcode::kText:
      handle_client_message(frame.payload);
      return;
    case WsOpcode::kPing: {
      std::lock_guard lock(mutex_);
      send_control_locked(ws_frame(WsOpcode::kPong, frame.payload));
      return;
    }
    case WsOpcode::kClose: {
      // Answer with the peer's status (§5.5.1), then end the connection.
      std::lock_guard lock(mutex_);
      queue_close_locked(
          frame.payload.size() >= 2
              ? ws_frame(WsOpcode::kClose, std::string_view(frame.payload).substr(0, 2))
              : ws_frame(WsOpcode::kClose, {}),
          true);
      return;
    }
    case WsOpcode::kBinary:        // nothing binary is expected; ignored
    case WsOpcode::kPong:          // last_heard_ already counts it
    case WsOpcode::kContinuation:  // never reported by the reader
      return;
  }
}

void WsSession::handle_client_message(std::string_view text) {
  // Only {"type":"ping"} means something; anything else is ignored.
  boost::system::error_code ec;
  const auto doc = boost::json::parse(text, ec);
  if (ec || !doc.is_object()) return;
  const auto* type = doc.as_object().if_contains("type");
  if (type == nullptr || !type->is_string() || type->as_string() != "ping") return;
  if (metrics_.client_pings != nullptr) metrics_.client_pings->inc();
  deliver_all({{MessageKind::kPong, pong_message()}}, 0, nullptr, 0);
}

void WsSession::finish() {
  {
    std::lock_guard lock(mutex_);
    if (ended_) return;
    ended_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
    out_ = Outgoing{};
    control_.clear();
  }
  blocked_since_.store(0);
  close_deadline_.store(0);
  if (broadcaster_ != nullptr) broadcaster_->remove(id_);
  keepalive_.reset();
}

bool WsSession::check(std::chrono::steady_clock::time_point now) {
  const auto now_ticks = ticks(now);
  const auto as_ticks = [](std::chrono::milliseconds d) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(d).count();
  };
  const auto blocked = blocked_since_.load();
  const bool write_stuck = blocked != 0 && now_ticks - blocked > as_ticks(options_.send_timeout);
  const auto deadline = close_deadline_.load();
  const bool close_stuck = deadline != 0 && now_ticks > deadline;
  const auto silent = now_ticks - last_heard_.load();
  // Protocol pings: a client silent for one interval is pinged; one silent
  // for two (no pong either) is gone.
  const bool dead = silent > 2 * as_ticks(options_.ping_interval);
  if (write_stuck || close_stuck || dead) {
    if (write_stuck && !dropped_.exchange(true) && metrics_.slow_disconnects != nullptr) {
      metrics_.slow_disconnects->inc();
    }
    blocked_since_.store(0);
    close_deadline_.store(0);
    last_heard_.store(now_ticks);
    force_close();
    return true;
  }
  if (silent > as_ticks(options_.ping_interval) && !ping_outstanding_.exchange(true)) {
    std::lock_guard lock(mutex_);
    send_control_locked(ws_frame(WsOpcode::kPing, {}));
  }
  return false;
}

Broadcaster::Broadcaster(infra::Gauge* clients_gauge, const infra::Executor& executor,
                         std::size_t lanes)
    : clients_gauge_(clients_gauge) {
  for (std::size_t i = 0; i < std::max<std::size_t>(lanes, 1); ++i) {
    lanes_.push_back(boost::asio::make_strand(executor));
  }
}

void Broadcaster::add(const std::shared_ptr<WsSession>& session) {
  std::optional<std::uint16_t> closing;
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
  WsSession::Messages messages;
  for (const auto& change : changes.changes) {
    const auto kind = message_kind_for(change.kind);
    if (change.message && kind) messages.emplace_back(*kind, change.message);
  }
  if (messages.empty()) return;
  const std::uint64_t version = changes.snapshot ? changes.snapshot->version : 0;
  std::shared_ptr<const std::string> resync;
  if (changes.snapshot) resync = changes.snapshot->views.ws_snapshot;
  fan_out(std::move(messages), version, std::move(resync));
}

void Broadcaster::publish(const FeedBatch& batch) {
  if (batch.messages.empty()) return;
  fan_out(batch.messages, batch.position, batch.snapshot);
}

void Broadcaster::fan_out(WsSession::Messages messages, std::uint64_t version,
                          std::shared_ptr<const std::string> resync) {
  // The session list is taken now, at commit time: a session added later
  // took its snapshot after this commit and needs none of it.
  auto live = sessions();
  if (live.empty()) return;
  struct Job {
    WsSession::Messages messages;
    std::uint64_t version;
    std::shared_ptr<const std::string> resync;
    std::vector<std::shared_ptr<WsSession>> sessions;
  };
  auto job = std::make_shared<const Job>(
      Job{std::move(messages), version, std::move(resync), std::move(live)});
  const std::size_t count = lanes_.size();
  for (std::size_t lane = 0; lane < count; ++lane) {
    boost::asio::post(lanes_[lane], [job, lane, count] {
      for (const auto& session : job->sessions) {
        if (session->id() % count != lane) continue;
        session->deliver_all(job->messages, job->version, job->resync, job->version);
      }
    });
  }
}

void Broadcaster::close_all(std::uint16_t status) {
  {
    std::lock_guard lock(mutex_);
    closing_ = status;
  }
  for (const auto& session : sessions()) session->close(status);
}

std::size_t Broadcaster::sweep(std::chrono::steady_clock::time_point now) {
  std::size_t dropped = 0;
  for (const auto& session : sessions()) {
    if (session->check(now)) ++dropped;
  }
  return dropped;
}

}  // namespace lottery::server
