// SPDX-License-Identifier: Apache-2.0
#include "infra/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace lottery::infra {

std::chrono::milliseconds backoff_ceiling(const BackoffPolicy& policy,
                                          std::uint32_t attempt) noexcept {
  const double cap = static_cast<double>(std::max<std::int64_t>(0, policy.max_delay.count()));
  const double initial =
      static_cast<double>(std::max<std::int64_t>(0, policy.initial_delay.count()));
  const double multiplier = std::max(1.0, policy.multiplier);
  // pow can overflow to inf for large attempts; min() with the cap keeps it finite.
  const double raw = initial * std::pow(multiplier, static_cast<double>(attempt));
  const double bounded = std::isfinite(raw) ? std::min(raw, cap) : cap;
  return std::chrono::milliseconds{static_cast<std::int64_t>(bounded)};
}

Backoff::Backoff(BackoffPolicy policy, std::uint64_t seed) : policy_(policy), rng_(seed) {}

std::chrono::milliseconds Backoff::next() {
  const auto ceiling = backoff_ceiling(policy_, attempt_);
  if (attempt_ < UINT32_MAX) ++attempt_;
  std::uniform_int_distribution<std::int64_t> dist(0, ceiling.count());
  return std::chrono::milliseconds{dist(rng_)};
}

}  // namespace lottery::infra
