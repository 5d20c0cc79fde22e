// SPDX-License-Identifier: Apache-2.0
#pragma once
// Per-client-IP token buckets for POST routes and WebSocket upgrades.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace lottery::server {

/// Token bucket per key (client IP): `per_minute` tokens refill evenly over a
/// minute, and a full bucket holds `burst` tokens. Thread-safe. Memory is
/// bounded: when more than `max_keys` clients are tracked, buckets that have
/// refilled completely (idle clients) are forgotten; if that is not enough the
/// oldest-touched half goes.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;

  /// `per_minute` 0 disables limiting. `burst` 0 means `per_minute`.
  explicit RateLimiter(std::uint32_t per_minute, std::uint32_t burst = 0,
                       std::size_t max_keys = 10000, Now now = {});

  /// The outcome of one request.
  struct Decision {
    bool allowed = true;
    /// When refused: whole seconds until a token is available (at least 1).
    std::uint32_t retry_after_s = 0;
  };

  /// Takes one token for `key` if there is one.
  Decision take(std::string_view key);

  std::size_t tracked() const;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  void evict(Clock::time_point now);

  double per_second_;
  double burst_;
  std::size_t max_keys_;
  Now now_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace lottery::server
