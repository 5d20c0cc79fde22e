// SPDX-License-Identifier: Apache-2.0
#include "operation/decision.hpp"

#include "contract/calls.hpp"
#include "refund_progress.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lottery::operation {
namespace {

using store::RoundState;

// endTime 1000, draw window [1005, 1180] (the contract's defaults: +5 s, +180 s).
store::Round round_in(RoundState state, std::uint64_t players) {
  store::Round r;
  r.round_id = 7;
  r.start_time = 820;
  r.end_time = 1000;
  r.min_draw_time = 1005;
  r.max_draw_time = 1180;
  r.participant_count = players;
  r.total_pot = players * 1'000'000'000'000'000ULL;
  r.state = state;
  return r;
}

struct Row {
  std::string name;
  RoundState state;
  std::uint64_t players;
  std::uint64_t t;
  Action expected;
};

TEST(Decide, Table) {
  const std::vector<Row> rows = {
      // BETTING with players, every boundary of the window.
      {"betting, t = endTime", RoundState::kBetting, 2, 1000, Action::kNone},
      {"betting, t = minDrawTime - 1", RoundState::kBetting, 2, 1004, Action::kNone},
      {"betting, t = minDrawTime", RoundState::kBetting, 2, 1005, Action::kDrawWinner},
      {"betting, inside the window", RoundState::kBetting, 3, 1100, Action::kDrawWinner},
      {"betting, t = maxDrawTime", RoundState::kBetting, 2, 1180, Action::kDrawWinner},
      {"betting, t = maxDrawTime + 1", RoundState::kBetting, 2, 1181, Action::kRefundExpired},
      {"betting, long after", RoundState::kBetting, 2, 99'999, Action::kRefundExpired},
      // One player: still drawWinner (the contract refunds "Insufficient participants").
      {"betting, one player in the window", RoundState::kBetting, 1, 1005, Action::kDrawWinner},
      // Empty pot: closed as soon as endTime has passed, with refundExpiredRound().
      {"empty, before endTime", RoundState::kBetting, 0, 999, Action::kNone},
      {"empty, t = endTime", RoundState::kBetting, 0, 1000, Action::kNone},
      {"empty, t = endTime + 1", RoundState::kBetting, 0, 1001, Action::kRefundExpired},
      {"empty, inside the draw window", RoundState::kBetting, 0, 1100, Action::kRefundExpired},
      {"empty, after maxDrawTime", RoundState::kBetting, 0, 1181, Action::kRefundExpired},
      // Other states never act, whatever the time.
      {"waiting", RoundState::kWaiting, 0, 1100, Action::kNone},
      {"waiting after max", RoundState::kWaiting, 0, 5000, Action::kNone},
      {"drawing in window", RoundState::kDrawing, 2, 1100, Action::kNone},
      {"drawing after max", RoundState::kDrawing, 2, 1181, Action::kNone},
      {"completed", RoundState::kCompleted, 2, 1100, Action::kNone},
      {"completed after max", RoundState::kCompleted, 2, 1181, Action::kNone},
      {"refunded", RoundState::kRefunded, 2, 1181, Action::kNone},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(decide(round_in(row.state, row.players), row.t), row.expected) << row.name;
  }
}

TEST(Decide, CallDataMatchesTheContractBinding) {
  EXPECT_EQ(action_call_data(Action::kDrawWinner), contract::draw_winner_call());
  EXPECT_EQ(action_call_data(Action::kRefundExpired), contract::refund_expired_round_call());
  EXPECT_TRUE(action_call_data(Action::kNone).empty());
  // Selectors as `cast sig` prints them.
  const eth::Bytes draw{0xb2, 0x18, 0x5b, 0xb1};
  const eth::Bytes refund{0xde, 0xf2, 0x0d, 0xaf};
  EXPECT_EQ(action_call_data(Action::kDrawWinner), draw);
  EXPECT_EQ(action_call_data(Action::kRefundExpired), refund);
  EXPECT_EQ(action_name(Action::kDrawWinner), "draw_winner");
  EXPECT_EQ(action_name(Action::kRefundExpired), "refund_expired_round");
  EXPECT_EQ(action_name(Action::kNone), "none");
}

TEST(DecideRefund, TheOldestUnfinishedBatchedRefundIsContinued) {
  using Refunds = std::vector<store::RefundProgress>;
  EXPECT_EQ(decide_refund(Refunds{}), Decision{});
  // Complete ones are skipped (the follower may hand one over before the store drops it).
  EXPECT_EQ(decide_refund(Refunds{refund_of(4, 300, 300)}), Decision{});
  EXPECT_EQ(decide_refund(Refunds{refund_of(4, 300, 250)}),
            (Decision{Action::kContinueRefund, 4, 250}));
  // Oldest round first, whatever the order given.
  EXPECT_EQ(decide_refund(Refunds{refund_of(6, 600, 500), refund_of(5, 260, 250)}),
            (Decision{Action::kContinueRefund, 5, 250}));
  EXPECT_EQ(decide_refund(Refunds{refund_of(5, 260, 260), refund_of(6, 600, 500)}),
            (Decision{Action::kContinueRefund, 6, 500}));
}

TEST(DecideRefund, TheCurrentRoundComesFirstThenTheRefund) {
  const std::vector<store::RefundProgress> pending{refund_of(6, 400, 250)};
  struct Case {
    std::string name;
    store::Round round;
    std::uint64_t t;
    Decision expected;
  };
  const std::vector<Case> cases = {
      {"waiting round: continue the refund", round_in(RoundState::kWaiting, 0), 1100,
       Decision{Action::kContinueRefund, 6, 250}},
      {"betting before the window: continue the refund", round_in(RoundState::kBetting, 2), 1000,
       Decision{Action::kContinueRefund, 6, 250}},
      {"draw window open: draw first", round_in(RoundState::kBetting, 2), 1005,
       Decision{Action::kDrawWinner, 7, 0}},
      {"expired: refund the current round first", round_in(RoundState::kBetting, 2), 1181,
       Decision{Action::kRefundExpired, 7, 0}},
  };
  for (const auto& c : cases) EXPECT_EQ(decide(c.round, pending, c.t), c.expected) << c.name;
  // Without pending refunds the full table is the round table with the round's id.
  EXPECT_EQ(decide(round_in(RoundState::kWaiting, 0), {}, 1100), Decision{});
  EXPECT_EQ(decide(round_in(RoundState::kBetting, 2), {}, 1005),
            (Decision{Action::kDrawWinner, 7, 0}));
}

TEST(DecideRefund, CallDataNamesTheRound) {
  EXPECT_EQ(action_call_data(Action::kContinueRefund, 6), contract::continue_refund_call(6));
  // `cast calldata "continueRefund(uint256)" 6`
  const eth::Bytes expected = {0x97, 0x4e, 0x00, 0x8e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                               0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6};
  EXPECT_EQ(action_call_data(Action::kContinueRefund, 6), expected);
  EXPECT_EQ(action_name(Action::kContinueRefund), "continue_refund");
}

}  // namespace
}  // namespace lottery::operation
