// SPDX-License-Identifier: Apache-2.0
#pragma once
// WebSocket sessions (SPEC §6) and the broadcaster that fans store changes
// out to them. Each session has one strand (its socket's executor), one
// reader coroutine and one writer coroutine fed by a bounded SendQueue.

#include "infra/metrics.hpp"
#include "infra/task.hpp"
#include "server/http.hpp"
#include "server/send_queue.hpp"
#include "store/store.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace lottery::server {

namespace websocket = boost::beast::websocket;

/// Per-session limits.
struct WsOptions {
  std::size_t send_queue = 64;
  std::size_t max_message_bytes = 4096;
  std::chrono::milliseconds ping_interval{20'000};
  std::chrono::milliseconds send_timeout{10'000};
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds close_timeout{3'000};
};

/// Metrics shared by all sessions.
struct WsMetrics {
  infra::Counter* sent = nullptr;
  infra::Counter* dropped = nullptr;
  infra::Counter* resyncs = nullptr;
  infra::Counter* slow_disconnects = nullptr;
  infra::Counter* client_pings = nullptr;
};

/// The store's change kind as a queued message kind; nullopt for internal kinds.
std::optional<MessageKind> message_kind_for(store::ChangeKind kind) noexcept;

/// One step of a `WsFeed`: messages for every client, in order, at `position`.
struct FeedBatch {
  std::uint64_t position = 0;  ///< increases with every batch of a feed
  std::vector<std::pair<MessageKind, std::shared_ptr<const std::string>>> messages;
  /// The `snapshot` message of the state after this batch (resync for slow clients).
  std::shared_ptr<const std::string> snapshot;
};

/// A source of WebSocket messages that replaces the store's own commits (replicas, SPEC §10:
/// src/scale relays the leader's stream so every client of every replica gets the same one).
class WsFeed {
 public:
  virtual ~WsFeed() = default;
  /// The `snapshot` message a new client gets first and the position it reflects. Any thread.
  virtual std::pair<std::shared_ptr<const std::string>, std::uint64_t> current() const = 0;
  /// Where later batches go (an empty function: nowhere). The feed calls `sink` in position
  /// order, never concurrently, and only for positions after what `current()` returned before.
  virtual void attach(std::function<void(const FeedBatch&)> sink) = 0;
};

class Broadcaster;

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  /// On the plain socket: the WebSocket layer has its own timeouts, and
  /// beast::tcp_stream's per-operation timer bookkeeping would cost memory
  /// and time on every broadcast write.
  using Stream = websocket::stream<boost::asio::ip::tcp::socket>;

  WsSession(Stream stream, WsOptions options, WsMetrics metrics);

  /// Accepts the upgrade `request`, registers with `broadcaster`, sends the
  /// snapshot from `store` (or from `feed` when set), then reads client
  /// messages until the connection ends. Must be awaited on the stream's
  /// executor (a strand).
  infra::Task<void> run(Request request, Broadcaster& broadcaster, const store::Store& store,
                        const WsFeed* feed = nullptr);

  /// Queues a message (any thread). `resync` is the current snapshot message
  /// used when the client is too slow (see SendQueue).
  void deliver(MessageKind kind, std::uint64_t version,
               const std::shared_ptr<const std::string>& text,
               const std::shared_ptr<const std::string>& resync, std::uint64_t resync_version);

  /// Starts a close handshake with `code` (any thread, idempotent).
  void close(websocket::close_code code);
  /// Drops the TCP connection at once (any thread).
  void force_close();
  /// Drops the session when a write or a close has been stuck past its
  /// deadline (any thread). True when it did.
  bool check_stuck(std::chrono::steady_clock::time_point now);

  std::uint64_t id() const noexcept { return id_; }
  /// Messages waiting (for tests and metrics).
  std::size_t queued() const;

 private:
  /// Sends the next queued message, or marks the writer idle (strand only).
  void pump();
  void on_written(boost::system::error_code ec);
  infra::Task<void> close_now(websocket::close_code code);
  void handle_client_message(std::string_view text);

  static std::int64_t ticks(std::chrono::steady_clock::time_point t) noexcept {
    return t.time_since_epoch().count();
  }

  Stream ws_;
  WsOptions options_;
  WsMetrics metrics_;
  std::uint64_t id_;
  mutable std::mutex mutex_;
  SendQueue queue_;       // guarded by mutex_
  bool closing_ = false;  // strand only
  /// True while a pump is posted or a write is in flight (guarded by mutex_),
  /// so `deliver` posts to the strand only to an idle writer: one post and one
  /// write per message, no coroutine or channel between them. Starts true:
  /// `run` starts the writer with the snapshot.
  bool pumping_ = true;
  std::shared_ptr<const std::string> in_flight_;  ///< strand only: the message being written
  std::atomic<std::int64_t> write_started_{0};    ///< steady ticks; 0 = no write in flight
  std::atomic<std::int64_t> close_deadline_{0};   ///< steady ticks; 0 = not closing
  std::atomic<bool> dropped_{false};
};

/// Fans store changes out to every session. Thread-safe: the store calls
/// `publish` on the writer's thread; sessions add and remove themselves on
/// their strands. Sends happen outside the lock (weak_ptrs are copied first).
class Broadcaster {
 public:
  explicit Broadcaster(infra::Gauge* clients_gauge = nullptr);

  void add(const std::shared_ptr<WsSession>& session);
  void remove(std::uint64_t id);
  std::size_t size() const;

  /// Queues every WebSocket message of `changes` to every session.
  void publish(const store::ChangeSet& changes);
  /// Queues every message of a feed batch to every session.
  void publish(const FeedBatch& batch);

  /// Live sessions (copied under the lock).
  std::vector<std::shared_ptr<WsSession>> sessions() const;

  /// Closes every session with `code`, and every session added later too.
  void close_all(websocket::close_code code);
  /// Runs `check_stuck` on every session; returns how many were dropped.
  std::size_t sweep(std::chrono::steady_clock::time_point now);

 private:
  infra::Gauge* clients_gauge_;
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<WsSession>> sessions_;
  std::optional<websocket::close_code> closing_;  ///< set by close_all
};

}  // namespace lottery::server
