// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace lottery::infra {

/// Exponential backoff with "full jitter": the n-th delay (n from 0) is drawn
/// uniformly from [0, min(max_delay, initial_delay * multiplier^n)].
/// Full jitter spreads retries of many clients that failed at the same moment
/// (a node restart) instead of making them retry in lock-step.
struct BackoffPolicy {
  std::chrono::milliseconds initial_delay{100};
  std::chrono::milliseconds max_delay{10'000};
  double multiplier = 2.0;
};

/// The upper bound of the jittered delay for attempt `attempt` (0-based):
/// `min(max_delay, initial_delay * multiplier^attempt)`, never negative and
/// never above `max_delay`, even for huge `attempt`.
std::chrono::milliseconds backoff_ceiling(const BackoffPolicy& policy,
                                          std::uint32_t attempt) noexcept;

/// Stateful backoff: each `next()` returns the next jittered delay and
/// advances the attempt counter; `reset()` after a success. Not thread-safe;
/// one instance per retry loop.
class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy = {}, std::uint64_t seed = std::random_device{}());

  /// A delay in [0, backoff_ceiling(policy, attempts())], then attempts()+1.
  std::chrono::milliseconds next();
  void reset() noexcept { attempt_ = 0; }
  std::uint32_t attempts() const noexcept { return attempt_; }
  const BackoffPolicy& policy() const noexcept { return policy_; }

 private:
  BackoffPolicy policy_;
  std::uint32_t attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace lottery::infra
