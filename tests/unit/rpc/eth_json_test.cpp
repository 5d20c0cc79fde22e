// SPDX-License-Identifier: Apache-2.0
#include "rpc/eth_json.hpp"

#include "eth/hex.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

using namespace lottery::rpc;
namespace json = boost::json;
namespace eth = lottery::eth;

namespace {

const char* kHashA = "0x1111111111111111111111111111111111111111111111111111111111111111";
const char* kHashB = "0x2222222222222222222222222222222222222222222222222222222222222222";

json::value block_json() {
  return json::parse(
      std::string(R"({"number":"0x1b4","hash":")") + kHashA + R"(","parentHash":")" + kHashB +
      R"(","timestamp":"0x65a0b1c2","baseFeePerGas":"0x3b9aca00","transactions":[]})");
}

template <class F>
std::string malformed_message(F&& f) {
  try {
    f();
  } catch (const RpcException& e) {
    EXPECT_EQ(e.kind(), RpcErrc::kMalformedResponse);
    return e.error().message;
  }
  return "accepted";
}

}  // namespace

TEST(EthJson, Requests) {
  EXPECT_EQ(json::serialize(eth_json::block_by_number_request(BlockTag::at(26)).params),
            R"(["0x1a",false])");
  EXPECT_EQ(json::serialize(eth_json::block_by_number_request(BlockTag::latest()).params),
            R"(["latest",false])");
  LogFilter filter;
  filter.addresses.push_back(*eth::parse_address("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
  filter.topics = {{*eth::hex_decode_fixed<32>(kHashA)},
                   {},
                   {*eth::hex_decode_fixed<32>(kHashA), *eth::hex_decode_fixed<32>(kHashB)}};
  filter.from_block = 0;
  filter.to_block = 255;
  auto call = eth_json::get_logs_request(filter);
  EXPECT_EQ(call.method, "eth_getLogs");
  EXPECT_EQ(
      call.params,
      json::parse(
          std::string(
              R"([{"fromBlock":"0x0","toBlock":"0xff","address":"0x5fbdb2315678afecb367f032d93f642f64180aa3","topics":[")") +
          kHashA + R"(",null,[")" + kHashA + R"(",")" + kHashB + R"("]]}])"));
  filter.from_block = 300;
  EXPECT_THROW(eth_json::get_logs_request(filter), std::invalid_argument);

  CallRequest req;
  req.to = filter.addresses.front();
  req.data = {0xab, 0xcd};
  req.value = eth::U256(1000);
  EXPECT_EQ(
      eth_json::eth_call_request(req, BlockTag::pending()).params,
      json::parse(
          R"([{"to":"0x5fbdb2315678afecb367f032d93f642f64180aa3","input":"0xabcd","data":"0xabcd","value":"0x3e8"},"pending"])"));
  const double percentiles[] = {25.0, 50.4, 120.0, -3.0};
  EXPECT_EQ(eth_json::fee_history_request(5, BlockTag::latest(), percentiles).params,
            json::parse(R"(["0x5","latest",[25,50,100,0]])"));
  EXPECT_EQ(json::serialize(
                eth_json::transaction_count_request(filter.addresses.front(), BlockTag::pending())
                    .params),
            R"(["0x5fbdb2315678afecb367f032d93f642f64180aa3","pending"])");
}

TEST(EthJson, BlockHeader) {
  auto header = eth_json::parse_block_header(block_json());
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(header->number, 436u);
  EXPECT_EQ(eth::hex_encode(header->hash), kHashA);
  EXPECT_EQ(eth::hex_encode(header->parent_hash), kHashB);
  EXPECT_EQ(header->timestamp, 0x65a0b1c2u);
  EXPECT_EQ(header->base_fee_per_gas, eth::U256(1000000000));
  EXPECT_FALSE(eth_json::parse_block_header(json::value(nullptr)).has_value());

  auto legacy = block_json();
  legacy.as_object().erase("baseFeePerGas");
  EXPECT_FALSE(eth_json::parse_block_header(legacy)->base_fee_per_gas.has_value());
}

TEST(EthJson, HostileBlockHeaders) {
  auto mutate = [](const char* key, json::value v) {
    auto b = block_json();
    if (v.is_null() && std::string(key) != "baseFeePerGas") {
      b.as_object().erase(key);
    } else {
      b.as_object()[key] = v;
    }
    return b;
  };
  EXPECT_NE(malformed_message([&] {
              eth_json::parse_block_header(mutate("hash", nullptr));
            }).find("block.hash is missing"),
            std::string::npos);
  EXPECT_NE(malformed_message([&] {
              eth_json::parse_block_header(mutate("hash", "0x1234"));
            }).find("block.hash"),
            std::string::npos);
  EXPECT_NE(malformed_message([&] {
              eth_json::parse_block_header(mutate("number", 5));
            }).find("block.number is not a string"),
            std::string::npos);
  EXPECT_NE(malformed_message([&] {
              eth_json::parse_block_header(mutate("number", "0x10000000000000000"));
            }).find("does not fit 64 bits"),
            std::string::npos);
  EXPECT_NE(malformed_message([&] {
              eth_json::parse_block_header(mutate("timestamp", "12"));
            }).find("block.timestamp"),
            std::string::npos);
  EXPECT_NE(malformed_message([&] {
              eth_json::parse_block_header(mutate("parentHash", "0xzz"));
            }).find("parentHash"),
            std::string::npos);
  EXPECT_NE(malformed_message([&] {
              eth_json::parse_block_header(
                  mutate("baseFeePerGas", json::value("0x1" + std::string(64, '0'))));
            }).find("baseFeePerGas"),
            std::string::npos);
  EXPECT_EQ(malformed_message([&] { eth_json::parse_block_header(json::parse("[1,2]")); }),
            "block is not an object");
}

TEST(EthJson, LogsAndReceipt) {
  const std::string log =
      std::string(R"({"address":"0x5fbdb2315678afecb367f032d93f642f64180aa3","topics":[")") +
      kHashA + R"("],"data":"0x0102","blockNumber":"0x5","blockHash":")" + kHashB +
      R"(","transactionHash":")" + kHashA +
      R"(","transactionIndex":"0x0","logIndex":"0x3","removed":false})";
  auto logs = eth_json::parse_logs(json::parse("[" + log + "]"));
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].block_number, 5u);
  EXPECT_EQ(logs[0].log_index, 3u);
  EXPECT_EQ(logs[0].data, (eth::Bytes{1, 2}));
  EXPECT_EQ(logs[0].topics.size(), 1u);
  EXPECT_FALSE(logs[0].removed);
  EXPECT_TRUE(eth_json::parse_logs(json::parse("[]")).empty());
  EXPECT_NE(malformed_message([] { eth_json::parse_logs(json::parse("{}")); }).find("not an array"),
            std::string::npos);

  auto five_topics = json::parse(log);
  auto& topics = five_topics.as_object()["topics"].as_array();
  while (topics.size() < 5) topics.push_back(topics.front());
  EXPECT_NE(malformed_message([&] { eth_json::parse_log(five_topics); }).find("more than 4"),
            std::string::npos);
  auto pending = json::parse(log);
  pending.as_object()["blockHash"] = nullptr;
  EXPECT_NE(malformed_message([&] { eth_json::parse_log(pending); }).find("log.blockHash"),
            std::string::npos);

  const std::string receipt =
      std::string(R"({"transactionHash":")") + kHashA + R"(","blockNumber":"0x5","blockHash":")" +
      kHashB +
      R"(","transactionIndex":"0x0","from":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","to":null,"contractAddress":"0x5fbdb2315678afecb367f032d93f642f64180aa3","status":"0x1","gasUsed":"0x5208","cumulativeGasUsed":"0x5208","effectiveGasPrice":"0x3b9aca00","logs":[)" +
      log + "]}";
  auto r = eth_json::parse_receipt(json::parse(receipt));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->status);
  EXPECT_EQ(r->gas_used, 21000u);
  EXPECT_FALSE(r->to.has_value());
  ASSERT_TRUE(r->contract_address.has_value());
  EXPECT_EQ(r->logs.size(), 1u);
  EXPECT_FALSE(eth_json::parse_receipt(json::value(nullptr)).has_value());
  auto bad_status = json::parse(receipt);
  bad_status.as_object()["status"] = "0x2";
  EXPECT_NE(malformed_message([&] { eth_json::parse_receipt(bad_status); }).find("status"),
            std::string::npos);
}

TEST(EthJson, FeeHistory) {
  auto fh = eth_json::parse_fee_history(json::parse(
      R"({"oldestBlock":"0x10","baseFeePerGas":["0x7","0x8","0x9"],"gasUsedRatio":[0.5,0],"reward":[["0x1","0x2"],["0x3","0x4"]]})"));
  EXPECT_EQ(fh.oldest_block, 16u);
  EXPECT_EQ(fh.base_fee_per_gas.size(), 3u);
  EXPECT_EQ(fh.base_fee_per_gas[2], eth::U256(9));
  EXPECT_DOUBLE_EQ(fh.gas_used_ratio[0], 0.5);
  EXPECT_EQ(fh.reward[1][1], eth::U256(4));
  EXPECT_NE(malformed_message([] {
              eth_json::parse_fee_history(json::parse(
                  R"({"oldestBlock":"0x1","baseFeePerGas":["0x1"],"gasUsedRatio":[0.5,0.5,0.5]})"));
            }).find("length"),
            std::string::npos);
  EXPECT_NE(malformed_message([] {
              eth_json::parse_fee_history(json::parse(
                  R"({"oldestBlock":"0x1","baseFeePerGas":["0x1","0x2"],"gasUsedRatio":["x"]})"));
            }).find("gasUsedRatio"),
            std::string::npos);
  EXPECT_NE(malformed_message([] {
              eth_json::parse_fee_history(json::parse(
                  R"({"oldestBlock":"0x1","baseFeePerGas":["0x1","0x2"],"gasUsedRatio":[-1.0]})"));
            }).find("non-negative"),
            std::string::npos);
}

TEST(EthJson, ScalarParsers) {
  EXPECT_EQ(eth_json::parse_u64(json::value("0x0"), "x"), 0u);
  EXPECT_EQ(eth_json::parse_u64(json::value("0xffffffffffffffff"), "x"), UINT64_MAX);
  EXPECT_NE(malformed_message([] { eth_json::parse_u64(json::value("0x"), "x"); }), "accepted");
  EXPECT_NE(malformed_message([] { eth_json::parse_u64(json::value("1"), "x"); }), "accepted");
  EXPECT_NE(malformed_message([] { eth_json::parse_u64(json::value(1), "x"); }), "accepted");
  EXPECT_EQ(eth_json::parse_data(json::value("0x"), "x"), eth::Bytes{});
  EXPECT_NE(malformed_message([] { eth_json::parse_data(json::value("0x123"), "x"); }), "accepted");
  EXPECT_NE(malformed_message([] { eth_json::parse_address(json::value("0x1234"), "x"); }),
            "accepted");
}
