// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "rpc/error.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lottery::rpc {

using HealthClock = std::chrono::steady_clock;

struct HealthOptions {
  /// An endpoint whose head is more than this many blocks behind the best
  /// head seen on any endpoint is "lagging" and only used when nothing better is.
  std::uint64_t max_head_lag = 3;
  /// After a failure the endpoint rests for cooldown * 2^(consecutive failures - 1),
  /// capped at max_cooldown; then it gets one trial request again.
  std::chrono::milliseconds cooldown{2'000};
  std::chrono::milliseconds max_cooldown{60'000};
  /// Average latency above this demotes an endpoint like lag does.
  std::chrono::milliseconds slow_latency{3'000};
  /// Weight of the newest sample in the latency average.
  double latency_alpha = 0.3;
};

/// Per-endpoint numbers for metrics and /api/health.
struct EndpointStats {
  std::string label;  ///< redacted URL
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  std::uint32_t consecutive_errors = 0;
  double latency_ms = 0;  ///< moving average of successful requests
  std::optional<std::uint64_t> head;
  std::string last_error;
  bool available = true;  ///< not resting after failures
  bool lagging = false;
  bool slow = false;
};

/// Decides which endpoint to use. Pure logic with the clock passed in, so it
/// is tested without sockets; the client guards it with a mutex.
///
/// Preference: available + in sync + fast endpoints first, in configured
/// order (the first URL is the operator's primary, and the client returns to
/// it once it recovers); then lagging or slow ones; then resting ones, the
/// one that rests the shortest first.
class HealthTracker {
 public:
  HealthTracker(std::vector<std::string> labels, HealthOptions options = {});

  void record_success(std::size_t index, std::chrono::milliseconds latency);
  void record_failure(std::size_t index, RpcErrc kind, const std::string& message,
                      HealthClock::time_point now);
  void record_head(std::size_t index, std::uint64_t head);

  /// Endpoint indices, most preferred first.
  std::vector<std::size_t> order(HealthClock::time_point now) const;
  std::size_t pick(HealthClock::time_point now) const { return order(now).front(); }

  std::optional<std::uint64_t> best_head() const;
  std::vector<EndpointStats> stats(HealthClock::time_point now) const;
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    EndpointStats stats;
    HealthClock::time_point resting_until{};
    bool has_latency = false;
  };
  int tier(const Entry& e, HealthClock::time_point now) const;

  HealthOptions options_;
  std::vector<Entry> entries_;
};

}  // namespace lottery::rpc
