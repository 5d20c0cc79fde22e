// SPDX-License-Identifier: Apache-2.0
#include "fake_chain.hpp"

#include "follower/follower.hpp"
#include "logging/log.hpp"

#include <gtest/gtest.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <mutex>
#include <tuple>

namespace lottery::follower {
namespace {

namespace asio = boost::asio;
using testing::FakeBet;
using testing::FakeChain;

template <class T>
T run_task(asio::io_context& io, infra::Task<T> task) {
  auto future = asio::co_spawn(io, std::move(task), asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

/// Captures log lines for assertions.
class LogCapture {
 public:
  LogCapture() {
    logging::LogOptions options;
    options.level = logging::Level::kDebug;
    options.to_stderr = false;
    options.sink = [this](std::string_view line) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
    };
    logging::configure(options);
  }
  ~LogCapture() { logging::reset(); }
  bool contains(std::string_view needle) const {
    std::lock_guard lock(mutex_);
    return std::any_of(lines_.begin(), lines_.end(),
                       [&](const std::string& l) { return l.find(needle) != std::string::npos; });
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

using EventId = std::tuple<std::uint64_t, std::uint64_t, eth::Hash32>;

/// The events the store applied (from the activity feed), in chain order.
std::vector<EventId> store_events(const store::Store& store) {
  std::vector<EventId> out;
  for (const auto& a : *store.snapshot()->feed)
    out.emplace_back(a->block_number, a->log_index, a->tx_hash);
  return out;
}

/// The chain's events from `from` on, as the store should hold them.
std::vector<EventId> chain_events(const FakeChain& chain, std::uint64_t from = 0) {
  std::vector<EventId> out;
  for (const auto& log : chain.all_logs()) {
    if (log.block_number >= from)
      out.emplace_back(log.block_number, log.log_index, log.transaction_hash);
  }
  return out;
}

FollowerOptions test_options() {
  FollowerOptions options;
  options.contract_address = testing::contract_address();
  options.confirmations = 0;
  options.start_block = 0;
  options.poll_interval = std::chrono::milliseconds(5);
  options.retry_backoff = {std::chrono::milliseconds(1), std::chrono::milliseconds(5), 2.0};
  options.reread_blocks = 0;  // exact log ranges; the re-read has its own test
  return options;
}

struct Fixture {
  std::shared_ptr<FakeChain> chain = std::make_shared<FakeChain>();
  store::Store store;
  asio::io_context io;
  std::unique_ptr<Follower> follower;
  std::vector<ChainView> views;

  void make(FollowerOptions options) {
    follower = std::make_unique<Follower>(chain, store, std::move(options));
    follower->on_head([this](const ChainView& v) { views.push_back(v); });
  }
  void sync() { run_task(io, follower->sync_once()); }
};

TEST(Follower, BackfillsFromTheDeploymentBlockInStepsAndBecomesReady) {
  Fixture f;
  f.chain->mine(4);
  f.chain->deploy_block = 5;
  for (std::uint64_t n = 5; n <= 60; ++n) {
    if (n % 7 == 0) {
      f.chain->mine_bets({FakeBet{static_cast<std::uint8_t>(n % 3 + 1), n}});
    } else {
      f.chain->mine(1);
    }
  }
  auto options = test_options();
  options.start_block.reset();
  options.backfill_step_blocks = 10;
  options.initial_chunk_blocks = 4;
  options.max_chunk_blocks = 8;
  f.make(options);
  EXPECT_FALSE(f.follower->ready());
  f.sync();

  EXPECT_TRUE(f.follower->ready());
  const auto stats = f.follower->stats();
  EXPECT_EQ(stats.start_block, 5u);
  EXPECT_EQ(stats.next_block, 61u);
  EXPECT_GE(stats.heads_processed, 6u);  // 56 blocks in steps of 10
  // Binary search: one code check at the head plus ceil(log2(61)) probes.
  EXPECT_LE(f.chain->calls["has_code"], 1 + 6);
  EXPECT_EQ(store_events(f.store), chain_events(*f.chain));
  // The log ranges tile [5, 60] without gaps or overlaps, each within the cap.
  std::uint64_t expect_from = 5;
  for (const auto& [from, to] : f.chain->log_ranges) {
    EXPECT_EQ(from, expect_from);
    EXPECT_LE(to - from + 1, 8u);
    expect_from = to + 1;
  }
  EXPECT_EQ(expect_from, 61u);
  const auto snap = f.store.snapshot();
  EXPECT_EQ(snap->chain.latest_block, 60u);
  EXPECT_EQ(snap->chain.head_hash, f.chain->blocks[60].header.hash);
  EXPECT_EQ(snap->chain.head_timestamp, f.chain->blocks[60].header.timestamp);
  EXPECT_TRUE(snap->chain.synced);
  EXPECT_TRUE(snap->chain.reachable);
  EXPECT_EQ(snap->round.round_id, 60u);  // state read at the head
  ASSERT_FALSE(f.views.empty());
  EXPECT_EQ(f.views.back().head, 60u);
  EXPECT_EQ(f.views.back().chain_time, f.chain->blocks[60].header.timestamp);
  EXPECT_TRUE(f.views.back().synced);
  EXPECT_FALSE(f.views.front().synced);  // backfill steps are not the head
}

TEST(Follower, FallsBackToHeadMinusBackfillBlocks) {
  Fixture f;
  f.chain->mine(100);
  auto options = test_options();
  options.start_block.reset();
  options.find_deployment_block = false;
  options.backfill_blocks = 10;
  f.make(options);
  f.sync();
  EXPECT_EQ(f.follower->stats().start_block, 90u);
  EXPECT_EQ(f.chain->log_ranges.front().first, 90u);
}

TEST(Follower, ChainIdMismatchIsFatalAndSaysWhatToFix) {
  Fixture f;
  auto options = test_options();
  options.expected_chain_id = 1;
  f.make(options);
  try {
    run_task(f.io, f.follower->start());
    FAIL() << "expected FatalError";
  } catch (const FatalError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("chain id 31337"), std::string::npos) << what;
    EXPECT_NE(what.find("BLOCKCHAIN_CHAIN_ID is 1"), std::string::npos) << what;
  }
}

TEST(Follower, MissingContractCodeIsAClearRetriableError) {
  Fixture f;
  f.chain->mine(3);
  f.chain->deploy_block = 100;  // not deployed yet
  f.make(test_options());
  try {
    run_task(f.io, f.follower->start());
    FAIL() << "expected ChainDataError";
  } catch (const ChainDataError& e) {
    EXPECT_NE(std::string(e.what()).find("BLOCKCHAIN_CONTRACT_ADDRESS"), std::string::npos);
  }
}

TEST(Follower, AppliesEveryEventExactlyOnceAcrossRepeatedSyncs) {
  Fixture f;
  f.chain->mine_bets({FakeBet{1, 10}, FakeBet{2, 20}});
  f.chain->mine(2);
  f.make(test_options());
  f.sync();
  const auto version = f.store.snapshot()->version;
  const auto reads = f.chain->state_reads.size();
  f.sync();  // head unchanged: nothing read, nothing committed
  EXPECT_EQ(f.store.snapshot()->version, version);
  EXPECT_EQ(f.chain->state_reads.size(), reads);

  f.chain->mine_bets({FakeBet{1, 5}});
  f.sync();
  EXPECT_EQ(store_events(f.store), chain_events(*f.chain));
  EXPECT_EQ(f.store.snapshot()->stats.duplicate_events, 0u);
  EXPECT_EQ(f.store.snapshot()->stats.events_applied, 3u);
  // Participants come from the views at the head.
  const auto& participants = *f.store.snapshot()->participants;
  ASSERT_EQ(participants.size(), 2u);
  EXPECT_EQ(participants[0].address, testing::player(1));
  EXPECT_EQ(participants[0].total_wei, eth::U256(15));
}

TEST(Follower, ReorgRollsBackToTheCommonAncestorAndReReads) {
  Fixture f;
  f.chain->mine(16);                      // blocks 1..16
  f.chain->mine_bets({FakeBet{1, 100}});  // 17
  f.chain->mine(1);
  f.chain->mine_bets({FakeBet{2, 200}});  // 19
  f.chain->mine(1);                       // 20
  f.make(test_options());
  f.sync();
  ASSERT_EQ(store_events(f.store).size(), 2u);

  // Blocks 16.. are replaced: the old bets vanish, a new one appears.
  f.chain->reorg(16, 6, [](std::uint64_t i) {
    return i == 2 ? std::vector<FakeBet>{FakeBet{3, 300}} : std::vector<FakeBet>{};
  });
  ASSERT_EQ(f.chain->head(), 21u);
  f.sync();

  EXPECT_EQ(store_events(f.store), chain_events(*f.chain));
  const auto stats = f.follower->stats();
  EXPECT_EQ(stats.reorgs, 1u);
  EXPECT_EQ(stats.deepest_reorg, 5u);  // 20 -> ancestor 15
  ASSERT_TRUE(f.views.back().reorg_ancestor);
  EXPECT_EQ(*f.views.back().reorg_ancestor, 15u);
  const auto snap = f.store.snapshot();
  EXPECT_EQ(snap->stats.reorgs, 1u);
  EXPECT_EQ(snap->stats.events_rolled_back, 2u);
  EXPECT_EQ(snap->chain.head_hash, f.chain->blocks[21].header.hash);
  ASSERT_EQ(snap->participants->size(), 1u);
  EXPECT_EQ((*snap->participants)[0].address, testing::player(3));
  // Logs were re-read from the ancestor's child.
  EXPECT_EQ(f.chain->log_ranges.back().second, 21u);
  EXPECT_LE(f.chain->log_ranges.back().first, 16u);
}

TEST(Follower, ReadsRefundProgressWhileABatchedRefundRunsAndHandsItToTheOperator) {
  Fixture f;
  f.chain->mine(3);
  f.chain->mine_refunds_pending(7, 250, 60);  // block 4
  f.make(test_options());
  f.chain->refund_progress_of[7] = 250;
  f.sync();

  // Read at the head where the event was seen; pending in the view the operator gets.
  ASSERT_EQ(f.chain->refund_reads.size(), 1u);
  EXPECT_EQ(f.chain->refund_reads[0].first, 4u);
  EXPECT_EQ(f.chain->refund_reads[0].second, std::vector<std::uint64_t>{7});
  ASSERT_EQ(f.views.back().pending_refunds.size(), 1u);
  EXPECT_EQ(f.views.back().pending_refunds[0].round_id, 7u);
  EXPECT_EQ(f.views.back().pending_refunds[0].participant_count, 310u);
  EXPECT_EQ(f.views.back().pending_refunds[0].refunded, 250u);

  // Still running: read again at the next head.
  f.chain->mine(1);
  f.sync();
  ASSERT_EQ(f.chain->refund_reads.size(), 2u);
  EXPECT_EQ(f.chain->refund_reads[1].first, 5u);
  EXPECT_EQ(f.views.back().pending_refunds.size(), 1u);

  // continueRefund finished it (no event says so): the read shows it, nothing is pending and,
  // with the head final (0 confirmations), it is no longer read.
  f.chain->refund_progress_of[7] = 310;
  f.chain->mine(1);
  f.sync();
  ASSERT_EQ(f.chain->refund_reads.size(), 3u);
  EXPECT_TRUE(f.views.back().pending_refunds.empty());
  EXPECT_TRUE(f.store.snapshot()->refunds.empty());
  f.chain->mine(1);
  f.sync();
  EXPECT_EQ(f.chain->refund_reads.size(), 3u);
  EXPECT_EQ(f.chain->calls["refund_progress"], 3);
}

TEST(Follower, ARefundPendingEventRemovedByAReorgIsForgotten) {
  Fixture f;
  f.chain->mine(16);
  f.chain->mine_refunds_pending(3, 250, 1);  // block 17
  f.chain->mine(2);
  auto options = test_options();
  options.confirmations = 5;
  f.make(options);
  f.chain->refund_progress_of[3] = 250;
  f.sync();
  ASSERT_EQ(f.store.snapshot()->pending_refunds().size(), 1u);

  f.chain->reorg(16, 5);  // blocks 16..20 without the event
  f.sync();
  EXPECT_TRUE(f.store.snapshot()->refunds.empty());
  EXPECT_TRUE(f.views.back().pending_refunds.empty());
}

TEST(Follower, ReorgAtTheSameHeightIsDetectedByHash) {
  Fixture f;
  f.chain->mine(17);
  f.chain->mine_bets({FakeBet{1, 100}});  // 18
  f.chain->mine(2);                       // 19, 20
  f.make(test_options());
  f.sync();
  f.chain->reorg(18, 3, [](std::uint64_t i) {
    return i == 1 ? std::vector<FakeBet>{FakeBet{4, 7}} : std::vector<FakeBet>{};
  });
  ASSERT_EQ(f.chain->head(), 20u);
  f.sync();
  EXPECT_EQ(store_events(f.store), chain_events(*f.chain));
  EXPECT_EQ(f.follower->stats().reorgs, 1u);
  EXPECT_EQ(*f.views.back().reorg_ancestor, 17u);
}

TEST(Follower, ReorgOfIdenticalTransactionsKeepsEachEventOnce) {
  Fixture f;
  f.chain->mine(5);
  f.chain->mine_bets({FakeBet{1, 10}});  // 6
  f.chain->mine(1);
  f.make(test_options());
  f.sync();
  // The same bet re-mined one block later on the new branch.
  f.chain->reorg(6, 3, [](std::uint64_t i) {
    return i == 1 ? std::vector<FakeBet>{FakeBet{1, 10}} : std::vector<FakeBet>{};
  });
  f.sync();
  const auto events = store_events(f.store);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<0>(events[0]), 7u);
  EXPECT_EQ(events, chain_events(*f.chain));
}

TEST(Follower, ReorgDeeperThanTheRingRollsBackToItsOldestAndLogsAnError) {
  LogCapture logs;
  Fixture f;
  auto options = test_options();
  options.ring_size = 4;
  f.make(options);
  f.chain->mine(10);
  f.sync();
  for (int i = 0; i < 10; ++i) {  // head by head: the ring holds 17..20
    f.chain->mine_bets({FakeBet{1, 1}});
    f.sync();
  }
  ASSERT_EQ(f.chain->head(), 20u);
  f.chain->reorg(8, 14);
  f.sync();
  EXPECT_TRUE(logs.contains("reorg deeper than the remembered blocks")) << "no error line";
  ASSERT_TRUE(f.views.back().reorg_ancestor);
  EXPECT_EQ(*f.views.back().reorg_ancestor, 16u);  // just below the oldest remembered block
  EXPECT_EQ(f.store.snapshot()->chain.latest_block, 21u);
  EXPECT_EQ(f.store.snapshot()->chain.head_hash, f.chain->blocks[21].header.hash);
  // Everything the ring covered is consistent again.
  for (const auto& [block, index, tx] : store_events(f.store)) {
    (void)index;
    (void)tx;
    EXPECT_LE(block, 16u);
  }
}

TEST(Follower, CoalescesAHeadBurstIntoOneStep) {
  Fixture f;
  f.chain->mine(10);
  f.make(test_options());
  f.sync();
  const auto heads = f.follower->stats().heads_processed;
  const auto header_batches = f.chain->calls["headers"];
  const auto reads = f.chain->state_reads.size();
  f.chain->mine(2);
  f.chain->mine_bets({FakeBet{2, 3}});
  f.chain->mine(2);  // head 10 -> 15
  f.sync();
  EXPECT_EQ(f.follower->stats().heads_processed, heads + 1);
  EXPECT_EQ(f.chain->calls["headers"], header_batches + 1);  // 11..14 in one batch
  EXPECT_EQ(f.chain->state_reads.size(), reads + 1);
  EXPECT_EQ(f.chain->state_reads.back(), 15u);
  EXPECT_EQ(f.chain->log_ranges.back(), std::make_pair(std::uint64_t{11}, std::uint64_t{15}));
  EXPECT_EQ(store_events(f.store), chain_events(*f.chain));
}

TEST(Follower, LogsIndexedLateAreFoundByTheReRead) {
  Fixture f;
  f.chain->mine(5);
  auto options = test_options();
  options.reread_blocks = 2;
  f.make(options);
  f.sync();
  // The node shows block 6 before its logs are queryable (Anvil does this).
  f.chain->mine_bets({FakeBet{1, 10}});
  bool hide = true;
  f.chain->tamper_logs = [&](std::vector<rpc::Log>& logs) {
    if (hide) logs.clear();
  };
  f.sync();
  EXPECT_TRUE(store_events(f.store).empty());
  const auto hooks = f.views.size();
  hide = false;
  f.sync();  // same head: its logs are read once more
  EXPECT_EQ(store_events(f.store), chain_events(*f.chain));
  EXPECT_EQ(f.views.size(), hooks) << "the hook is not called twice for one head";
  const auto ranges = f.chain->log_ranges.size();
  f.sync();  // settled: nothing more is read
  EXPECT_EQ(f.chain->log_ranges.size(), ranges);

  // With a moving chain, the previous head's logs are part of the next read.
  f.chain->mine_bets({FakeBet{2, 20}});
  hide = true;
  f.sync();
  hide = false;
  f.chain->mine(1);
  f.sync();
  EXPECT_EQ(f.chain->log_ranges.back(), std::make_pair(std::uint64_t{7}, std::uint64_t{8}));
  EXPECT_EQ(store_events(f.store), chain_events(*f.chain));
  EXPECT_EQ(f.store.snapshot()->stats.duplicate_events, 0u);
}

TEST(Follower, ChunksShrinkWhenTheNodeRefusesARangeAndGrowBack) {
  LogCapture logs;
  Fixture f;
  for (int i = 0; i < 60; ++i) {
    f.chain->mine(9);
    f.chain->mine_bets({FakeBet{static_cast<std::uint8_t>(i % 5 + 1), 1}});
  }
  f.chain->max_log_range = 100;
  auto options = test_options();
  options.initial_chunk_blocks = 2000;
  options.max_chunk_blocks = 2000;
  f.make(options);
  f.sync();
  EXPECT_EQ(store_events(f.store), chain_events(*f.chain));
  const auto stats = f.follower->stats();
  EXPECT_GE(stats.range_shrinks, 4u);  // 2000 -> 1000 -> 500 -> 250 -> 125 -> 62
  EXPECT_TRUE(logs.contains("shrinking"));
  for (const auto& [from, to] : f.chain->log_ranges) EXPECT_LE(from, to);

  // After the node lifts its limit, the range grows back.
  f.chain->max_log_range = std::numeric_limits<std::uint64_t>::max();
  const auto before = f.follower->stats().chunk_blocks;
  for (int i = 0; i < 6; ++i) {
    f.chain->mine(1);
    f.sync();
  }
  EXPECT_GT(f.follower->stats().chunk_blocks, before);
}

TEST(Follower, ARangeRefusedEvenForOneBlockFailsWithoutCommitting) {
  Fixture f;
  f.chain->mine_bets({FakeBet{1, 1}});
  f.chain->max_log_range = 0;
  f.make(test_options());
  EXPECT_THROW(f.sync(), ChainDataError);
  EXPECT_EQ(f.store.snapshot()->version, 0u);
  EXPECT_FALSE(f.follower->ready());
}

TEST(Follower, MarksEventsFinalAfterTheConfiguredConfirmations) {
  Fixture f;
  for (int i = 0; i < 20; ++i) f.chain->mine_bets({FakeBet{1, 1}});  // a bet in each block 1..20
  auto options = test_options();
  options.confirmations = 3;
  f.make(options);
  f.sync();
  auto snap = f.store.snapshot();
  EXPECT_EQ(snap->final_block, 17u);
  for (const auto& a : *snap->feed) EXPECT_EQ(a->final, a->block_number <= 17) << a->block_number;
  f.chain->mine(2);
  f.sync();
  EXPECT_EQ(f.store.snapshot()->final_block, 19u);
}

TEST(Follower, MalformedLogsAreSkippedWithALogLine) {
  LogCapture logs;
  Fixture f;
  f.chain->mine_bets({FakeBet{1, 1}, FakeBet{2, 2}});
  f.chain->blocks[1].logs[1].data.resize(5);  // garbage ABI data
  f.make(test_options());
  f.sync();
  EXPECT_EQ(store_events(f.store).size(), 1u);
  EXPECT_EQ(f.follower->stats().malformed_logs, 1u);
  EXPECT_TRUE(logs.contains("skipping a malformed contract log"));
  EXPECT_TRUE(logs.contains("log index 1"));
}

TEST(Follower, LogsFromAnotherBranchAbortTheStepWithoutAHalfCommit) {
  Fixture f;
  f.chain->mine(3);
  f.make(test_options());
  f.sync();
  const auto version = f.store.snapshot()->version;
  f.chain->mine_bets({FakeBet{1, 1}});
  f.chain->tamper_logs = [](std::vector<rpc::Log>& logs) {
    for (auto& log : logs) log.block_hash[0] ^= 0xFF;
  };
  try {
    f.sync();
    FAIL() << "expected ChainDataError";
  } catch (const ChainDataError& e) {
    EXPECT_NE(std::string(e.what()).find("the chain changed while it was read"), std::string::npos);
  }
  EXPECT_EQ(f.store.snapshot()->version, version);
  EXPECT_EQ(f.follower->stats().next_block, 4u);
  f.chain->tamper_logs = nullptr;
  f.sync();
  EXPECT_EQ(store_events(f.store), chain_events(*f.chain));
}

TEST(Follower, AFailingViewReadCommitsNothing) {
  Fixture f;
  f.chain->mine(3);
  f.make(test_options());
  f.sync();
  const auto version = f.store.snapshot()->version;
  f.chain->mine_bets({FakeBet{1, 1}});
  f.chain->before_call = [](const std::string& method) {
    if (method == "read_state")
      throw ChainDataError("getRound() returned data that does not decode");
  };
  EXPECT_THROW(f.sync(), ChainDataError);
  EXPECT_EQ(f.store.snapshot()->version, version);
  EXPECT_TRUE(store_events(f.store).empty());
  f.chain->before_call = nullptr;
  f.sync();
  EXPECT_EQ(store_events(f.store).size(), 1u);
}

TEST(Follower, ReadsTheConfigAtStartOnConfigEventsAndEveryNBlocks) {
  Fixture f;
  f.chain->mine(2);
  auto options = test_options();
  options.config_refresh_blocks = 10;
  f.make(options);
  f.sync();  // start: with config
  ASSERT_EQ(f.chain->state_reads_with_config.size(), 1u);
  EXPECT_TRUE(f.chain->state_reads_with_config.back());
  ASSERT_TRUE(f.store.snapshot()->config);
  EXPECT_EQ(f.store.snapshot()->config->max_participants, 500u);

  f.chain->mine(1);
  f.sync();
  EXPECT_FALSE(f.chain->state_reads_with_config.back());
  f.chain->mine_config_update();
  f.sync();
  EXPECT_TRUE(f.chain->state_reads_with_config.back());
  f.chain->mine(9);
  f.sync();
  EXPECT_FALSE(f.chain->state_reads_with_config.back());  // 9 blocks since the last read
  f.chain->mine(1);
  f.sync();
  EXPECT_TRUE(f.chain->state_reads_with_config.back());
}

TEST(FollowerRun, RetriesFailuresMarksTheChainUnreachableAndRecovers) {
  LogCapture logs;
  Fixture f;
  f.chain->mine_bets({FakeBet{1, 1}});
  f.make(test_options());
  bool failing = false;
  int failed_calls = 0;
  f.chain->before_call = [&](const std::string& method) {
    if (failing && method == "latest_header") {
      ++failed_calls;
      throw rpc::RpcException(rpc::make_error(rpc::RpcErrc::kTransport, "connection refused"));
    }
  };
  bool saw_unreachable = false;
  auto subscription = f.store.subscribe([&](const store::ChangeSet& changes) {
    if (!changes.snapshot->chain.reachable) saw_unreachable = true;
  });

  asio::cancellation_signal cancel;
  std::exception_ptr ended;
  bool done = false;
  asio::co_spawn(f.io, f.follower->run(),
                 asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e) {
                   ended = e;
                   done = true;
                 }));
  asio::steady_timer watchdog(f.io);
  std::function<void()> poll;
  int ticks = 0;
  poll = [&] {
    watchdog.expires_after(std::chrono::milliseconds(5));
    watchdog.async_wait([&](boost::system::error_code) {
      ++ticks;
      if (ticks == 30) failing = f.follower->ready();  // fail only after the first sync
      if (ticks == 60) failing = false;
      if (ticks == 70) f.chain->mine_bets({FakeBet{2, 2}});  // a later head is picked up by polling
      if ((f.follower->ready() && ticks > 100 && store_events(f.store).size() == 2) ||
          ticks > 2000) {
        cancel.emit(asio::cancellation_type::terminal);
        return;
      }
      poll();
    });
  };
  poll();
  f.io.run();

  EXPECT_TRUE(done);
  EXPECT_TRUE(ended) << "run() ends only by cancellation or a fatal error";
  EXPECT_TRUE(saw_unreachable);
  EXPECT_TRUE(f.follower->ready());
  EXPECT_GE(failed_calls, 2);
  EXPECT_GE(f.follower->stats().failures, 2u);
  EXPECT_LT(ticks, 2000) << "the follower did not recover";
  EXPECT_TRUE(logs.contains("iteration failed"));
  EXPECT_TRUE(logs.contains("chain reachable again"));
  EXPECT_TRUE(f.store.snapshot()->chain.reachable);
  EXPECT_EQ(store_events(f.store), chain_events(*f.chain));
  EXPECT_EQ(store_events(f.store).size(), 2u);
}

TEST(FollowerRun, EndsWithTheFatalErrorOnAChainIdMismatch) {
  Fixture f;
  auto options = test_options();
  options.expected_chain_id = 5;
  f.make(options);
  auto future = asio::co_spawn(f.io, f.follower->run(), asio::use_future);
  f.io.run();
  EXPECT_THROW(future.get(), FatalError);
}

}  // namespace
}  // namespace lottery::follower
