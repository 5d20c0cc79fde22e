// SPDX-License-Identifier: Apache-2.0
// RpcChainSource over a real RpcClient whose transport answers from a script,
// so the views, headers and logs a hostile node could send reach the strict
// parsers exactly as they would from the wire.

#include "fake_chain.hpp"

#include "contract/calls.hpp"
#include "eth/hex.hpp"
#include "follower/rpc_chain_source.hpp"
#include "rpc/client.hpp"
#include "rpc/endpoint.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <functional>

namespace lottery::follower {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

/// Answers each JSON-RPC call with `answer(method, params)`: a result value,
/// or an object {"__error": {...}} to send as the call's error.
class ScriptedTransport final : public rpc::Transport {
 public:
  using Answer = std::function<json::value(const std::string& method, const json::array& params)>;
  explicit ScriptedTransport(Answer answer)
      : endpoint_(rpc::parse_endpoint("http://node.test")), answer_(std::move(answer)) {}

  infra::Task<std::string> request(std::string payload, std::vector<rpc::RequestId>,
                                   std::chrono::milliseconds) override {
    co_return reply_to(payload);
  }
  const rpc::Endpoint& endpoint() const noexcept override { return endpoint_; }
  void close() override {}

 private:
  std::string reply_to(const std::string& payload) const {
    const json::value request = json::parse(payload);
    if (request.is_array()) {
      json::array replies;
      for (const auto& r : request.as_array()) replies.push_back(one(r.as_object()));
      return json::serialize(replies);
    }
    return json::serialize(one(request.as_object()));
  }
  json::value one(const json::object& request) const {
    json::object reply;
    reply["jsonrpc"] = "2.0";
    reply["id"] = request.at("id");
    json::value answer =
        answer_(std::string(request.at("method").as_string()), request.at("params").as_array());
    if (answer.is_object() && answer.as_object().contains("__error")) {
      reply["error"] = answer.at("__error");
    } else {
      reply["result"] = answer;
    }
    return reply;
  }

  rpc::Endpoint endpoint_;
  Answer answer_;
};

std::string words(std::initializer_list<std::string> hex_words) {
  std::string out = "0x";
  for (const auto& w : hex_words) out += w;
  return out;
}
std::string word(std::uint64_t v) {
  return eth::hex_encode(testing::word(eth::U256(v))).substr(2);
}
std::string addr_word(std::uint8_t n) {
  return eth::hex_encode(testing::address_word(testing::player(n))).substr(2);
}

const std::string kSelectorGetRound = "0x9f8743f7";
const std::string kSelectorParticipants = "0xbd5c8d99";

std::string round_result() {
  return words({word(3), word(100), word(280), word(285), word(460), word(5000), word(2),
                addr_word(0), word(0), word(0), word(1)});
}
std::string participants_result() {
  return words({word(0x40), word(0xa0), word(2), addr_word(1), addr_word(2), word(2), word(2000),
                word(3000)});
}
std::string config_result() {
  return words({addr_word(7), addr_word(8), word(500), word(1000), word(180), word(5), word(180),
                word(60), word(2)});
}

json::value node_error(int code, const std::string& message) {
  json::object e;
  e["code"] = code;
  e["message"] = message;
  json::object wrapper;
  wrapper["__error"] = e;
  return wrapper;
}

std::string selector_of(const json::array& params) {
  return std::string(params.at(0).as_object().at("data").as_string()).substr(0, 10);
}

struct SourceFixture {
  asio::io_context io;
  std::unique_ptr<rpc::RpcClient> client;
  std::unique_ptr<RpcChainSource> source;

  explicit SourceFixture(ScriptedTransport::Answer answer) {
    std::vector<std::shared_ptr<rpc::Transport>> transports{
        std::make_shared<ScriptedTransport>(std::move(answer))};
    rpc::ClientOptions options;
    options.max_attempts = 1;
    client = std::make_unique<rpc::RpcClient>(io.get_executor(), transports, options);
    source = std::make_unique<RpcChainSource>(*client, testing::contract_address());
  }
  template <class T>
  T run(infra::Task<T> task) {
    auto future = asio::co_spawn(io, std::move(task), asio::use_future);
    io.restart();
    io.run();
    return future.get();
  }
};

json::value good_view(const json::array& params) {
  const std::string selector = selector_of(params);
  if (selector == kSelectorGetRound) return json::value(round_result());
  if (selector == kSelectorParticipants) return json::value(participants_result());
  if (selector == "0x" + eth::hex_encode_bare(contract::get_config_call()))
    return json::value(config_result());
  return json::value(words({word(500)}));  // maxParticipants
}

TEST(RpcChainSource, ReadsTheViewsInOneBatchAtTheBlock) {
  std::vector<std::string> blocks;
  SourceFixture f([&](const std::string& method, const json::array& params) -> json::value {
    EXPECT_EQ(method, "eth_call");
    blocks.emplace_back(params.at(1).as_string());
    return good_view(params);
  });
  const ContractState state = f.run(f.source->read_state(7, true));
  EXPECT_EQ(blocks, (std::vector<std::string>{"0x7", "0x7", "0x7", "0x7"}));
  EXPECT_EQ(state.round.round_id, 3u);
  EXPECT_EQ(state.round.state, store::RoundState::kBetting);
  ASSERT_EQ(state.participants.size(), 2u);
  EXPECT_EQ(state.participants[1].address, testing::player(2));
  EXPECT_EQ(state.participants[1].total_wei, eth::U256(3000));
  ASSERT_TRUE(state.config);
  EXPECT_EQ(state.config->publisher_commission_bps, 500u);
  EXPECT_EQ(state.config->max_participants, 500u);
}

TEST(RpcChainSource, AContractWithoutTheCapViewGivesAnUnknownCap) {
  SourceFixture f([&](const std::string&, const json::array& params) -> json::value {
    const std::string selector = selector_of(params);
    if (selector == "0x" + eth::hex_encode_bare(contract::max_participants_call()))
      return node_error(3, "execution reverted");
    return good_view(params);
  });
  const ContractState state = f.run(f.source->read_state(7, true));
  ASSERT_TRUE(state.config);
  EXPECT_EQ(state.config->max_participants, 0u);
}

TEST(RpcChainSource, HostileViewDataIsAClearError) {
  SourceFixture f([&](const std::string&, const json::array& params) -> json::value {
    if (selector_of(params) == kSelectorGetRound) return json::value("0x1234");  // truncated struct
    return good_view(params);
  });
  try {
    (void)f.run(f.source->read_state(9, false));
    FAIL() << "expected ChainDataError";
  } catch (const ChainDataError& e) {
    EXPECT_NE(std::string(e.what()).find("getRound() at block 9"), std::string::npos) << e.what();
  }
  SourceFixture g([&](const std::string&, const json::array& params) -> json::value {
    if (selector_of(params) == kSelectorParticipants) return json::value(42);  // not even hex
    return good_view(params);
  });
  EXPECT_THROW((void)g.run(g.source->read_state(9, false)), rpc::RpcException);
}

json::value header_json(std::uint64_t number) {
  json::object h;
  h["number"] = "0x" + std::to_string(number);  // single digits only in these tests
  h["hash"] = eth::hex_encode(testing::word(eth::U256(1000 + number)));
  h["parentHash"] = eth::hex_encode(testing::word(eth::U256(1000 + number - 1)));
  h["timestamp"] = "0x64";
  return h;
}

TEST(RpcChainSource, HeadersMustBeTheOnesAskedFor) {
  SourceFixture f([&](const std::string& method, const json::array& params) -> json::value {
    EXPECT_EQ(method, "eth_getBlockByNumber");
    const std::string tag(params.at(0).as_string());
    if (tag == "0x5") return header_json(6);  // the wrong block
    return header_json(static_cast<std::uint64_t>(std::stoul(tag.substr(2), nullptr, 16)));
  });
  EXPECT_EQ(f.run(f.source->headers(2, 4)).size(), 3u);
  EXPECT_THROW((void)f.run(f.source->headers(4, 5)), ChainDataError);
  EXPECT_THROW((void)f.run(f.source->header_at(5)), ChainDataError);

  SourceFixture g([&](const std::string&, const json::array&) -> json::value {
    json::value h = header_json(3);
    h.as_object()["hash"] = "0xabc";  // not 32 bytes
    return h;
  });
  EXPECT_THROW((void)g.run(g.source->latest_header()), rpc::RpcException);
}

TEST(RpcChainSource, LogsOfAnotherContractOrBlockAreRefused) {
  std::string address = eth::to_lower_hex(testing::contract_address());
  std::string block = "0x5";
  SourceFixture f([&](const std::string& method, const json::array&) -> json::value {
    EXPECT_EQ(method, "eth_getLogs");
    json::object log;
    log["address"] = address;
    log["topics"] = json::array{json::value(eth::hex_encode(testing::word(eth::U256(1))))};
    log["data"] = "0x";
    log["blockNumber"] = block;
    log["blockHash"] = eth::hex_encode(testing::word(eth::U256(5)));
    log["transactionHash"] = eth::hex_encode(testing::word(eth::U256(6)));
    log["transactionIndex"] = "0x0";
    log["logIndex"] = "0x0";
    log["removed"] = false;
    return json::array{log};
  });
  EXPECT_EQ(f.run(f.source->get_logs(4, 6)).size(), 1u);
  address = eth::to_lower_hex(testing::player(9));
  EXPECT_THROW((void)f.run(f.source->get_logs(4, 6)), ChainDataError);
  address = eth::to_lower_hex(testing::contract_address());
  block = "0x9";
  EXPECT_THROW((void)f.run(f.source->get_logs(4, 6)), ChainDataError);
}

}  // namespace
}  // namespace lottery::follower
