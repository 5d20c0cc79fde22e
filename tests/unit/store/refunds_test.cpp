// SPDX-License-Identifier: Apache-2.0
// Batched refunds in the store: created by RefundsPending, advanced by the follower's
// refundProgress reads, forgotten when a reorg removes their event or once complete and final.

#include "store/store.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

namespace lottery::store {
namespace {

using test::meta;

ChainEvent pending_event(std::uint64_t block, std::uint64_t round_id, std::uint64_t refunded,
                         std::uint64_t remaining) {
  return ChainEvent{meta(block, 0), RefundsPending{round_id, refunded, remaining}};
}

TEST(StoreRefunds, RefundsPendingOpensABatchedRefundAndReadsAdvanceIt) {
  Store store;
  EXPECT_TRUE(store.snapshot()->refunds.empty());
  {
    Batch b;
    b.apply(pending_event(10, 4, 250, 60));
    store.commit(std::move(b));
  }
  auto snap = store.snapshot();
  ASSERT_EQ(snap->refunds.size(), 1u);
  const RefundProgress& p = snap->refunds.at(4);
  EXPECT_EQ(p.round_id, 4u);
  EXPECT_EQ(p.participant_count, 310u);
  EXPECT_EQ(p.refunded, 250u);
  EXPECT_EQ(p.since_block, 10u);
  EXPECT_EQ(p.updated_block, 10u);
  EXPECT_FALSE(p.complete());
  ASSERT_EQ(snap->pending_refunds().size(), 1u);

  {
    Batch b;
    b.set_refund_progress(4, 310, 12);
    b.set_refund_progress(9, 5, 12);  // no RefundsPending for round 9: ignored
    store.commit(std::move(b));
  }
  snap = store.snapshot();
  ASSERT_EQ(snap->refunds.size(), 1u);  // complete, but block 12 is not final yet
  EXPECT_TRUE(snap->refunds.at(4).complete());
  EXPECT_EQ(snap->refunds.at(4).updated_block, 12u);
  EXPECT_TRUE(snap->pending_refunds().empty());

  {
    Batch b;
    b.set_refund_progress(4, 250, 11);  // older than what the store knows: ignored
    store.commit(std::move(b));
  }
  EXPECT_EQ(store.snapshot()->refunds.at(4).refunded, 310u);

  {
    Batch b;
    b.mark_final(11);
    store.commit(std::move(b));
  }
  EXPECT_EQ(store.snapshot()->refunds.size(), 1u);
  {
    Batch b;
    b.mark_final(12);
    store.commit(std::move(b));
  }
  EXPECT_TRUE(store.snapshot()->refunds.empty());
}

TEST(StoreRefunds, ARollbackBelowTheEventForgetsTheRefundAndKeepsOlderOnes) {
  Store store;
  {
    Batch b;
    b.apply(pending_event(10, 3, 250, 10));
    b.apply(pending_event(20, 5, 250, 250));
    store.commit(std::move(b));
  }
  ASSERT_EQ(store.snapshot()->pending_refunds().size(), 2u);
  {
    // What the follower does after a reorg: roll back, re-read every refund it knew.
    Batch b;
    b.rollback_to(15);
    b.set_refund_progress(3, 260, 16);
    b.set_refund_progress(5, 250, 16);
    store.commit(std::move(b));
  }
  const auto snap = store.snapshot();
  ASSERT_EQ(snap->refunds.size(), 1u);
  EXPECT_EQ(snap->refunds.at(3).refunded, 260u);
  EXPECT_TRUE(snap->pending_refunds().empty());
}

TEST(StoreRefunds, ALaterRefundsPendingOfTheSameRoundMovesItOn) {
  Store store;
  Batch b;
  b.apply(pending_event(10, 4, 250, 550));
  b.apply(pending_event(11, 4, 500, 300));
  store.commit(std::move(b));
  const auto& p = store.snapshot()->refunds.at(4);
  EXPECT_EQ(p.refunded, 500u);
  EXPECT_EQ(p.participant_count, 800u);
  EXPECT_EQ(p.since_block, 10u);
  EXPECT_EQ(p.updated_block, 11u);
}

}  // namespace
}  // namespace lottery::store
