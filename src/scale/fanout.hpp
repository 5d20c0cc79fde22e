// SPDX-License-Identifier: Apache-2.0
#pragma once

// WebSocket fan-out across replicas (SPEC §10), as a `server::WsFeed`.
//
// Every replica follows the chain itself, but only the leader *publishes*: each commit of its store
// that carries WebSocket messages becomes one frame (frame.hpp) that a Redis script numbers (INCR),
// stores as the latest snapshot and PUBLISHes — all only while the script sees our lease value, so
// a deposed leader cannot publish. Every replica, the leader included, *relays* the channel to its
// own clients, so every client of every replica gets the same messages in the same order, each
// once. A replica that misses a frame (seq gap) sends the snapshot carried by the next one; a
// replica that (re)subscribes starts from the stored snapshot; a new leader first publishes a
// reset (its full snapshot), so nothing a dead leader did not publish is lost.
//
// Without Redis (not reachable, or the subscription broke) the replica serves its own store's
// commits ("local" mode), as one process does; every switch between local and relay sends clients
// a fresh snapshot.

#include "infra/task.hpp"
#include "scale/frame.hpp"
#include "scale/lease.hpp"
#include "scale/redis_connection.hpp"
#include "server/ws.hpp"
#include "store/store.hpp"

#include <boost/asio/experimental/concurrent_channel.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lottery::scale {

/// The server's message kind for a feed type ("round_update" → kRound, "snapshot" → kSnapshot).
std::optional<server::MessageKind> message_kind_of(std::string_view type) noexcept;

/// How a replica's fan-out decides what to do with an incoming frame, given the last sequence
/// number it relayed (0: none since it subscribed). Pure.
enum class FrameVerdict : std::uint8_t {
  kRelay,   ///< the next frame: relay its messages
  kResync,  ///< a gap (or the first frame, or a reset): send its snapshot instead
  kStale,   ///< already covered: drop
};
FrameVerdict judge_frame(std::uint64_t last_seq, const Frame& frame) noexcept;

struct FanoutOptions {
  Keys keys;
  RedisEndpoint endpoint;
  std::chrono::milliseconds heartbeat{1000};        ///< PING on the subscription after silence
  std::chrono::milliseconds command_timeout{1000};  ///< per Redis command
  std::size_t max_backlog = 64;  ///< more queued commits than this: publish one reset instead
};

struct FanoutStats {
  bool relaying = false;  ///< true: clients get the leader's stream; false: this store's commits
  std::uint64_t last_seq = 0;
  std::uint64_t published = 0;  ///< frames this replica published (as leader)
  std::uint64_t relayed = 0;    ///< frames relayed to this replica's clients
  std::uint64_t resyncs = 0;    ///< snapshots sent to clients (gaps, resets, mode switches)
  std::uint64_t stale = 0;      ///< frames dropped as already covered
  std::uint64_t malformed = 0;  ///< frames that did not parse
  std::uint64_t publish_errors = 0;
};

class Fanout : public server::WsFeed, public std::enable_shared_from_this<Fanout> {
 public:
  /// `client`, `lease` and `store` must outlive the fan-out.
  Fanout(infra::Executor executor, RedisClient& client, LeaderLease& lease, store::Store& store,
         FanoutOptions options);
  ~Fanout() override;

  /// Subscribes to the store (before the server starts).
  void start();
  /// Unsubscribes from the store and stops delivering.
  void stop();
  /// Asks for a reset frame (the lease calls it when this replica becomes leader).
  void request_reset();

  /// Publishes this store's commits while leader. Until cancelled.
  infra::Task<void> run_publisher();
  /// Subscribes to the channel and relays it; falls back to local mode while Redis is away.
  /// Until cancelled.
  infra::Task<void> run_relay();

  // server::WsFeed
  std::pair<std::shared_ptr<const std::string>, std::uint64_t> current() const override;
  void attach(std::function<void(const server::FeedBatch&)> sink) override;

  FanoutStats stats() const;

  /// Handles one frame as received from the channel (public for tests).
  void on_frame(std::string_view payload);
  /// Switches to relay mode from the stored snapshot frame (nullopt: none stored yet).
  void enter_relay(const std::optional<std::string>& stored);
  /// Switches to local mode (Redis lost).
  void enter_local();

 private:
  struct Pending {
    std::vector<std::pair<std::string, std::shared_ptr<const std::string>>> messages;
    std::shared_ptr<const std::string> snapshot;
  };
  void on_commit(const store::ChangeSet& changes);
  /// Caller holds feed_mutex_.
  void deliver_locked(server::FeedBatch batch);
  void resync_locked(std::shared_ptr<const std::string> snapshot);
  infra::Task<bool> publish(const std::string& body, const std::string& snapshot_entry, bool reset);
  infra::Task<void> read_loop(RedisConnection& conn);
  infra::Task<void> heartbeat(RedisConnection& conn);

  infra::Executor executor_;
  RedisClient& client_;
  LeaderLease& lease_;
  store::Store& store_;
  FanoutOptions options_;
  store::Subscription subscription_;

  // The feed towards the server.
  mutable std::mutex feed_mutex_;
  std::function<void(const server::FeedBatch&)> sink_;
  std::uint64_t position_ = 0;
  std::shared_ptr<const std::string> current_;
  bool relaying_ = false;
  std::uint64_t last_seq_ = 0;
  FanoutStats stats_;

  // The publisher's queue.
  std::mutex publish_mutex_;
  std::deque<Pending> pending_;
  bool reset_wanted_ = false;
  using Wake = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;
  Wake wake_;

  std::chrono::steady_clock::time_point last_rx_{};  // relay coroutine only
};

}  // namespace lottery::scale
