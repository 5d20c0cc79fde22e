// SPDX-License-Identifier: Apache-2.0
#include "infra/backoff.hpp"

#include <gtest/gtest.h>

#include <set>

using lottery::infra::Backoff;
using lottery::infra::backoff_ceiling;
using lottery::infra::BackoffPolicy;
using std::chrono::milliseconds;

TEST(Backoff, CeilingGrowsExponentiallyAndIsCapped) {
  const BackoffPolicy policy{milliseconds{100}, milliseconds{5000}, 2.0};
  EXPECT_EQ(backoff_ceiling(policy, 0), milliseconds{100});
  EXPECT_EQ(backoff_ceiling(policy, 1), milliseconds{200});
  EXPECT_EQ(backoff_ceiling(policy, 3), milliseconds{800});
  EXPECT_EQ(backoff_ceiling(policy, 6), milliseconds{5000});
  EXPECT_EQ(backoff_ceiling(policy, 1000), milliseconds{5000});
  EXPECT_EQ(backoff_ceiling(policy, UINT32_MAX), milliseconds{5000});
}

TEST(Backoff, DegeneratePoliciesStayBounded) {
  EXPECT_EQ(backoff_ceiling({milliseconds{100}, milliseconds{50}, 2.0}, 0), milliseconds{50});
  EXPECT_EQ(backoff_ceiling({milliseconds{100}, milliseconds{1000}, 0.5}, 5), milliseconds{100});
  EXPECT_EQ(backoff_ceiling({milliseconds{-5}, milliseconds{1000}, 2.0}, 5), milliseconds{0});
}

TEST(Backoff, JitteredDelaysStayWithinCeilingAndSpread) {
  const BackoffPolicy policy{milliseconds{100}, milliseconds{2000}, 2.0};
  Backoff backoff(policy, 42);
  for (std::uint32_t attempt = 0; attempt < 50; ++attempt) {
    const auto delay = backoff.next();
    EXPECT_GE(delay.count(), 0);
    EXPECT_LE(delay, backoff_ceiling(policy, attempt));
  }
  EXPECT_EQ(backoff.attempts(), 50u);
  backoff.reset();
  EXPECT_EQ(backoff.attempts(), 0u);

  // Full jitter: at a 2 s ceiling, 200 draws must not all be equal.
  Backoff spread(policy, 7);
  for (int i = 0; i < 10; ++i) spread.next();
  std::set<long long> seen;
  for (int i = 0; i < 200; ++i) seen.insert(spread.next().count());
  EXPECT_GT(seen.size(), 50u);
}
