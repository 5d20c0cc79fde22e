// SPDX-License-Identifier: Apache-2.0
#pragma once
// WebSocket sessions (SPEC §6) and the broadcaster that fans store changes
// out to them.
//
// A session is a plain TCP socket with RFC 6455 framing done here (ws_frame),
// not a Beast websocket stream: at tens of thousands of clients the cost that
// matters is per client and per message. So a broadcast is written straight
// from the publishing thread with one non-blocking sendmsg (a 2–10 byte header
// plus the payload all clients share): no per-client post, handler, copy or
// timer. Only a client whose socket buffer is full gets a queue (SendQueue,
// with its slow-consumer policy) and a wait for writability. Reading is a
// wait for readability plus non-blocking recv into a per-thread buffer, so an
// idle client holds no read buffer and no coroutine frame. Keep-alive pings,
// dead peers and stuck writes or closes are handled by the server's periodic
// sweep (`check`), not by a timer per client.
//
// Threads: the socket's completion handlers run on the connection's strand;
// `deliver_all`, `close` and `check` come from any thread. Everything that touches
// the socket happens under the session's mutex, and the socket is closed only
// when the session ends, so a descriptor number is never reused under a send.

#include "infra/metrics.hpp"
#include "infra/task.hpp"
#include "server/http.hpp"
#include "server/send_queue.hpp"
#include "server/ws_frame.hpp"
#include "store/store.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include <array>
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

/// Per-session limits.
struct WsOptions {
  std::size_t send_queue = 64;
  std::size_t max_message_bytes = 4096;
  std::chrono::milliseconds ping_interval{20'000};
  std::chrono::milliseconds send_timeout{10'000};
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
  using Socket = boost::asio::ip::tcp::socket;

  WsSession(Socket socket, WsOptions options, WsMetrics metrics);

  /// Sends `handshake_response` (the 101 that accepts the upgrade), registers
  /// with `broadcaster`, queues the snapshot from `store` (or from `feed`
  /// when set) and starts reading, beginning with `early_bytes` (what the
  /// client sent behind its upgrade request). Call on the socket's executor
  /// (the connection's strand). `keepalive` is held until the session ends.
  void start(const std::string& handshake_response, const std::string& early_bytes,
             Broadcaster& broadcaster, const store::Store& store, const WsFeed* feed,
             std::shared_ptr<void> keepalive);

  /// Sends one commit's messages now, in order and in one write, or queues them
  /// when the client's socket is full (any thread). `resync` is the current
  /// snapshot message used when the client is too slow (see SendQueue).
  using Messages = std::vector<std::pair<MessageKind, std::shared_ptr<const std::string>>>;
  void deliver_all(const Messages& messages, std::uint64_t version,
                   const std::shared_ptr<const std::string>& resync, std::uint64_t resync_version);

  /// Starts a close handshake with `status` (any thread, idempotent).
  void close(std::uint16_t status);
  /// Drops the TCP connection at once (any thread).
  void force_close();
  /// The periodic sweep (any thread): pings a client that has been silent for
  /// the ping interval, drops one silent for twice that, and drops a session
  /// whose write or close has been stuck past its deadline. True when it
  /// dropped the session.
  bool check(std::chrono::steady_clock::time_point now);

  std::uint64_t id() const noexcept { return id_; }
  /// Messages waiting (for tests and metrics).
  std::size_t queued() const;

 private:
  enum class WriteResult : std::uint8_t { kDone, kBlocked, kFailed };

  /// Frames per write: a commit's messages (a bet is three) go out in one sendmsg.
  static constexpr std::size_t kMaxGather = 8;

  /// One frame of a write: `header` (may be empty) then `payload`.
  struct Piece {
    std::shared_ptr<const std::string> payload;
    WsFrameHeader header;
    std::size_t size() const noexcept { return header.size + payload->size(); }
  };

  /// What is being written, `offset` bytes of it done.
  struct Outgoing {
    std::array<Piece, kMaxGather> pieces;
    std::size_t count = 0;
    std::size_t offset = 0;
    std::size_t messages = 0;  ///< how many pieces count as sent messages
    bool carries_close = false;
    bool active() const noexcept { return count > 0; }
  };

  // All *_locked functions need mutex_ held.
  void flush_locked();
  WriteResult write_locked();
  void send_control_locked(const std::string& frame);
  void queue_close_locked(const std::string& frame, bool then_shutdown);
  void shutdown_locked();
  void wait_readable_locked();

  void on_writable(boost::system::error_code ec);
  void on_readable(boost::system::error_code ec);
  /// Parses bytes the client sent and acts on its frames (strand only).
  void consume(std::string_view bytes);
  void on_frame(WsClientFrame&& frame);
  void handle_client_message(std::string_view text);
  /// Counts what a push did and closes a client that is stuck (mutex_ not held).
  void account(const SendQueue::PushResult& result);
  void finish();

  static std::int64_t ticks(std::chrono::steady_clock::time_point t) noexcept {
    return t.time_since_epoch().count();
  }

  WsOptions options_;
  WsMetrics metrics_;
  std::uint64_t id_;
  Broadcaster* broadcaster_ = nullptr;  ///< set by start
  std::shared_ptr<void> keepalive_;     ///< strand only
  WsFrameReader reader_;                ///< strand only

  mutable std::mutex mutex_;
  // Guarded by mutex_:
  Socket socket_;
  SendQueue queue_;
  std::string control_;  ///< framed control bytes (101, pongs, pings, close), sent first
  Outgoing out_;
  bool started_ = false;           ///< nothing is sent before the 101
  bool waiting_writable_ = false;  ///< the socket is full; a wait is pending
  bool close_queued_ = false;      ///< a close frame is on its way: nothing after it
  bool close_sent_ = false;
  bool shutdown_after_close_ = false;  ///< the peer closed (or failed): end once ours is out
  bool ended_ = false;                 ///< the socket is closed

  std::atomic<std::int64_t> blocked_since_{0};   ///< steady ticks; 0 = not waiting to write
  std::atomic<std::int64_t> close_deadline_{0};  ///< steady ticks; 0 = not closing
  std::atomic<std::int64_t> last_heard_{0};      ///< steady ticks of the last bytes read
  std::atomic<bool> ping_outstanding_{false};
  std::atomic<bool> dropped_{false};
};

/// Fans store changes out to every session. Thread-safe: the store calls
/// `publish` on its writer's thread; sessions add and remove themselves on
/// their strands. `publish` only posts: each lane (a strand on
/// the I/O threads) writes to the sessions whose id falls in it, so a commit
/// never waits for thousands of sends, the sends use every core, and each
/// session still gets every message in commit order (one lane, FIFO).
class Broadcaster {
 public:
  /// Writes to the clients in `lanes` parallel tasks on `executor`.
  Broadcaster(infra::Gauge* clients_gauge, const infra::Executor& executor, std::size_t lanes);

  void add(const std::shared_ptr<WsSession>& session);
  void remove(std::uint64_t id);
  std::size_t size() const;

  /// Queues every WebSocket message of `changes` to every session.
  void publish(const store::ChangeSet& changes);
  /// Queues every message of a feed batch to every session.
  void publish(const FeedBatch& batch);

  /// Live sessions (copied under the lock).
  std::vector<std::shared_ptr<WsSession>> sessions() const;

  /// Closes every session with `status`, and every session added later too.
  void close_all(std::uint16_t status);
  /// Runs `check` on every session; returns how many were dropped.
  std::size_t sweep(std::chrono::steady_clock::time_point now);

 private:
  /// Delivers `messages` to every live session through the lanes.
  void fan_out(WsSession::Messages messages, std::uint64_t version,
               std::shared_ptr<const std::string> resync);

  infra::Gauge* clients_gauge_;
  std::vector<boost::asio::strand<infra::Executor>> lanes_;
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<WsSession>> sessions_;
  std::optional<std::uint16_t> closing_;  ///< set by close_all
};

}  // namespace lottery::server
