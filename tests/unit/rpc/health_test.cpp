// SPDX-License-Identifier: Apache-2.0
#include "rpc/health.hpp"

#include <gtest/gtest.h>

using namespace lottery::rpc;
using namespace std::chrono_literals;

namespace {
HealthTracker make(std::size_t n, HealthOptions options = {}) {
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < n; ++i) labels.push_back("ep" + std::to_string(i));
  return HealthTracker(labels, options);
}
}  // namespace

TEST(HealthTracker, PrefersConfiguredOrderWhenAllHealthy) {
  auto h = make(3);
  const auto now = HealthClock::now();
  EXPECT_EQ(h.order(now), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_THROW(make(0), std::invalid_argument);
}

TEST(HealthTracker, FailureRestsEndpointWithGrowingCooldownThenComesBack) {
  HealthOptions options;
  options.cooldown = 1000ms;
  options.max_cooldown = 3000ms;
  auto h = make(2, options);
  const auto t0 = HealthClock::now();
  h.record_failure(0, RpcErrc::kTransport, "connection refused", t0);
  EXPECT_EQ(h.pick(t0), 1u);
  EXPECT_EQ(h.pick(t0 + 999ms), 1u);
  EXPECT_EQ(h.pick(t0 + 1000ms), 0u);  // rested: the primary gets a trial again

  h.record_failure(0, RpcErrc::kTimeout, "slow", t0 + 1000ms);  // second in a row: 2 s
  EXPECT_EQ(h.pick(t0 + 2999ms), 1u);
  EXPECT_EQ(h.pick(t0 + 3000ms), 0u);
  h.record_failure(0, RpcErrc::kTimeout, "slow", t0);  // third: 4 s capped to 3 s
  EXPECT_EQ(h.pick(t0 + 2999ms), 1u);
  EXPECT_EQ(h.pick(t0 + 3000ms), 0u);

  auto stats = h.stats(t0 + 10ms);
  EXPECT_EQ(stats[0].errors, 3u);
  EXPECT_EQ(stats[0].consecutive_errors, 3u);
  EXPECT_FALSE(stats[0].available);
  EXPECT_EQ(stats[0].last_error, "timeout: slow");
  h.record_success(0, 5ms);
  EXPECT_EQ(h.stats(t0).front().consecutive_errors, 0u);
  EXPECT_EQ(h.pick(t0), 0u);
}

TEST(HealthTracker, AllRestingPicksTheOneThatRecoversFirst) {
  auto h = make(3);
  const auto t0 = HealthClock::now();
  h.record_failure(0, RpcErrc::kTransport, "x", t0 + 20ms);
  h.record_failure(1, RpcErrc::kTransport, "x", t0);
  h.record_failure(2, RpcErrc::kTransport, "x", t0 + 10ms);
  EXPECT_EQ(h.order(t0 + 30ms), (std::vector<std::size_t>{1, 2, 0}));
}

TEST(HealthTracker, LaggingHeadIsDemotedUntilItCatchesUp) {
  HealthOptions options;
  options.max_head_lag = 2;
  auto h = make(2, options);
  const auto now = HealthClock::now();
  h.record_head(0, 100);
  h.record_head(1, 103);
  EXPECT_EQ(h.best_head(), 103u);
  EXPECT_EQ(h.pick(now), 1u);
  EXPECT_TRUE(h.stats(now)[0].lagging);
  h.record_head(0, 101);  // lag 2: within bounds
  EXPECT_EQ(h.pick(now), 0u);
  EXPECT_FALSE(h.stats(now)[0].lagging);
}

TEST(HealthTracker, SlowEndpointIsDemotedAndLatencyIsAveraged) {
  HealthOptions options;
  options.slow_latency = 500ms;
  options.latency_alpha = 0.5;
  auto h = make(2, options);
  const auto now = HealthClock::now();
  h.record_success(0, 2000ms);
  h.record_success(1, 10ms);
  EXPECT_EQ(h.pick(now), 1u);
  EXPECT_TRUE(h.stats(now)[0].slow);
  h.record_success(0, 0ms);  // average 1000
  EXPECT_DOUBLE_EQ(h.stats(now)[0].latency_ms, 1000.0);
  h.record_success(0, 0ms);  // 500: not above the limit
  EXPECT_EQ(h.pick(now), 0u);
  EXPECT_EQ(h.stats(now)[0].requests, 3u);
}
