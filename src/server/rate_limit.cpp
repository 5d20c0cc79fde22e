// SPDX-License-Identifier: Apache-2.0
#include "server/rate_limit.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace lottery::server {

RateLimiter::RateLimiter(std::uint32_t per_minute, std::uint32_t burst, std::size_t max_keys,
                         Now now)
    : per_second_(per_minute / 60.0),
      burst_(burst == 0 ? static_cast<double>(per_minute) : static_cast<double>(burst)),
      max_keys_(std::max<std::size_t>(max_keys, 1)),
      now_(now ? std::move(now) : Now([] { return Clock::now(); })) {}

RateLimiter::Decision RateLimiter::take(std::string_view key) {
  if (per_second_ <= 0) return {};
  const auto now = now_();
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) evict(now);
    it = buckets_.emplace(std::string(key), Bucket{burst_, now}).first;
  }
  Bucket& bucket = it->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  if (elapsed > 0) {
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
    bucket.updated = now;
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return {};
  }
  const double wait = (1.0 - bucket.tokens) / per_second_;
  return {false, static_cast<std::uint32_t>(std::max(1.0, std::ceil(wait)))};
}

std::size_t RateLimiter::tracked() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void RateLimiter::evict(Clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    if (it->second.tokens + elapsed * per_second_ >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  if (buckets_.size() < max_keys_) return;
  std::vector<Clock::time_point> times;
  times.reserve(buckets_.size());
  for (const auto& [key, bucket] : buckets_) times.push_back(bucket.updated);
  auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
  std::nth_element(times.begin(), middle, times.end());
  const auto cutoff = *middle;
  std::erase_if(buckets_, [&](const auto& entry) { return entry.second.updated <= cutoff; });
}

}  // namespace lottery::server
