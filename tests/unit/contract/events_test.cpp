// SPDX-License-Identifier: Apache-2.0
#include "contract/events.hpp"

#include "eth/abi_codec.hpp"
#include "eth/abi_event.hpp"
#include "eth/abi_signature.hpp"
#include "eth/abi_type.hpp"
#include "eth/hex.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <fstream>
#include <sstream>
#include <string>

namespace lottery::contract {
namespace {

boost::json::array committed_abi() {
  std::ifstream in(std::string(LOTTERY_SOURCE_DIR) + "/contracts/out/Lottery.abi");
  std::stringstream text;
  text << in.rdbuf();
  return boost::json::parse(text.str()).as_array();
}

eth::Hash32 word(std::uint64_t value) {
  return eth::u256_to_be32(eth::U256{value});
}

eth::Hash32 address_word(const eth::Address& address) {
  eth::Hash32 out{};
  std::copy(address.bytes.begin(), address.bytes.end(), out.begin() + 12);
  return out;
}

eth::Bytes encode(std::string_view types, std::vector<eth::AbiValue> values) {
  auto parsed = eth::parse_abi_type_list(types);
  EXPECT_TRUE(parsed);
  auto data = eth::abi_encode(*parsed, values);
  EXPECT_TRUE(data);
  return *data;
}

eth::Hash32 topic_of(std::string_view signature) {
  auto topic = eth::abi_event_topic(signature);
  EXPECT_TRUE(topic);
  return *topic;
}

// Every event in the committed ABI is one this binding knows, under its name,
// with the same topic0 (so a contract change cannot silently break decoding).
TEST(ContractEvents, EveryCommittedEventIsKnownWithTheSameTopic) {
  int events = 0;
  for (const auto& entry : committed_abi()) {
    const auto& obj = entry.as_object();
    if (obj.at("type").as_string() != "event") continue;
    std::string signature = std::string(obj.at("name").as_string()) + "(";
    bool first = true;
    for (const auto& input : obj.at("inputs").as_array()) {
      if (!first) signature += ",";
      first = false;
      signature += input.as_object().at("type").as_string();
    }
    signature += ")";
    const char* name = event_name_for_topic(topic_of(signature));
    ASSERT_NE(name, nullptr) << signature;
    EXPECT_EQ(std::string(name), std::string(obj.at("name").as_string()));
    ++events;
  }
  EXPECT_EQ(events, 14);
}

TEST(ContractEvents, DecodesBetPlaced) {
  const eth::Address player = *eth::parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  const std::vector<eth::Hash32> topics{
      topic_of("BetPlaced(uint256,address,uint256,uint256,uint256)"), word(7),
      address_word(player)};
  const eth::Bytes data = encode("uint256,uint256,uint256",
                                 {eth::abi_uint(eth::U256{1000}), eth::abi_uint(eth::U256{3000}),
                                  eth::abi_uint(eth::U256{1700000000})});
  auto decoded = decode_event(topics, data);
  ASSERT_TRUE(decoded);
  ASSERT_TRUE(decoded->has_value());
  const auto& bet = std::get<store::BetPlaced>((*decoded)->body);
  EXPECT_EQ(bet.round_id, 7U);
  EXPECT_EQ(bet.player, player);
  EXPECT_EQ(bet.amount, eth::U256{1000});
  EXPECT_EQ(bet.new_total, eth::U256{3000});
  EXPECT_EQ((*decoded)->timestamp, 1700000000U);
}

TEST(ContractEvents, DecodesRoundRefundedWithReason) {
  const std::vector<eth::Hash32> topics{
      topic_of("RoundRefunded(uint256,uint256,uint256,string,uint256)"), word(3)};
  const eth::Bytes data =
      encode("uint256,uint256,string,uint256",
             {eth::abi_uint(eth::U256{5}), eth::abi_uint(eth::U256{1}),
              eth::abi_string("Insufficient participants"), eth::abi_uint(eth::U256{42})});
  auto decoded = decode_event(topics, data);
  ASSERT_TRUE(decoded);
  ASSERT_TRUE(decoded->has_value());
  const auto& refund = std::get<store::RoundRefunded>((*decoded)->body);
  EXPECT_EQ(refund.round_id, 3U);
  EXPECT_EQ(refund.total_refunded, eth::U256{5});
  EXPECT_EQ(refund.participant_count, 1U);
  EXPECT_EQ(refund.reason, "Insufficient participants");
}

TEST(ContractEvents, DecodesStateChangeAndConfigUpdate) {
  const std::vector<eth::Hash32> state_topics{
      topic_of("RoundStateChanged(uint256,uint8,uint8,uint256)"), word(2)};
  auto state = decode_event(
      state_topics,
      encode("uint8,uint8,uint256", {eth::abi_uint(eth::U256{1}), eth::abi_uint(eth::U256{3}),
                                     eth::abi_uint(eth::U256{9})}));
  ASSERT_TRUE(state && state->has_value());
  const auto& change = std::get<store::RoundStateChanged>((*state)->body);
  EXPECT_EQ(change.old_state, store::RoundState::kBetting);
  EXPECT_EQ(change.new_state, store::RoundState::kCompleted);

  const std::vector<eth::Hash32> config_topics{
      topic_of("MaxParticipantsUpdated(uint256,uint256,uint256)")};
  auto config =
      decode_event(config_topics, encode("uint256,uint256,uint256", {eth::abi_uint(eth::U256{500}),
                                                                     eth::abi_uint(eth::U256{100}),
                                                                     eth::abi_uint(eth::U256{9})}));
  ASSERT_TRUE(config && config->has_value());
  const auto& update = std::get<store::ConfigUpdated>((*config)->body);
  EXPECT_EQ(update.param, store::ConfigParam::kMaxParticipants);
  EXPECT_EQ(update.old_value, eth::U256{500});
  EXPECT_EQ(update.new_value, eth::U256{100});
}

TEST(ContractEvents, DecodesRefundsPending) {
  const std::vector<eth::Hash32> topics{topic_of("RefundsPending(uint256,uint256,uint256,uint256)"),
                                        word(8)};
  auto decoded =
      decode_event(topics, encode("uint256,uint256,uint256",
                                  {eth::abi_uint(eth::U256{250}), eth::abi_uint(eth::U256{10}),
                                   eth::abi_uint(eth::U256{77})}));
  ASSERT_TRUE(decoded && decoded->has_value());
  const auto& pending = std::get<store::RefundsPending>((*decoded)->body);
  EXPECT_EQ(pending.round_id, 8U);
  EXPECT_EQ(pending.refunded, 250U);
  EXPECT_EQ(pending.remaining, 10U);
  EXPECT_EQ((*decoded)->timestamp, 77U);
}

TEST(ContractEvents, UnknownTopicsAreIgnoredNotErrors) {
  const std::vector<eth::Hash32> foreign{topic_of("Transfer(address,address,uint256)")};
  auto decoded = decode_event(foreign, {});
  ASSERT_TRUE(decoded);
  EXPECT_FALSE(decoded->has_value());
  auto empty = decode_event({}, {});
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->has_value());
}

TEST(ContractEvents, RejectsHostileLogs) {
  // State 9 is not a RoundState.
  const std::vector<eth::Hash32> topics{topic_of("RoundStateChanged(uint256,uint8,uint8,uint256)"),
                                        word(2)};
  auto bad_state = decode_event(
      topics,
      encode("uint8,uint8,uint256", {eth::abi_uint(eth::U256{1}), eth::abi_uint(eth::U256{9}),
                                     eth::abi_uint(eth::U256{9})}));
  ASSERT_FALSE(bad_state);
  EXPECT_EQ(bad_state.error(), eth::make_error_code(eth::Errc::kOutOfRange));

  // A round id above 2^64-1.
  eth::Hash32 huge{};
  huge[0] = 1;
  const std::vector<eth::Hash32> huge_topics{
      topic_of("RoundStateChanged(uint256,uint8,uint8,uint256)"), huge};
  auto too_big = decode_event(
      huge_topics,
      encode("uint8,uint8,uint256", {eth::abi_uint(eth::U256{1}), eth::abi_uint(eth::U256{2}),
                                     eth::abi_uint(eth::U256{9})}));
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error(), eth::make_error_code(eth::Errc::kOutOfRange));

  // Missing indexed topic and truncated data.
  const std::vector<eth::Hash32> short_topics{
      topic_of("BetPlaced(uint256,address,uint256,uint256,uint256)"), word(1)};
  EXPECT_FALSE(decode_event(short_topics, eth::Bytes(96, 0)));
  const std::vector<eth::Hash32> full_topics{
      topic_of("BetPlaced(uint256,address,uint256,uint256,uint256)"), word(1), word(2)};
  EXPECT_FALSE(decode_event(full_topics, eth::Bytes(64, 0)));
}

}  // namespace
}  // namespace lottery::contract
