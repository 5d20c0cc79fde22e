// SPDX-License-Identifier: Apache-2.0
#include "operation/fees.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace lottery::operation {
namespace {

using eth::U256;

const U256 kGwei = kWeiPerGwei;

rpc::FeeHistory history(std::vector<U256> base_fees, std::vector<U256> rewards) {
  rpc::FeeHistory h;
  h.oldest_block = 100;
  h.base_fee_per_gas = std::move(base_fees);
  for (const auto& r : rewards) h.reward.push_back({r});
  h.gas_used_ratio.assign(h.reward.size(), 0.5);
  return h;
}

TEST(Fees, Eip1559FromHistoryUsesNextBaseFeeTimesTwoPlusMedianReward) {
  // Five blocks, six base fees: the last one (30 gwei) is the next block's.
  const auto h = history({10 * kGwei, 12 * kGwei, 14 * kGwei, 20 * kGwei, 25 * kGwei, 30 * kGwei},
                         {1 * kGwei, 3 * kGwei, 2 * kGwei, 5 * kGwei, 2 * kGwei});
  ASSERT_TRUE(has_base_fee(h));
  const FeeQuote quote = fees_from_history(h, FeePolicy{});
  ASSERT_TRUE(std::holds_alternative<Fees>(quote));
  const Fees fees = std::get<Fees>(quote);
  EXPECT_FALSE(fees.legacy);
  EXPECT_EQ(fees.priority_fee, 2 * kGwei);              // median of {1, 2, 2, 3, 5}
  EXPECT_EQ(fees.max_fee, 2 * 30 * kGwei + 2 * kGwei);  // 62 gwei
}

TEST(Fees, PriorityHasAFloorWhenBlocksAreEmpty) {
  FeePolicy policy;
  policy.min_priority_fee_wei = 1'000'000;
  const auto h = history({U256{7}, U256{8}}, {U256{0}});
  const Fees fees = std::get<Fees>(fees_from_history(h, policy));
  EXPECT_EQ(fees.priority_fee, U256{1'000'000});
  EXPECT_EQ(fees.max_fee, U256{16 + 1'000'000});
}

TEST(Fees, CapLowersMaxFeeWhenBasePlusPriorityStillFits) {
  FeePolicy policy;
  policy.max_fee_cap_wei = 50 * kGwei;
  const auto h = history({30 * kGwei, 30 * kGwei}, {2 * kGwei});
  const Fees fees = std::get<Fees>(fees_from_history(h, policy));
  EXPECT_EQ(fees.max_fee, 50 * kGwei);  // 62 wanted, capped
  EXPECT_EQ(fees.priority_fee, 2 * kGwei);
}

TEST(Fees, CapRefusesWhenEvenBasePlusPriorityIsAbove) {
  FeePolicy policy;
  policy.max_fee_cap_wei = 31 * kGwei;
  const auto h = history({30 * kGwei, 30 * kGwei}, {2 * kGwei});
  const FeeQuote quote = fees_from_history(h, policy);
  ASSERT_TRUE(std::holds_alternative<FeeRefusal>(quote));
  const std::string& message = std::get<FeeRefusal>(quote).message;
  EXPECT_NE(message.find("32 gwei"), std::string::npos) << message;
  EXPECT_NE(message.find("BLOCKCHAIN_MAX_FEE_GWEI = 31 gwei"), std::string::npos) << message;
}

TEST(Fees, NoBaseFeeMeansLegacy) {
  EXPECT_FALSE(has_base_fee(history({}, {})));
  EXPECT_FALSE(has_base_fee(history({U256{0}, U256{0}}, {U256{0}})));
  const FeeQuote quote = legacy_fees(3 * kGwei, FeePolicy{});
  const Fees fees = std::get<Fees>(quote);
  EXPECT_TRUE(fees.legacy);
  EXPECT_EQ(fees.gas_price, 3 * kGwei);
  FeePolicy policy;
  policy.max_fee_cap_wei = 2 * kGwei;
  EXPECT_TRUE(std::holds_alternative<FeeRefusal>(legacy_fees(3 * kGwei, policy)));
}

TEST(Fees, BumpIsTwelveAndAHalfPercentRoundedUp) {
  EXPECT_EQ(bump_12_5_percent(U256{0}), U256{1});  // always at least one wei more
  EXPECT_EQ(bump_12_5_percent(U256{1}), U256{2});
  EXPECT_EQ(bump_12_5_percent(U256{8}), U256{9});
  EXPECT_EQ(bump_12_5_percent(U256{9}), U256{11});     // 10.125 -> 11
  EXPECT_EQ(bump_12_5_percent(U256{100}), U256{113});  // 112.5 -> 113
  EXPECT_EQ(bump_12_5_percent(U256{1000}), U256{1125});
  EXPECT_EQ(bump_12_5_percent(62 * kGwei), U256{69'750'000'000ULL});
  // Exact for huge values too (no floating point).
  const U256 big = U256{1} << 200;
  EXPECT_EQ(bump_12_5_percent(big), big + (big >> 3));
}

TEST(Fees, ReplacementBumpsBothFeesAndFollowsTheMarket) {
  Fees previous;
  previous.max_fee = 100;
  previous.priority_fee = 10;
  const Fees bumped = std::get<Fees>(replacement_fees(previous, std::nullopt, FeePolicy{}));
  EXPECT_EQ(bumped.max_fee, U256{113});
  EXPECT_EQ(bumped.priority_fee, U256{12});  // 11.25 -> 12
  // Both are at least 12.5% above the old ones, which is what nodes require.
  EXPECT_GE(bumped.max_fee * 8, previous.max_fee * 9);
  EXPECT_GE(bumped.priority_fee * 8, previous.priority_fee * 9);

  Fees market;
  market.max_fee = 500;
  market.priority_fee = 11;
  const Fees followed = std::get<Fees>(replacement_fees(previous, market, FeePolicy{}));
  EXPECT_EQ(followed.max_fee, U256{500});
  EXPECT_EQ(followed.priority_fee, U256{12});
}

TEST(Fees, ReplacementAboveTheCapIsRefused) {
  FeePolicy policy;
  policy.max_fee_cap_wei = 112;
  Fees previous;
  previous.max_fee = 100;
  previous.priority_fee = 10;
  EXPECT_TRUE(std::holds_alternative<FeeRefusal>(replacement_fees(previous, std::nullopt, policy)));
  policy.max_fee_cap_wei = 113;
  EXPECT_TRUE(std::holds_alternative<Fees>(replacement_fees(previous, std::nullopt, policy)));
}

TEST(Fees, LegacyReplacementBumpsTheGasPrice) {
  const Fees previous = std::get<Fees>(legacy_fees(U256{1000}, FeePolicy{}));
  const Fees next = std::get<Fees>(replacement_fees(previous, std::nullopt, FeePolicy{}));
  EXPECT_TRUE(next.legacy);
  EXPECT_EQ(next.gas_price, U256{1125});
}

TEST(Fees, GasLimitFromEstimate) {
  EXPECT_EQ(gas_limit_from_estimate(100'000, 1.2), 120'000u);
  EXPECT_EQ(gas_limit_from_estimate(100'001, 1.2), 120'002u);  // 120001.2 rounds up
  EXPECT_EQ(gas_limit_from_estimate(21'000, 1.0), 21'000u);
  EXPECT_EQ(gas_limit_from_estimate(50'000, 0.5), 50'000u);  // never below the estimate
  EXPECT_EQ(gas_limit_from_estimate(50'000, std::numeric_limits<double>::quiet_NaN()), 50'000u);
  EXPECT_EQ(gas_limit_from_estimate(std::numeric_limits<std::uint64_t>::max(), 2.0),
            std::numeric_limits<std::uint64_t>::max());
}

TEST(Fees, CostAndFormatting) {
  Fees fees;
  fees.max_fee = 2 * kGwei;
  EXPECT_EQ(max_cost(100'000, fees), U256{200'000} * kGwei);
  EXPECT_EQ(format_gwei(U256{0}), "0 gwei");
  EXPECT_EQ(format_gwei(12 * kGwei + 500'000'000), "12.5 gwei");
  EXPECT_EQ(format_gwei(U256{1}), "0.000000001 gwei");
}

}  // namespace
}  // namespace lottery::operation
