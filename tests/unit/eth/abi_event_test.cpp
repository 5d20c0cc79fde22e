// SPDX-License-Identifier: Apache-2.0
#include "eth/abi_event.hpp"

#include "eth/abi_codec.hpp"
#include "eth/hex.hpp"
#include "eth/keccak.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lottery::eth {
namespace {

Hash32 topic(const std::string& hex) {
  auto h = hex_decode_fixed<32>(hex);
  EXPECT_TRUE(h) << hex;
  return h ? *h : Hash32{};
}

Bytes unhex(const std::string& hex) {
  auto b = hex_decode(hex);
  EXPECT_TRUE(b) << hex;
  return b ? *b : Bytes{};
}

Address address(const std::string& hex) {
  auto a = parse_address(hex);
  EXPECT_TRUE(a) << hex;
  return a ? *a : Address{};
}

const char* const kTransferTopic =
    "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
const char* const kApprovalTopic =
    "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925";
const char* const kFromTopic = "0x0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
const char* const kToTopic = "0x000000000000000000000000fb6916095ca1df60bb79ce92ce3ea74c37c5d359";
// 1000000 (0xf4240) as the single data word.
const char* const kValueData = "0x00000000000000000000000000000000000000000000000000000000000f4240";

AbiEvent erc20_transfer() {
  auto event = parse_abi_event("Transfer(address indexed from,address indexed to,uint256 value)");
  EXPECT_TRUE(event);
  return event ? *event : AbiEvent{};
}

TEST(AbiEvent, ParsesHumanReadableEvents) {
  const AbiEvent event = erc20_transfer();
  EXPECT_EQ(event.name, "Transfer");
  ASSERT_EQ(event.inputs.size(), 3U);
  EXPECT_EQ(event.inputs[0].name, "from");
  EXPECT_TRUE(event.inputs[0].indexed);
  EXPECT_EQ(event.inputs[2].name, "value");
  EXPECT_FALSE(event.inputs[2].indexed);
  EXPECT_FALSE(event.anonymous);
  EXPECT_EQ(event.signature(), "Transfer(address,address,uint256)");
  EXPECT_EQ(hex_encode(event.topic0()), kTransferTopic);

  const auto spaced =
      parse_abi_event("Bet( (uint,address) indexed who , (bool,string)[] list, uint ) anonymous");
  ASSERT_TRUE(spaced) << spaced.error().message();
  EXPECT_TRUE(spaced->anonymous);
  EXPECT_EQ(spaced->signature(), "Bet((uint256,address),(bool,string)[],uint256)");
  EXPECT_EQ(spaced->inputs[2].name, "");

  const auto empty = parse_abi_event("Ping()");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->inputs.empty());

  for (const std::string bad :
       {"", "Transfer", "Transfer(", "(uint256)", "T(address indexed indexed from)",
        "T(address from to)", "T(uint256) bogus", "T(uint256,)", "T(,uint256)", "T(uint257 x)",
        "T(uint256 1x)", "T((uint256 x)"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_abi_event(bad));
  }
}

TEST(AbiEvent, DecodesErc20Transfer) {
  const std::vector<Hash32> topics = {topic(kTransferTopic), topic(kFromTopic), topic(kToTopic)};
  const auto fields = abi_decode_log(erc20_transfer(), topics, unhex(kValueData));
  ASSERT_TRUE(fields) << fields.error().message();
  ASSERT_EQ(fields->size(), 3U);

  const AbiLogField* from = find_field(*fields, "from");
  ASSERT_NE(from, nullptr);
  EXPECT_TRUE(from->indexed);
  EXPECT_FALSE(from->hashed);
  EXPECT_EQ(*from->value.as_address(), address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));

  const AbiLogField* to = find_field(*fields, "to");
  ASSERT_NE(to, nullptr);
  EXPECT_EQ(*to->value.as_address(), address("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"));

  const AbiLogField* value = find_field(*fields, "value");
  ASSERT_NE(value, nullptr);
  EXPECT_FALSE(value->indexed);
  EXPECT_EQ(*value->value.as_u256(), U256{1000000});

  EXPECT_EQ(find_field(*fields, "amount"), nullptr);
}

TEST(AbiEvent, RejectsLogsThatDoNotMatch) {
  const AbiEvent event = erc20_transfer();
  const Bytes data = unhex(kValueData);
  struct Case {
    std::string name;
    std::vector<Hash32> topics;
    Bytes data;
    Errc error;
  };
  Bytes trailing = data;
  trailing.push_back(0);
  const std::vector<Case> cases = {
      {"approval topic0",
       {topic(kApprovalTopic), topic(kFromTopic), topic(kToTopic)},
       data,
       Errc::kInvalidType},
      {"no topics", {}, data, Errc::kWrongLength},
      {"missing topic", {topic(kTransferTopic), topic(kFromTopic)}, data, Errc::kWrongLength},
      {"extra topic",
       {topic(kTransferTopic), topic(kFromTopic), topic(kToTopic), topic(kToTopic)},
       data,
       Errc::kWrongLength},
      {"dirty address topic",
       {topic(kTransferTopic),
        topic("0x0000000000000000000000015aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
        topic(kToTopic)},
       data,
       Errc::kOutOfRange},
      {"empty data",
       {topic(kTransferTopic), topic(kFromTopic), topic(kToTopic)},
       {},
       Errc::kTruncated},
      {"trailing data",
       {topic(kTransferTopic), topic(kFromTopic), topic(kToTopic)},
       trailing,
       Errc::kTrailingBytes},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto fields = abi_decode_log(event, c.topics, c.data);
    ASSERT_FALSE(fields);
    EXPECT_EQ(fields.error(), make_error_code(c.error));
  }
}

TEST(AbiEvent, IndexedDynamicValuesAreHashes) {
  const auto event =
      parse_abi_event("Named(string indexed label,uint8[2] indexed pair,bytes data)");
  ASSERT_TRUE(event);
  const Hash32 label_hash = keccak256(std::string_view("lottery"));
  const Hash32 pair_hash =
      keccak256(unhex("0x0000000000000000000000000000000000000000000000000000000000000001"
                      "0000000000000000000000000000000000000000000000000000000000000002"));
  const std::vector<Hash32> topics = {event->topic0(), label_hash, pair_hash};
  const AbiType bytes_type = AbiType::bytes();
  const AbiList data_values = {abi_bytes({0xde, 0xad})};
  const auto data = abi_encode(std::span<const AbiType>(&bytes_type, 1), data_values);
  ASSERT_TRUE(data);

  const auto fields = abi_decode_log(*event, topics, *data);
  ASSERT_TRUE(fields) << fields.error().message();
  ASSERT_EQ(fields->size(), 3U);
  EXPECT_TRUE((*fields)[0].hashed);
  EXPECT_EQ(*(*fields)[0].value.as_bytes(), Bytes(label_hash.begin(), label_hash.end()));
  EXPECT_TRUE((*fields)[1].hashed);
  EXPECT_EQ(*(*fields)[1].value.as_bytes(), Bytes(pair_hash.begin(), pair_hash.end()));
  EXPECT_FALSE((*fields)[2].hashed);
  EXPECT_EQ(*(*fields)[2].value.as_bytes(), (Bytes{0xde, 0xad}));
}

TEST(AbiEvent, AnonymousEventsHaveNoTopic0) {
  const auto event = parse_abi_event(
      "Anon(uint256 indexed a,bool indexed b,int8 indexed c,address indexed d) "
      "anonymous");
  ASSERT_TRUE(event);
  const std::vector<Hash32> topics = {
      topic("0x0000000000000000000000000000000000000000000000000000000000000007"),
      topic("0x0000000000000000000000000000000000000000000000000000000000000001"),
      topic("0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"), topic(kToTopic)};
  const auto fields = abi_decode_log(*event, topics, {});
  ASSERT_TRUE(fields) << fields.error().message();
  EXPECT_EQ(*(*fields)[0].value.as_u256(), U256{7});
  EXPECT_EQ(*(*fields)[1].value.as_bool(), true);
  EXPECT_EQ((*fields)[2].value, abi_int(-2));
  EXPECT_EQ(*(*fields)[3].value.as_address(),
            address("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"));

  // Four indexed inputs need topic0's slot: too many for a non-anonymous event.
  AbiEvent named = *event;
  named.anonymous = false;
  std::vector<Hash32> five = topics;
  five.insert(five.begin(), named.topic0());
  EXPECT_EQ(abi_decode_log(named, five, {}).error(), make_error_code(Errc::kInvalidType));
}

}  // namespace
}  // namespace lottery::eth
