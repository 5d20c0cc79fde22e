// SPDX-License-Identifier: Apache-2.0
#include "fake_chain.hpp"

#include "follower/block_ring.hpp"
#include "follower/chunk_sizer.hpp"
#include "follower/log_events.hpp"
#include "follower/rpc_chain_source.hpp"

#include <gtest/gtest.h>

#include <variant>

namespace lottery::follower {
namespace {

using testing::FakeBet;
using testing::FakeChain;

TEST(ChunkSizer, HalvesDownToTheMinimumAndReportsWhenItCannot) {
  ChunkSizer sizer(2000, 10'000);
  EXPECT_EQ(sizer.size(), 2000u);
  std::vector<std::uint64_t> seen;
  while (sizer.on_too_large()) seen.push_back(sizer.size());
  const std::vector<std::uint64_t> expected{1000, 500, 250, 125, 62, 31, 15, 7, 3, 1};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(sizer.size(), 1u);
  EXPECT_FALSE(sizer.on_too_large());
}

TEST(ChunkSizer, GrowsBackAfterSuccessStreaksUpToTheCap) {
  ChunkSizer sizer(2000, 5000, 1, 2);
  ASSERT_TRUE(sizer.on_too_large());
  EXPECT_EQ(sizer.size(), 1000u);
  sizer.on_success();
  EXPECT_EQ(sizer.size(), 1000u);  // one success is not a streak
  sizer.on_success();
  EXPECT_EQ(sizer.size(), 2000u);
  sizer.on_success();
  ASSERT_TRUE(sizer.on_too_large());  // a refusal resets the streak
  sizer.on_success();
  EXPECT_EQ(sizer.size(), 1000u);
  for (int i = 0; i < 20; ++i) sizer.on_success();
  EXPECT_EQ(sizer.size(), 5000u);
}

TEST(ChunkSizer, ClampsItsArguments) {
  EXPECT_EQ(ChunkSizer(0, 0, 0).size(), 1u);
  EXPECT_EQ(ChunkSizer(50'000, 10'000).size(), 10'000u);
  ChunkSizer huge(std::numeric_limits<std::uint64_t>::max(),
                  std::numeric_limits<std::uint64_t>::max(), 1, 1);
  huge.on_success();  // doubling must not overflow
  EXPECT_EQ(huge.size(), std::numeric_limits<std::uint64_t>::max());
}

TEST(BlockRing, KeepsTheNewestEntriesAndTruncatesAfterAReorg) {
  BlockRing ring(3);
  for (std::uint64_t n = 10; n < 15; ++n) ring.record(n, testing::word(n));
  EXPECT_EQ(ring.size(), 3u);
  EXPECT_EQ(ring.oldest()->number, 12u);
  EXPECT_EQ(ring.newest()->number, 14u);
  EXPECT_FALSE(ring.hash_at(11));
  EXPECT_EQ(*ring.hash_at(13), testing::word(13));
  ring.truncate_above(12);
  EXPECT_EQ(ring.newest()->number, 12u);
  EXPECT_EQ(ring.size(), 1u);
}

TEST(BlockRing, SparseLookupFindsTheNewestEntryAtOrBelow) {
  BlockRing ring(10);
  ring.record(100, testing::word(100));
  ring.record(200, testing::word(200));
  EXPECT_EQ(ring.at_or_below(199)->number, 100u);
  EXPECT_EQ(ring.at_or_below(200)->number, 200u);
  EXPECT_FALSE(ring.at_or_below(99));
}

TEST(DecodeLogs, SkipsRemovedUnknownAndMalformedLogsAndSortsTheRest) {
  FakeChain chain;
  chain.mine_bets({FakeBet{1, 5}, FakeBet{2, 7}});
  chain.mine_config_update();
  auto logs = chain.all_logs();
  ASSERT_EQ(logs.size(), 3u);
  std::reverse(logs.begin(), logs.end());  // out of order on purpose

  rpc::Log removed = logs.back();
  removed.removed = true;
  removed.log_index = 99;
  logs.push_back(removed);

  rpc::Log unknown = logs.back();
  unknown.removed = false;
  unknown.topics = {eth::keccak256(std::string_view("SomethingElse(uint256)"))};
  logs.push_back(unknown);

  rpc::Log malformed = logs.front();
  malformed.data.pop_back();  // truncated ABI data
  malformed.log_index = 77;
  logs.push_back(malformed);

  const DecodedLogs decoded = decode_logs(logs);
  EXPECT_EQ(decoded.removed, 1u);
  EXPECT_EQ(decoded.unknown, 1u);
  ASSERT_EQ(decoded.malformed.size(), 1u);
  EXPECT_NE(decoded.malformed[0].find("log index 77"), std::string::npos) << decoded.malformed[0];
  EXPECT_NE(decoded.malformed[0].find("block 2"), std::string::npos) << decoded.malformed[0];
  ASSERT_EQ(decoded.events.size(), 3u);
  EXPECT_TRUE(decoded.config_changed);
  EXPECT_EQ(decoded.events[0].meta.block_number, 1u);
  EXPECT_EQ(decoded.events[0].meta.log_index, 0u);
  EXPECT_EQ(decoded.events[1].meta.log_index, 1u);
  EXPECT_EQ(decoded.events[2].meta.block_number, 2u);
  const auto& bet = std::get<store::BetPlaced>(decoded.events[1].body);
  EXPECT_EQ(bet.player, testing::player(2));
  EXPECT_EQ(bet.amount, eth::U256(7));
  EXPECT_EQ(decoded.events[1].meta.timestamp, chain.blocks[1].header.timestamp);
  EXPECT_EQ(decoded.events[1].meta.block_hash, chain.blocks[1].header.hash);
}

TEST(RpcChainSourceChecks, HeaderRangeMustBeCompleteAndInOrder) {
  FakeChain chain;
  chain.mine(3);
  std::vector<std::optional<rpc::BlockHeader>> ok{chain.blocks[1].header, chain.blocks[2].header};
  EXPECT_EQ(check_header_range(ok, 1, 2).size(), 2u);
  auto missing = ok;
  missing[1].reset();
  EXPECT_THROW(check_header_range(missing, 1, 2), ChainDataError);
  auto swapped = ok;
  std::swap(swapped[0], swapped[1]);
  EXPECT_THROW(check_header_range(swapped, 1, 2), ChainDataError);
  EXPECT_THROW(check_header_range(ok, 1, 3), ChainDataError);
}

TEST(RpcChainSourceChecks, LogsMustBelongToTheContractAndTheRange) {
  FakeChain chain;
  chain.mine_bets({FakeBet{1, 5}});
  auto logs = chain.all_logs();
  EXPECT_NO_THROW(check_logs(logs, testing::contract_address(), 1, 1));
  EXPECT_THROW(check_logs(logs, testing::contract_address(), 2, 5), ChainDataError);
  logs[0].address = testing::player(9);
  try {
    check_logs(logs, testing::contract_address(), 1, 1);
    FAIL() << "a log of another contract must be refused";
  } catch (const ChainDataError& e) {
    EXPECT_NE(std::string(e.what()).find("another contract"), std::string::npos);
  }
}

}  // namespace
}  // namespace lottery::follower
