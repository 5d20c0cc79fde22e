// SPDX-License-Identifier: Apache-2.0
#include "store/store.hpp"

#include "store/json.hpp"
#include "store/queries.hpp"
#include "store_test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <string>
#include <vector>

namespace lottery::store {
namespace {

using namespace test;
using ::testing::ElementsAre;

/// Records every change set a store publishes.
struct Recorder {
  std::vector<ChangeSet> sets;
  Subscription sub;

  explicit Recorder(Store& store)
      : sub(store.subscribe([this](const ChangeSet& set) { sets.push_back(set); })) {}

  std::vector<ChangeKind> kinds(std::size_t i) const {
    std::vector<ChangeKind> out;
    for (const Change& c : sets.at(i).changes) out.push_back(c.kind);
    return out;
  }
  std::vector<std::string> types(std::size_t i) const {
    std::vector<std::string> out;
    for (const Change& c : sets.at(i).changes) {
      if (c.message) out.push_back(boost::json::parse(*c.message).at("type").as_string().c_str());
    }
    return out;
  }
};

std::vector<std::string> feed_types(const Snapshot& snap) {
  std::vector<std::string> out;
  for (const auto& a : *snap.feed) out.push_back(a->activity_type);
  return out;
}

std::vector<std::uint64_t> feed_blocks(const Snapshot& snap) {
  std::vector<std::uint64_t> out;
  for (const auto& a : *snap.feed) out.push_back(a->block_number);
  return out;
}

TEST(Store, InitialSnapshotHasEveryViewAndEmptyCollections) {
  Store store;
  auto snap = store.snapshot();
  ASSERT_NE(snap, nullptr);
  EXPECT_EQ(snap->version, 0u);
  EXPECT_TRUE(snap->participants->empty());
  EXPECT_TRUE(snap->history->empty());
  EXPECT_TRUE(snap->feed->empty());
  EXPECT_TRUE(snap->bets->empty());
  EXPECT_EQ(snap->config, nullptr);
  for (const auto* view : {&snap->views.round_status, &snap->views.participants,
                           &snap->views.history, &snap->views.activities, &snap->views.config,
                           &snap->views.operator_status, &snap->views.ws_snapshot}) {
    ASSERT_NE(*view, nullptr);
    EXPECT_NO_THROW(boost::json::parse(**view));
  }
}

TEST(Store, SameEventKeyIsAppliedExactlyOnce) {
  Store store;
  Batch first;
  first.apply(bet_event(10, 0, 1, kAlice, 1000, 1000));
  first.apply(bet_event(10, 0, 1, kAlice, 1000, 1000));  // same (hash, index) in one batch
  CommitResult r1 = store.commit(std::move(first));
  EXPECT_EQ(r1.events_applied, 1u);
  EXPECT_EQ(r1.duplicates_ignored, 1u);

  Batch again;  // the follower re-fetches an overlapping range
  again.apply(bet_event(10, 0, 1, kAlice, 1000, 1000));
  again.apply(bet_event(10, 1, 1, kBob, 500, 500));  // same block, next log: new
  CommitResult r2 = store.commit(std::move(again));
  EXPECT_EQ(r2.events_applied, 1u);
  EXPECT_EQ(r2.duplicates_ignored, 1u);

  auto snap = store.snapshot();
  EXPECT_EQ(snap->feed->size(), 2u);
  ASSERT_EQ(snap->bets->size(), 1u);
  EXPECT_EQ(snap->bets->at(1)->records.size(), 2u);
  EXPECT_EQ(snap->stats.events_applied, 2u);
  EXPECT_EQ(snap->stats.duplicate_events, 2u);
}

TEST(Store, SameLogIndexInAnotherBlockHashIsANewEvent) {
  Store store;
  Batch b;
  b.apply(bet_event(10, 0, 1, kAlice, 1000, 1000, /*fork=*/0));
  b.apply(bet_event(10, 0, 1, kAlice, 1000, 1000, /*fork=*/1));
  EXPECT_EQ(store.commit(std::move(b)).events_applied, 2u);
}

TEST(Store, RollbackRemovesExactlyTheEntriesAboveTheAncestorAndPublishesReorg) {
  Store store;
  Batch setup;
  setup.set_chain_status(head(14));
  setup.apply(bet_event(10, 0, 1, kAlice, 1000, 1000));
  setup.apply(bet_event(11, 0, 1, kBob, 3000, 3000));
  setup.apply(completed_event(12, 0, 1, kBob, 4000, 2, 7));
  setup.apply(bet_event(13, 0, 2, kCarol, 500, 500));
  setup.apply(bet_event(14, 2, 2, kAlice, 700, 700));
  store.commit(std::move(setup));
  ASSERT_EQ(store.snapshot()->feed->size(), 5u);

  Recorder rec(store);
  Batch reorg;
  reorg.rollback_to(12);
  reorg.set_chain_status(head(13));
  CommitResult r = store.commit(std::move(reorg));
  EXPECT_EQ(r.events_rolled_back, 2u);

  auto snap = store.snapshot();
  EXPECT_THAT(feed_blocks(*snap), ElementsAre(10u, 11u, 12u));
  EXPECT_THAT(feed_types(*snap), ElementsAre("BetPlaced", "BetPlaced", "RoundCompleted"));
  ASSERT_EQ(snap->history->size(), 1u);  // block 12 is the ancestor: kept
  EXPECT_EQ(snap->history->front()->round_id, 1u);
  EXPECT_EQ(snap->bets->count(2), 0u);  // round 2 had only bets above 12
  EXPECT_EQ(snap->bets->at(1)->records.size(), 2u);
  EXPECT_EQ(snap->stats.reorgs, 1u);

  ASSERT_EQ(rec.sets.size(), 1u);
  const Change& first = rec.sets[0].changes.at(0);
  EXPECT_EQ(first.kind, ChangeKind::kReorg);
  EXPECT_EQ(first.from_block, 14u);
  EXPECT_EQ(first.to_block, 12u);
  EXPECT_EQ(*first.message,
            R"({"type":"reorg","payload":{"from_block":14,"to_block":12},"timestamp":1700000156})");

  // The rolled-back events can come back (the node returns to that branch):
  // their keys were forgotten, so they apply again.
  Batch replay;
  replay.apply(bet_event(13, 0, 2, kCarol, 500, 500));
  EXPECT_EQ(store.commit(std::move(replay)).events_applied, 1u);
  EXPECT_EQ(store.snapshot()->bets->at(2)->records.size(), 1u);
}

TEST(Store, RollbackInsideARoundKeepsTheEarlierBets) {
  Store store;
  Batch setup;
  setup.apply(bet_event(10, 0, 3, kAlice, 1, 1));
  setup.apply(bet_event(11, 0, 3, kBob, 2, 2));
  setup.apply(bet_event(12, 0, 3, kAlice, 3, 4));
  store.commit(std::move(setup));

  Batch reorg;
  reorg.rollback_to(11);
  reorg.apply(bet_event(12, 0, 3, kCarol, 5, 5, /*fork=*/1));  // the new branch's block 12
  store.commit(std::move(reorg));

  auto snap = store.snapshot();
  const auto& records = snap->bets->at(3)->records;
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].player, addr(kCarol));
  EXPECT_EQ(feed_blocks(*snap), (std::vector<std::uint64_t>{10, 11, 12}));
  EXPECT_EQ(snap->feed->back()->details.at("player"), DetailValue{std::string(kCarol)});
}

TEST(Store, FinalityMarksEventsUpToTheBlock) {
  Store store;
  Batch b;
  b.apply(bet_event(10, 0, 1, kAlice, 1, 1));
  b.apply(bet_event(11, 0, 1, kBob, 1, 1));
  b.apply(bet_event(12, 0, 1, kCarol, 1, 1));
  b.mark_final(11);
  store.commit(std::move(b));
  auto snap = store.snapshot();
  std::vector<bool> finals;
  for (const auto& a : *snap->feed) finals.push_back(a->final);
  EXPECT_THAT(finals, ElementsAre(true, true, false));
  EXPECT_EQ(snap->final_block, 11u);

  // An event applied at or below the final block is final at once (backfill).
  Batch late;
  late.apply(bet_event(9, 5, 1, kDave, 1, 1));
  late.mark_final(5);  // lower than before: ignored
  store.commit(std::move(late));
  snap = store.snapshot();
  EXPECT_EQ(snap->final_block, 11u);
  EXPECT_EQ(feed_blocks(*snap), (std::vector<std::uint64_t>{9, 10, 11, 12}));
  EXPECT_TRUE(snap->feed->front()->final);

  // A reorg deeper than the final block lowers it.
  Batch reorg;
  reorg.rollback_to(10);
  store.commit(std::move(reorg));
  EXPECT_EQ(store.snapshot()->final_block, 10u);
}

TEST(Store, FinalityIsVisibleInTheActivitiesView) {
  Store store;
  Batch b;
  b.apply(bet_event(10, 0, 1, kAlice, 1, 1));
  store.commit(std::move(b));
  EXPECT_NE(store.snapshot()->views.activities->find(R"("final":false)"), std::string::npos);
  Recorder rec(store);
  Batch fin;
  fin.mark_final(10);
  store.commit(std::move(fin));
  EXPECT_NE(store.snapshot()->views.activities->find(R"("final":true)"), std::string::npos);
  ASSERT_EQ(rec.sets.size(), 1u);
  EXPECT_THAT(rec.kinds(0), ElementsAre(ChangeKind::kFinality));
  EXPECT_TRUE(rec.types(0).empty());  // no WebSocket message for finality
}

TEST(Store, CapacitiesDropTheOldestEntries) {
  StoreOptions options;
  options.history_capacity = 3;
  options.feed_capacity = 4;
  Store store(options);
  Batch b;
  for (std::uint64_t round = 1; round <= 5; ++round) {
    b.apply(refunded_event(100 + round, 0, round, 10, 1));
  }
  store.commit(std::move(b));
  auto snap = store.snapshot();
  ASSERT_EQ(snap->history->size(), 3u);
  EXPECT_EQ(snap->history->front()->round_id, 3u);
  EXPECT_EQ(snap->history->back()->round_id, 5u);
  EXPECT_EQ(snap->summary.total_rounds, 3u);
  EXPECT_EQ(snap->summary.total_volume_wei, U256{30});
  ASSERT_EQ(snap->feed->size(), 4u);
  EXPECT_EQ(snap->feed->front()->block_number, 102u);

  Batch shrink;
  shrink.set_capacities(1, 2);
  store.commit(std::move(shrink));
  snap = store.snapshot();
  ASSERT_EQ(snap->history->size(), 1u);
  EXPECT_EQ(snap->history->front()->round_id, 5u);
  EXPECT_EQ(snap->feed->size(), 2u);
}

TEST(Store, BetBookKeepsTheRoundsOfHistoryPlusTheCurrentOne) {
  StoreOptions options;
  options.history_capacity = 2;
  Store store(options);
  Batch b;
  for (std::uint64_t round = 1; round <= 5; ++round) {
    b.apply(bet_event(round * 10, 0, round, kAlice, 1, 1));
  }
  store.commit(std::move(b));
  auto snap = store.snapshot();
  ASSERT_EQ(snap->bets->size(), 3u);
  EXPECT_EQ(snap->bets->begin()->first, 3u);
}

TEST(Store, DedupCapacityForgetsTheOldestKeys) {
  StoreOptions options;
  options.dedup_capacity = 2;
  Store store(options);
  Batch b;
  b.apply(bet_event(1, 0, 1, kAlice, 1, 1));
  b.apply(bet_event(2, 0, 1, kAlice, 1, 2));
  b.apply(bet_event(3, 0, 1, kAlice, 1, 3));
  store.commit(std::move(b));
  Batch again;
  again.apply(bet_event(3, 0, 1, kAlice, 1, 3));  // still remembered
  EXPECT_EQ(store.commit(std::move(again)).duplicates_ignored, 1u);
}

TEST(Store, NothingChangedPublishesNothing) {
  Store store;
  Round round;
  round.round_id = 1;
  round.state = RoundState::kBetting;
  Batch b;
  b.set_round(round);
  b.set_chain_status(head(5));
  b.set_participants({{addr(kAlice), U256{10}}});
  store.commit(std::move(b));

  Recorder rec(store);
  auto before = store.snapshot();
  Batch same;
  same.set_round(round);
  same.set_chain_status(head(5));
  same.set_participants({{addr(kAlice), U256{10}}});
  CommitResult r = store.commit(std::move(same));
  EXPECT_EQ(r.changes, 0u);
  EXPECT_TRUE(rec.sets.empty());
  auto after = store.snapshot();
  EXPECT_EQ(after->version, before->version + 1);
  EXPECT_EQ(after->participants, before->participants);  // equal value keeps the pointer
  EXPECT_EQ(after->views.round_status, before->views.round_status);
  EXPECT_EQ(after->views.ws_snapshot, before->views.ws_snapshot);
}

TEST(Store, OneActivityMessagePerNewFeedItemInChainOrder) {
  Store store;
  Recorder rec(store);
  Batch b;
  b.set_chain_status(head(21));
  b.apply(ChainEvent{meta(20, 0), RoundCreated{1, 100, 280, 285, 460}});
  b.apply(bet_event(20, 1, 1, kAlice, 1000, 1000));
  b.apply(bet_event(21, 0, 1, kBob, 2000, 2000));
  store.commit(std::move(b));
  ASSERT_EQ(rec.sets.size(), 1u);
  EXPECT_THAT(rec.kinds(0), ElementsAre(ChangeKind::kActivity, ChangeKind::kActivity,
                                        ChangeKind::kActivity, ChangeKind::kChainHead));
  std::vector<std::string> activity_types;
  for (const Change& c : rec.sets[0].changes) {
    if (c.kind == ChangeKind::kActivity) {
      ASSERT_NE(c.activity, nullptr);
      activity_types.push_back(c.activity->activity_type);
      auto parsed = boost::json::parse(*c.message).as_object();
      EXPECT_EQ(parsed.at("type"), "activity");
      EXPECT_EQ(parsed.at("payload").at("activity_id").to_number<std::uint64_t>(),
                c.activity->activity_id);
    }
  }
  EXPECT_THAT(activity_types, ElementsAre("RoundCreated", "BetPlaced", "BetPlaced"));

  // A batch with only a duplicate: no activity message, nothing at all.
  Batch dup;
  dup.apply(bet_event(21, 0, 1, kBob, 2000, 2000));
  store.commit(std::move(dup));
  EXPECT_EQ(rec.sets.size(), 1u);
}

TEST(Store, ChangesComeInDocumentedOrderWithMessages) {
  Store store;
  Recorder rec(store);
  Round round;
  round.round_id = 2;
  round.state = RoundState::kBetting;
  round.total_pot = 5;
  round.participant_count = 1;
  ContractConfig config;
  config.min_bet = U256{1000};
  OperatorStatus op;
  op.status = OperatorRunState::kRunning;
  op.address = addr(kDave);
  Batch b;
  b.set_round(round);
  b.set_participants({{addr(kAlice), U256{5}}});
  b.set_config(config);
  b.set_operator_status(op);
  b.set_chain_status(head(30));
  b.rollback_to(29);
  b.apply(completed_event(30, 0, 1, kAlice, 10, 2, 3));
  store.commit(std::move(b));
  ASSERT_EQ(rec.sets.size(), 1u);
  EXPECT_THAT(rec.types(0),
              ElementsAre("reorg", "config_update", "round_update", "participants_update",
                          "history_update", "activity", "operator_status"));
  // Every message carries the chain time of the commit.
  for (const Change& c : rec.sets[0].changes) {
    if (!c.message) continue;
    EXPECT_EQ(boost::json::parse(*c.message).at("timestamp").to_number<std::uint64_t>(),
              1'700'000'360u);
  }
  // Messages reuse the REST views' bytes.
  const auto& snap = *rec.sets[0].snapshot;
  const std::string& round_msg = *rec.sets[0].changes[2].message;
  EXPECT_NE(round_msg.find(*snap.views.round_status), std::string::npos);

  // Only the operator changes next: one message.
  op.pending_tx = hash_of(0x55, 1);
  Batch only_op;
  only_op.set_operator_status(op);
  store.commit(std::move(only_op));
  ASSERT_EQ(rec.sets.size(), 2u);
  EXPECT_THAT(rec.types(1), ElementsAre("operator_status"));
}

TEST(Store, RoundOnlyCommitSharesTheLargeCollections) {
  Store store;
  Batch setup;
  setup.set_chain_status(head(40));
  setup.apply(bet_event(40, 0, 1, kAlice, 1, 1));
  setup.apply(refunded_event(40, 1, 1, 1, 1));
  store.commit(std::move(setup));
  auto before = store.snapshot();

  Round round;
  round.round_id = 2;
  Batch b;
  b.set_round(round);
  store.commit(std::move(b));
  auto after = store.snapshot();

  EXPECT_EQ(after->history, before->history);
  EXPECT_EQ(after->feed, before->feed);
  EXPECT_EQ(after->bets, before->bets);
  EXPECT_EQ(after->views.history, before->views.history);
  EXPECT_EQ(after->views.activities, before->views.activities);
  EXPECT_EQ(after->views.config, before->views.config);
  EXPECT_NE(after->views.round_status, before->views.round_status);
  EXPECT_NE(after->views.ws_snapshot, before->views.ws_snapshot);
  // The old snapshot is untouched.
  EXPECT_EQ(before->round.round_id, 0u);
}

TEST(Store, NewEventCopiesPointersNotEntries) {
  Store store;
  Batch setup;
  setup.apply(refunded_event(50, 0, 1, 1, 1));
  store.commit(std::move(setup));
  auto before = store.snapshot();
  Batch b;
  b.apply(refunded_event(51, 0, 2, 1, 1));
  store.commit(std::move(b));
  auto after = store.snapshot();
  ASSERT_NE(after->history, before->history);
  ASSERT_EQ(after->history->size(), 2u);
  EXPECT_EQ(after->history->front(), before->history->front());  // same entry object
}

TEST(Store, HistoryEntryCarriesTheRoundsBets) {
  Store store;
  Batch b;
  b.apply(bet_event(60, 0, 7, kAlice, 100, 100));
  b.apply(bet_event(61, 0, 7, kBob, 300, 300));
  b.apply(bet_event(62, 0, 7, kAlice, 50, 150));
  b.apply(completed_event(63, 4, 7, kBob, 450, 2, 9));
  store.commit(std::move(b));
  auto round = history_round(*store.snapshot(), 7);
  ASSERT_NE(round, nullptr);
  ASSERT_EQ(round->bets->records.size(), 3u);
  auto stakes = stakes_in_first_bet_order(*round->bets);
  ASSERT_EQ(stakes.size(), 2u);
  EXPECT_EQ(stakes[0], (Participant{addr(kAlice), U256{150}}));
  EXPECT_EQ(stakes[1], (Participant{addr(kBob), U256{300}}));
  EXPECT_EQ(history_round(*store.snapshot(), 8), nullptr);
}

TEST(Store, ManyBetsInOneBatchAndLaterBatchesDoNotAlterPublishedBets) {
  Store store;
  Batch b;
  for (std::uint64_t i = 0; i < 300; ++i) b.apply(bet_event(100 + i, 0, 1, kAlice, 1, i + 1));
  b.apply(completed_event(400, 0, 1, kAlice, 300, 1, 5));
  b.apply(bet_event(401, 0, 1, kBob, 1, 1));  // odd, but must not leak into the history entry
  store.commit(std::move(b));
  auto snap = store.snapshot();
  EXPECT_EQ(history_round(*snap, 1)->bets->records.size(), 300u);
  EXPECT_EQ(snap->bets->at(1)->records.size(), 301u);

  Batch more;
  more.apply(bet_event(402, 0, 1, kCarol, 1, 1));
  store.commit(std::move(more));
  EXPECT_EQ(snap->bets->at(1)->records.size(), 301u);  // the old snapshot is immutable
  EXPECT_EQ(store.snapshot()->bets->at(1)->records.size(), 302u);
  EXPECT_EQ(history_round(*store.snapshot(), 1)->bets->records.size(), 300u);
}

TEST(Store, OutOfOrderEventIsPlacedInChainOrder) {
  Store store;
  Batch b;
  b.apply(bet_event(12, 0, 1, kAlice, 1, 1));
  b.apply(bet_event(10, 3, 1, kBob, 1, 1));
  b.apply(bet_event(10, 1, 1, kCarol, 1, 1));
  store.commit(std::move(b));
  auto snap = store.snapshot();
  EXPECT_EQ(feed_blocks(*snap), (std::vector<std::uint64_t>{10, 10, 12}));
  const auto& records = snap->bets->at(1)->records;
  EXPECT_EQ(records[0].player, addr(kCarol));
  EXPECT_EQ(records[1].player, addr(kBob));
  // Rollback still removes exactly what is above the ancestor.
  Batch reorg;
  reorg.rollback_to(11);
  store.commit(std::move(reorg));
  EXPECT_EQ(feed_blocks(*store.snapshot()), (std::vector<std::uint64_t>{10, 10}));
}

TEST(Store, UnsubscribedCallbackIsNotCalled) {
  Store store;
  int calls = 0;
  Subscription sub = store.subscribe([&](const ChangeSet&) { ++calls; });
  Batch b1;
  b1.set_chain_status(head(1));
  store.commit(std::move(b1));
  sub.reset();
  Batch b2;
  b2.set_chain_status(head(2));
  store.commit(std::move(b2));
  EXPECT_EQ(calls, 1);
}

TEST(Store, SubscriptionMayOutliveTheStore) {
  Subscription sub;
  {
    Store store;
    sub = store.subscribe([](const ChangeSet&) {});
  }
  sub.reset();  // must not touch the destroyed store
  SUCCEED();
}

TEST(Store, ChangeTypeNames) {
  EXPECT_EQ(change_type_name(ChangeKind::kReorg), "reorg");
  EXPECT_EQ(change_type_name(ChangeKind::kConfig), "config_update");
  EXPECT_EQ(change_type_name(ChangeKind::kRound), "round_update");
  EXPECT_EQ(change_type_name(ChangeKind::kParticipants), "participants_update");
  EXPECT_EQ(change_type_name(ChangeKind::kHistory), "history_update");
  EXPECT_EQ(change_type_name(ChangeKind::kActivity), "activity");
  EXPECT_EQ(change_type_name(ChangeKind::kOperatorStatus), "operator_status");
  EXPECT_EQ(change_type_name(ChangeKind::kChainHead), "");
}

}  // namespace
}  // namespace lottery::store
