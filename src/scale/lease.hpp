// SPDX-License-Identifier: Apache-2.0
#pragma once

// The leader lease (SPEC §10): one replica at a time may send operator transactions.
//
// In Redis: `<prefix>:leader` = "<replica id> <token>" with a TTL of the lease, taken with
// SET NX PX (inside a script that first draws the token with INCR on `<prefix>:leader:token`, so
// tokens only grow, and never below the highest token this replica has seen, so a Redis that lost
// its data does not hand out old tokens again). The holder renews every lease/3 with a
// compare-and-PEXPIRE script; a follower tries to take it every lease/3.
//
// Locally: the lease counts as held until `sent + lease − safety`, where `sent` is when the last
// successful acquire/renew command was *sent* (Redis started the TTL later than that, so the local
// deadline never outlives the key). The operator's gate asks `token()` (held and within that
// deadline); right before every eth_sendRawTransaction the fence `confirm(token)` reads the key
// back from Redis and requires our exact value: a replica whose key expired or was taken over
// cannot send, even if its own clock says the lease is still valid.

#include "infra/task.hpp"
#include "scale/redis_connection.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace lottery::scale {

/// Every Redis key and channel of one deployment, from REDIS_KEY_PREFIX.
struct Keys {
  std::string lease;     ///< "<prefix>:leader"
  std::string token;     ///< "<prefix>:leader:token" (fencing counter)
  std::string seq;       ///< "<prefix>:feed:seq" (fan-out sequence)
  std::string snapshot;  ///< "<prefix>:feed:snapshot" (latest reset frame)
  std::string channel;   ///< "<prefix>:feed" (pub/sub channel)
  static Keys from_prefix(std::string_view prefix);
};

/// "<replica id> <token>" → token; nullopt when malformed.
std::optional<std::uint64_t> token_of(std::string_view lease_value) noexcept;
/// "<replica id> <token>" → replica id ("" when malformed).
std::string_view holder_of(std::string_view lease_value) noexcept;

/// The local view of a lease. Pure and not thread-safe (LeaderLease guards it).
class LeaseState {
 public:
  using Clock = std::chrono::steady_clock;
  LeaseState(std::chrono::milliseconds lease, std::chrono::milliseconds safety);

  /// We took the lease with `value` ("<id> <token>") by a command sent at `sent`.
  void acquired(std::uint64_t token, std::string value, Clock::time_point sent);
  /// A renewal sent at `sent` succeeded.
  void renewed(Clock::time_point sent);
  /// Redis said the key is not ours any more (or we released it).
  void lost();

  /// The fencing token while the lease is held and locally valid at `now`.
  std::optional<std::uint64_t> token(Clock::time_point now) const;
  /// True while we believe we hold the key (even past the local deadline: we still try to renew).
  bool holding() const noexcept { return !value_.empty(); }
  const std::string& value() const noexcept { return value_; }
  std::uint64_t held_token() const noexcept { return token_; }
  Clock::time_point valid_until() const noexcept { return valid_until_; }

 private:
  std::chrono::milliseconds lease_;
  std::chrono::milliseconds safety_;
  std::string value_;
  std::uint64_t token_ = 0;
  Clock::time_point valid_until_{};
};

struct LeaseOptions {
  std::chrono::milliseconds lease{10'000};  ///< REDIS_LEASE_SECONDS
  std::string replica_id;                   ///< unique per process, no spaces
  Keys keys;
};

/// What /api/health and the metrics show.
struct LeaseStatus {
  bool leader = false;                 ///< holding and locally valid now
  bool redis_up = false;               ///< the last lease command got an answer
  std::optional<std::uint64_t> token;  ///< ours, while leader
  std::string leader_id;               ///< the holder as last seen ("" = none or unknown)
  std::uint64_t leader_token = 0;      ///< the holder's token as last seen
  std::uint64_t acquisitions = 0;
  std::uint64_t losses = 0;
  std::uint64_t redis_errors = 0;
  std::uint64_t fence_refusals = 0;  ///< sends the fence refused
};

class LeaderLease {
 public:
  /// `client` must outlive the lease.
  LeaderLease(RedisClient& client, LeaseOptions options);

  /// Called (on the lease's coroutine) each time this replica becomes leader, with the new token.
  void on_acquired(std::function<void(std::uint64_t token)> callback);

  /// Acquires / renews until cancelled. Errors are logged and retried; never throws except
  /// cancellation.
  infra::Task<void> run();

  /// The operator's gate: the token while this replica holds a valid lease. Any thread, no I/O.
  std::optional<std::uint64_t> token() const;
  /// The value we hold ("<id> <token>"), "" when none. Any thread.
  std::string value() const;
  /// The pre-send fence: true when Redis still holds our lease with `token` and it is locally
  /// valid. Never throws (Redis errors mean false).
  infra::Task<bool> confirm(std::uint64_t token);
  /// Gives the lease up (graceful shutdown) so a follower takes over at once. Never throws.
  infra::Task<void> release();

  LeaseStatus status() const;
  const LeaseOptions& options() const noexcept { return options_; }
  /// How long one lease command may take.
  std::chrono::milliseconds command_timeout() const noexcept;

 private:
  infra::Task<void> step();

  RedisClient& client_;
  LeaseOptions options_;
  std::function<void(std::uint64_t)> on_acquired_;
  mutable std::mutex mutex_;
  LeaseState state_;                      // guarded by mutex_
  LeaseStatus counters_;                  // guarded by mutex_ (leader/token filled in by status())
  std::uint64_t highest_token_seen_ = 0;  // guarded by mutex_
  std::string last_error_;                // lease coroutine only
  LeaseState::Clock::time_point last_error_log_{};
};

}  // namespace lottery::scale
