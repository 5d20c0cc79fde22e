// SPDX-License-Identifier: Apache-2.0
#include "server/rate_limit.hpp"

#include <gtest/gtest.h>

namespace lottery::server {
namespace {

using namespace std::chrono_literals;

class FakeClock {
 public:
  RateLimiter::Now now() {
    return [this] { return time_; };
  }
  void advance(std::chrono::steady_clock::duration d) { time_ += d; }

 private:
  std::chrono::steady_clock::time_point time_{std::chrono::hours(1)};
};

TEST(RateLimiter, BurstThenRefill) {
  FakeClock clock;
  RateLimiter limiter(60, 3, 100, clock.now());  // one token per second, burst 3
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.take("1.2.3.4").allowed) << i;
  auto refused = limiter.take("1.2.3.4");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_s, 1u);
  clock.advance(500ms);
  EXPECT_FALSE(limiter.take("1.2.3.4").allowed);
  clock.advance(600ms);
  EXPECT_TRUE(limiter.take("1.2.3.4").allowed);
  EXPECT_FALSE(limiter.take("1.2.3.4").allowed);
  // Refill never exceeds the burst.
  clock.advance(1h);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.take("1.2.3.4").allowed);
  EXPECT_FALSE(limiter.take("1.2.3.4").allowed);
}

TEST(RateLimiter, KeysAreIndependent) {
  FakeClock clock;
  RateLimiter limiter(6, 1, 100, clock.now());
  EXPECT_TRUE(limiter.take("a").allowed);
  EXPECT_FALSE(limiter.take("a").allowed);
  EXPECT_TRUE(limiter.take("b").allowed);
  // 6 per minute: the next token in 10 s.
  EXPECT_EQ(limiter.take("a").retry_after_s, 10u);
}

TEST(RateLimiter, ZeroDisables) {
  RateLimiter limiter(0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.take("x").allowed);
  EXPECT_EQ(limiter.tracked(), 0u);
}

TEST(RateLimiter, MemoryIsBounded) {
  FakeClock clock;
  RateLimiter limiter(60, 2, 10, clock.now());
  for (int i = 0; i < 100; ++i) {
    limiter.take("10.0.0." + std::to_string(i));
    clock.advance(10ms);
  }
  EXPECT_LE(limiter.tracked(), 10u);
  EXPECT_GE(limiter.tracked(), 1u);
  // A client that was evicted starts again with a full bucket, never worse.
  clock.advance(1h);
  EXPECT_TRUE(limiter.take("10.0.0.0").allowed);
}

}  // namespace
}  // namespace lottery::server
