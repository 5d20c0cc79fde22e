// SPDX-License-Identifier: Apache-2.0
#include "operation/intents.hpp"

#include <gtest/gtest.h>

namespace lottery::operation {
namespace {

eth::Hash32 word(std::uint8_t b) {
  eth::Hash32 h{};
  h.fill(b);
  return h;
}

TEST(IntentBook, OneInFlightAndNoDuplicateWhilePendingOrMined) {
  IntentBook book(10);
  EXPECT_EQ(book.pending(), nullptr);
  EXPECT_FALSE(book.covers(1, Action::kDrawWinner));
  Intent& intent = book.open(1, Action::kDrawWinner, 5, 120'000, 100);
  EXPECT_EQ(intent.id, 1u);
  EXPECT_EQ(intent.nonce, 5u);
  EXPECT_TRUE(book.covers(1, Action::kDrawWinner));
  EXPECT_FALSE(book.covers(1, Action::kRefundExpired));
  EXPECT_FALSE(book.covers(2, Action::kDrawWinner));
  EXPECT_THROW(book.open(1, Action::kRefundExpired, 6, 1, 100), std::logic_error);

  intent.attempts.push_back(Attempt{word(1), Fees{}, 100, false});
  intent.attempts.push_back(Attempt{word(2), Fees{}, 103, false});
  EXPECT_EQ(intent.newest_hash(), word(2));
  EXPECT_TRUE(intent.owns(word(1)));
  EXPECT_FALSE(intent.owns(word(3)));
  intent.mined_hash = word(1);
  intent.mined_block = 104;
  intent.mined_block_hash = word(9);
  book.close(IntentState::kMined);
  EXPECT_EQ(book.pending(), nullptr);
  EXPECT_TRUE(book.covers(1, Action::kDrawWinner));  // landed: still no second send
  ASSERT_EQ(book.watched(110).size(), 1u);
  EXPECT_EQ(book.watched(114).size(), 1u);
  EXPECT_EQ(book.watched(115).size(), 0u);  // out of the watch window
  EXPECT_FALSE(book.covers(1, Action::kDrawWinner));
}

TEST(IntentBook, FailedIntentsDoNotCover) {
  IntentBook book;
  for (const auto state :
       {IntentState::kReverted, IntentState::kCancelled, IntentState::kAbandoned}) {
    book.open(3, Action::kRefundExpired, 0, 1, 1);
    book.close(state);
    EXPECT_FALSE(book.covers(3, Action::kRefundExpired)) << intent_state_name(state);
    EXPECT_EQ(book.pending(), nullptr);
  }
  EXPECT_EQ(book.opened(), 3u);
}

TEST(IntentBook, ALandedContinueRefundCoversOnlyTheBatchItPaid) {
  IntentBook book;
  Intent& intent = book.open(6, Action::kContinueRefund, 2, 3'000'000, 70, 250);
  EXPECT_EQ(intent.stage, 250u);
  // In flight: no second continueRefund of that round, whatever progress the store shows.
  EXPECT_TRUE(book.covers(6, Action::kContinueRefund, 250));
  EXPECT_TRUE(book.covers(6, Action::kContinueRefund, 500));
  EXPECT_FALSE(book.covers(5, Action::kContinueRefund, 250));
  intent.attempts.push_back(Attempt{word(3), Fees{}, 70, false});
  intent.mined_hash = word(3);
  intent.mined_block = 71;
  book.close(IntentState::kMined);
  // Landed: the batch it paid is not paid again while the follower still shows the old
  // progress; the next batch (the progress moved) is a new action.
  EXPECT_TRUE(book.covers(6, Action::kContinueRefund, 250));
  EXPECT_FALSE(book.covers(6, Action::kContinueRefund, 500));
}

TEST(IntentBook, ReorgReopensTheMinedIntentWithItsNonceAndAttempts) {
  IntentBook book;
  Intent& intent = book.open(4, Action::kDrawWinner, 9, 100, 50);
  intent.attempts.push_back(Attempt{word(7), Fees{}, 50, false});
  intent.mined_hash = word(7);
  intent.mined_block = 51;
  book.close(IntentState::kMined);
  const std::uint64_t id = book.watched(52).front()->id;
  Intent& again = book.reopen(id, 53);
  EXPECT_EQ(again.state, IntentState::kPending);
  EXPECT_EQ(again.nonce, 9u);
  EXPECT_TRUE(again.owns(word(7)));
  EXPECT_TRUE(again.resend_now);
  EXPECT_EQ(again.last_send_block, 53u);
  EXPECT_EQ(again.mined_block, 0u);
  EXPECT_TRUE(book.watched(53).empty());
  EXPECT_TRUE(book.covers(4, Action::kDrawWinner));
  EXPECT_THROW(book.reopen(id, 53), std::logic_error);
}

}  // namespace
}  // namespace lottery::operation
