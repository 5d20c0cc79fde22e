// SPDX-License-Identifier: Apache-2.0
// Readers on several threads while the writer commits: every snapshot a
// reader sees must be internally consistent. Meant to be run under TSan/ASan
// (LOTTERY_SANITIZE) as well as plainly.
#include "store/store.hpp"

#include "store/json.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <atomic>
#include <thread>
#include <vector>

namespace lottery::store {
namespace {

using namespace test;

TEST(StoreConcurrency, ReadersSeeConsistentSnapshotsWhileTheWriterCommits) {
  StoreOptions options;
  options.feed_capacity = 64;
  options.history_capacity = 16;
  Store store(options);
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> notifications{0};
  Subscription sub = store.subscribe([&](const ChangeSet& set) {
    notifications.fetch_add(set.changes.size(), std::memory_order_relaxed);
  });

  constexpr int kReaders = 4;
  std::vector<std::thread> readers;
  std::atomic<int> failures{0};
  std::atomic<std::uint64_t> reads{0};
  for (int t = 0; t < kReaders; ++t) {
    readers.emplace_back([&] {
      std::uint64_t last_version = 0;
      while (!done.load(std::memory_order_acquire)) {
        auto snap = store.snapshot();
        // Versions never go backwards for one reader.
        if (snap->version < last_version) failures.fetch_add(1);
        last_version = snap->version;
        // The round's participants and the view agree (same commit).
        auto view = boost::json::parse(*snap->views.round_status).as_object();
        if (view.at("round_id").to_number<std::uint64_t>() != snap->round.round_id)
          failures.fetch_add(1);
        if (view.at("participants").as_array().size() != snap->participants->size()) {
          failures.fetch_add(1);
        }
        if (snap->feed->size() > 64 || snap->history->size() > 16) failures.fetch_add(1);
        (void)player_bets(*snap, addr(kAlice));
        (void)history_view_json(*snap, 5);
        reads.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }

  std::uint64_t block = 1;
  for (std::uint64_t round_id = 1; round_id <= 60; ++round_id) {
    Batch b;
    Round round;
    round.round_id = round_id;
    round.state = RoundState::kBetting;
    round.participant_count = 2;
    b.set_round(round);
    b.set_participants({{addr(kAlice), U256{round_id}}, {addr(kBob), U256{2 * round_id}}});
    b.set_chain_status(head(block));
    b.apply(bet_event(block, 0, round_id, kAlice, round_id, round_id));
    b.apply(bet_event(block, 1, round_id, kBob, 2 * round_id, 2 * round_id));
    b.mark_final(block > 2 ? block - 2 : 0);
    store.commit(std::move(b));
    ++block;
    Batch end;
    end.set_chain_status(head(block));
    if (round_id % 7 == 0) {
      // A reorg that drops the round's bets, then they come back on the new branch.
      end.rollback_to(block - 2);
      end.apply(bet_event(block - 1, 0, round_id, kAlice, round_id, round_id, /*fork=*/1));
    }
    end.apply(completed_event(block, 0, round_id, kBob, 3 * round_id, 2, round_id));
    store.commit(std::move(end));
    ++block;
  }
  done.store(true, std::memory_order_release);
  for (auto& t : readers) t.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(reads.load(), 0u);
  EXPECT_GT(notifications.load(), 0u);
  auto snap = store.snapshot();
  EXPECT_EQ(snap->history->size(), 16u);
  EXPECT_EQ(snap->history->back()->round_id, 60u);
  EXPECT_EQ(snap->stats.reorgs, 8u);
}

}  // namespace
}  // namespace lottery::store
