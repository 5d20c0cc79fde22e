// SPDX-License-Identifier: Apache-2.0
#include "rpc/health.hpp"

#include <algorithm>
#include <stdexcept>

namespace lottery::rpc {

HealthTracker::HealthTracker(std::vector<std::string> labels, HealthOptions options)
    : options_(options) {
  if (labels.empty()) throw std::invalid_argument("at least one RPC endpoint is required");
  entries_.resize(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) entries_[i].stats.label = std::move(labels[i]);
}

void HealthTracker::record_success(std::size_t index, std::chrono::milliseconds latency) {
  auto& e = entries_.at(index);
  ++e.stats.requests;
  e.stats.consecutive_errors = 0;
  e.resting_until = {};
  const double sample = static_cast<double>(latency.count());
  e.stats.latency_ms = e.has_latency ? (1.0 - options_.latency_alpha) * e.stats.latency_ms +
                                           options_.latency_alpha * sample
                                     : sample;
  e.has_latency = true;
}

void HealthTracker::record_failure(std::size_t index, RpcErrc kind, const std::string& message,
                                   HealthClock::time_point now) {
  auto& e = entries_.at(index);
  ++e.stats.requests;
  ++e.stats.errors;
  if (e.stats.consecutive_errors < 30) ++e.stats.consecutive_errors;
  e.stats.last_error = std::string(to_string(kind)) + ": " + message;
  const auto shift = std::min<std::uint32_t>(e.stats.consecutive_errors - 1, 16);
  auto rest = options_.cooldown * (std::int64_t{1} << shift);
  rest = std::min(rest, options_.max_cooldown);
  e.resting_until = now + rest;
}

void HealthTracker::record_head(std::size_t index, std::uint64_t head) {
  auto& e = entries_.at(index);
  // Heads only move forward per endpoint, except in a reorg to a shorter
  // chain, which is rare and self-corrects on the next head.
  e.stats.head = head;
}

std::optional<std::uint64_t> HealthTracker::best_head() const {
  std::optional<std::uint64_t> best;
  for (const auto& e : entries_) {
    if (e.stats.head && (!best || *e.stats.head > *best)) best = e.stats.head;
  }
  return best;
}

int HealthTracker::tier(const Entry& e, HealthClock::time_point now) const {
  if (e.stats.consecutive_errors > 0 && now < e.resting_until) return 2;
  const auto best = best_head();
  const bool lagging = best && (!e.stats.head || *best - *e.stats.head > options_.max_head_lag);
  const bool slow =
      e.has_latency && e.stats.latency_ms > static_cast<double>(options_.slow_latency.count());
  return (lagging || slow) ? 1 : 0;
}

std::vector<std::size_t> HealthTracker::order(HealthClock::time_point now) const {
  std::vector<std::size_t> idx(entries_.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    const int ta = tier(entries_[a], now);
    const int tb = tier(entries_[b], now);
    if (ta != tb) return ta < tb;
    if (ta == 2) return entries_[a].resting_until < entries_[b].resting_until;
    return a < b;
  });
  return idx;
}

std::vector<EndpointStats> HealthTracker::stats(HealthClock::time_point now) const {
  std::vector<EndpointStats> out;
  out.reserve(entries_.size());
  const auto best = best_head();
  for (const auto& e : entries_) {
    auto s = e.stats;
    s.available = !(e.stats.consecutive_errors > 0 && now < e.resting_until);
    s.lagging = best && (!e.stats.head || *best - *e.stats.head > options_.max_head_lag);
    s.slow =
        e.has_latency && e.stats.latency_ms > static_cast<double>(options_.slow_latency.count());
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace lottery::rpc
