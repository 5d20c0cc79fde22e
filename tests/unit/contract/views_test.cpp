// SPDX-License-Identifier: Apache-2.0
#include "contract/views.hpp"
#include "contract/calls.hpp"

#include "eth/abi_codec.hpp"
#include "eth/abi_type.hpp"
#include "eth/hex.hpp"

#include <gtest/gtest.h>

namespace lottery::contract {
namespace {

eth::Bytes encode(std::string_view types, std::vector<eth::AbiValue> values) {
  auto parsed = eth::parse_abi_type_list(types);
  EXPECT_TRUE(parsed);
  auto data = eth::abi_encode(*parsed, values);
  EXPECT_TRUE(data);
  return *data;
}

eth::AbiValue u(std::uint64_t value) {
  return eth::abi_uint(eth::U256{value});
}

constexpr std::string_view kRound =
    "(uint256,uint256,uint256,uint256,uint256,uint256,uint256,address,uint256,uint256,uint8)";

eth::Bytes round_bytes(std::uint64_t state, eth::U256 round_id = 4) {
  const eth::Address winner = *eth::parse_address("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
  return encode(kRound,
                {eth::abi_list({eth::abi_uint(round_id), u(100), u(280), u(285), u(460), u(3000),
                                u(2), eth::abi_address(winner), u(30), u(2970), u(state)})});
}

TEST(ContractViews, DecodesRound) {
  auto round = decode_round(round_bytes(3));
  ASSERT_TRUE(round) << round.error().message();
  EXPECT_EQ(round->round_id, 4U);
  EXPECT_EQ(round->start_time, 100U);
  EXPECT_EQ(round->end_time, 280U);
  EXPECT_EQ(round->min_draw_time, 285U);
  EXPECT_EQ(round->max_draw_time, 460U);
  EXPECT_EQ(round->total_pot, eth::U256{3000});
  EXPECT_EQ(round->participant_count, 2U);
  EXPECT_EQ(eth::to_checksum(round->winner), "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
  EXPECT_EQ(round->publisher_commission, eth::U256{30});
  EXPECT_EQ(round->winner_prize, eth::U256{2970});
  EXPECT_EQ(round->state, store::RoundState::kCompleted);
}

TEST(ContractViews, RejectsHostileRounds) {
  auto bad_state = decode_round(round_bytes(5));
  ASSERT_FALSE(bad_state);
  EXPECT_EQ(bad_state.error(), eth::make_error_code(eth::Errc::kOutOfRange));
  auto huge_id = decode_round(round_bytes(1, eth::U256{1} << 64));
  ASSERT_FALSE(huge_id);
  EXPECT_EQ(huge_id.error(), eth::make_error_code(eth::Errc::kOutOfRange));
  eth::Bytes truncated = round_bytes(1);
  truncated.resize(truncated.size() - 1);
  EXPECT_FALSE(decode_round(truncated));
  EXPECT_FALSE(decode_round({}));
}

TEST(ContractViews, DecodesParticipantsInContractOrder) {
  const eth::Address a = *eth::parse_address("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
  const eth::Address b = *eth::parse_address("0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF");
  auto participants = decode_participants_with_bets(encode(
      "address[],uint256[]",
      {eth::abi_list({eth::abi_address(b), eth::abi_address(a)}), eth::abi_list({u(5), u(7)})}));
  ASSERT_TRUE(participants);
  ASSERT_EQ(participants->size(), 2U);
  EXPECT_EQ((*participants)[0].address, b);
  EXPECT_EQ((*participants)[0].total_wei, eth::U256{5});
  EXPECT_EQ((*participants)[1].address, a);
  EXPECT_EQ((*participants)[1].total_wei, eth::U256{7});

  auto mismatched = decode_participants_with_bets(
      encode("address[],uint256[]", {eth::abi_list({eth::abi_address(a)}), eth::abi_list({})}));
  ASSERT_FALSE(mismatched);
  EXPECT_EQ(mismatched.error(), eth::make_error_code(eth::Errc::kWrongLength));
}

TEST(ContractViews, DecodesConfig) {
  const eth::Address publisher = *eth::parse_address("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
  const eth::Address operator_address =
      *eth::parse_address("0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF");
  auto config = decode_config(
      encode("address,address,uint256,uint256,uint256,uint256,uint256,uint256,uint256",
             {eth::abi_address(publisher), eth::abi_address(operator_address), u(500),
              u(1000000000000000), u(180), u(5), u(180), u(60), u(2)}));
  ASSERT_TRUE(config);
  EXPECT_EQ(config->publisher_addr, publisher);
  EXPECT_EQ(config->operator_addr, operator_address);
  EXPECT_EQ(config->publisher_commission_bps, 500U);
  EXPECT_EQ(config->min_bet, eth::U256{1000000000000000});
  EXPECT_EQ(config->betting_duration, 180U);
  EXPECT_EQ(config->min_draw_delay, 5U);
  EXPECT_EQ(config->max_draw_delay, 180U);
  EXPECT_EQ(config->min_end_time_extension, 60U);
  EXPECT_EQ(config->min_participants, 2U);
}

TEST(ContractViews, SingleValues) {
  auto cap = decode_u64(encode("uint256", {u(500)}));
  ASSERT_TRUE(cap);
  EXPECT_EQ(*cap, 500U);
  eth::Bytes dirty_address(32, 0);
  dirty_address[0] = 1;
  EXPECT_FALSE(decode_address(dirty_address));
}

// Selectors as published by `cast sig` for the contract's functions.
TEST(ContractCalls, SelectorsMatchKnownValues) {
  struct Case {
    eth::Bytes data;
    const char* selector;
  };
  const Case cases[] = {
      {draw_winner_call(), "0xb2185bb1"},
      {place_bet_call(), "0xf90f4560"},
      {refund_round_call(), "0x60f8af90"},
  };
  for (const auto& c : cases) {
    ASSERT_GE(c.data.size(), 4U);
    EXPECT_EQ(eth::hex_encode(eth::ByteView(c.data).first(4)), c.selector);
  }
  const eth::Bytes by_id = get_round_participants_with_bets_call(3);
  EXPECT_EQ(by_id.size(), 36U);
  EXPECT_EQ(by_id.back(), 3);
}

}  // namespace
}  // namespace lottery::contract
