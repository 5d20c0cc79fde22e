// SPDX-License-Identifier: Apache-2.0
#include "scale/lease.hpp"

#include <gtest/gtest.h>

namespace lottery::scale {
namespace {

using namespace std::chrono_literals;
using Clock = LeaseState::Clock;

TEST(LeaseValue, TokenAndHolder) {
  EXPECT_EQ(token_of("pod-a-12-abcd 42"), 42U);
  EXPECT_EQ(holder_of("pod-a-12-abcd 42"), "pod-a-12-abcd");
  EXPECT_FALSE(token_of("pod-a"));
  EXPECT_FALSE(token_of(" 42"));
  EXPECT_FALSE(token_of("pod 4x"));
  EXPECT_FALSE(token_of("pod "));
  EXPECT_EQ(holder_of("pod 4x"), "");
  EXPECT_EQ(holder_of(""), "");
}

TEST(LeaseKeys, FromPrefix) {
  const Keys k = Keys::from_prefix("lot");
  EXPECT_EQ(k.lease, "lot:leader");
  EXPECT_EQ(k.token, "lot:leader:token");
  EXPECT_EQ(k.seq, "lot:feed:seq");
  EXPECT_EQ(k.snapshot, "lot:feed:snapshot");
  EXPECT_EQ(k.channel, "lot:feed");
}

TEST(LeaseState, ValidUntilSentPlusLeaseMinusSafety) {
  LeaseState s(2000ms, 200ms);
  const auto t0 = Clock::now();
  EXPECT_FALSE(s.token(t0));
  EXPECT_FALSE(s.holding());

  s.acquired(7, "me 7", t0);
  EXPECT_TRUE(s.holding());
  EXPECT_EQ(s.token(t0), 7U);
  EXPECT_EQ(s.token(t0 + 1799ms), 7U);
  EXPECT_FALSE(s.token(t0 + 1800ms));  // the local deadline ends before Redis' TTL
  EXPECT_TRUE(s.holding());            // still ours to renew
  EXPECT_EQ(s.value(), "me 7");
}

TEST(LeaseState, RenewalMovesTheDeadlineForwardOnly) {
  LeaseState s(3000ms, 300ms);
  const auto t0 = Clock::now();
  s.acquired(1, "me 1", t0);
  s.renewed(t0 + 1000ms);
  EXPECT_EQ(s.valid_until(), t0 + 3700ms);
  s.renewed(t0 + 500ms);  // an older renewal answered late
  EXPECT_EQ(s.valid_until(), t0 + 3700ms);
  EXPECT_EQ(s.token(t0 + 3699ms), 1U);
  EXPECT_FALSE(s.token(t0 + 3700ms));
}

TEST(LeaseState, LostEndsAtOnceAndRenewalCannotRevive) {
  LeaseState s(2000ms, 100ms);
  const auto t0 = Clock::now();
  s.acquired(3, "me 3", t0);
  s.lost();
  EXPECT_FALSE(s.token(t0));
  EXPECT_FALSE(s.holding());
  s.renewed(t0);
  EXPECT_FALSE(s.token(t0));
}

TEST(LeaseState, SafetyCappedAtHalfTheLease) {
  LeaseState s(1000ms, 5000ms);
  const auto t0 = Clock::now();
  s.acquired(1, "me 1", t0);
  EXPECT_EQ(s.valid_until(), t0 + 500ms);
}

}  // namespace
}  // namespace lottery::scale
