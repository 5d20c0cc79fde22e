// SPDX-License-Identifier: Apache-2.0
#pragma once
// The bounded per-WebSocket-session send queue and its slow-consumer policy.
// Pure (no I/O, no locking): the session guards it with its own mutex.
//
// Policy when a push finds the queue full:
// 1. coalesce: of the *state* messages (round, participants, config,
//    operator status, snapshot), only the newest of each type is kept, since
//    each replaces the previous one completely;
// 2. if still full, the queue holds deltas (activity, history, reorg) the
//    client is too slow to take: everything queued is replaced by one
//    `snapshot` message of the current state ("resync"), so the client gets
//    the newest state instead of a backlog;
// 3. a session that needs `max_resyncs` resyncs without once draining its
//    queue is stuck: the push reports it and the session closes with 1008.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lottery::server {

/// What a queued WebSocket message is.
enum class MessageKind : std::uint8_t {
  kSnapshot,
  kPong,
  kRound,
  kParticipants,
  kConfig,
  kOperatorStatus,
  kHistory,
  kActivity,
  kReorg,
};

/// The shared `{"type":"pong"}` message.
const std::shared_ptr<const std::string>& pong_message();

/// True for kinds whose newest message supersedes older ones of the same kind.
bool is_state_kind(MessageKind kind) noexcept;

struct QueuedMessage {
  MessageKind kind = MessageKind::kRound;
  /// The store version the message reflects (0 for pongs).
  std::uint64_t version = 0;
  std::shared_ptr<const std::string> text;
};

class SendQueue {
 public:
  explicit SendQueue(std::size_t capacity = 64, std::size_t max_resyncs = 8);

  struct PushResult {
    std::size_t dropped = 0;  ///< messages removed to make room
    bool resynced = false;    ///< the queue was replaced by a snapshot
    bool stuck = false;       ///< too many resyncs without draining: close the session
  };

  /// Appends `message`. `resync` is the snapshot message of the current state,
  /// used when coalescing is not enough (may be null: then the oldest
  /// messages are dropped instead).
  PushResult push(QueuedMessage message, const std::shared_ptr<const std::string>& resync,
                  std::uint64_t resync_version);

  /// Puts the connect-time snapshot first and drops queued messages it
  /// already contains (version <= `version`); later pushes of such old
  /// versions are ignored too.
  void set_initial_snapshot(std::shared_ptr<const std::string> text, std::uint64_t version);

  /// The next message to send, or nullopt when empty. Emptying the queue
  /// resets the resync count.
  std::optional<QueuedMessage> pop();

  std::size_t size() const noexcept { return queue_.size(); }
  bool empty() const noexcept { return queue_.empty(); }
  std::size_t capacity() const noexcept { return capacity_; }
  std::size_t resyncs() const noexcept { return resyncs_; }

 private:
  std::size_t coalesce();

  std::size_t capacity_;
  std::size_t max_resyncs_;
  std::size_t resyncs_ = 0;
  std::uint64_t floor_version_ = 0;  ///< messages at or below this are stale
  bool has_floor_ = false;
  // A vector, not a deque: an idle session's queue is empty most of the
  // time, and libstdc++'s deque allocates a 512-byte block even then (at
  // 10,000 clients that is 5 MB). The queue is short (capacity + 1), so
  // removing from the front is cheap.
  std::vector<QueuedMessage> queue_;
};

}  // namespace lottery::server
