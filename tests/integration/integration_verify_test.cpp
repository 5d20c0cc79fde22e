// SPDX-License-Identifier: Apache-2.0
// `lottery verify --round N` against a real Anvil chain with the real
// contract: a drawn round matches, unfinished, refunded and unknown rounds are
// refused with exit 2, and a node that lies about the paid winner (a proxy
// that rewrites the RoundCompleted log) is caught with exit 1.

#include "contract/events.hpp"
#include "eth/hex.hpp"
#include "support/anvil_process.hpp"
#include "support/fake_rpc_server.hpp"
#include "support/lottery_chain.hpp"
#include "support/process_runner.hpp"

#include <boost/json.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lottery::integration {
namespace {

namespace json = boost::json;

constexpr std::uint64_t kBettingSeconds = 180;  // the contract's default bettingDuration
constexpr std::uint64_t kMaxDrawDelay = 180;    // maxDrawDelayAfterEnd

ProcessResult verify(const std::string& rpc_url, const std::string& contract,
                     const std::string& round, bool as_json = false) {
  std::vector<std::string> argv = {LOTTERY_BIN, "verify", "--round",    round,
                                   "--rpc-url", rpc_url,  "--contract", contract};
  if (as_json) argv.emplace_back("--json");
  return run_process(argv, std::chrono::seconds(60));
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The winner topic of the chain's only RoundCompleted log, as a lower-case address.
std::string logged_winner(LotteryChain& chain) {
  const std::string completed = eth::hex_encode(*contract::topic_for_event("RoundCompleted"));
  for (const auto& log : chain.get_logs(0, chain.block_number())) {
    const auto& topics = log.at("topics").as_array();
    if (topics.size() == 3 && lower(std::string(topics[0].as_string())) == completed) {
      const std::string topic(topics[2].as_string());
      return "0x" + topic.substr(topic.size() - 40);
    }
  }
  return {};
}

class VerifyIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!AnvilProcess::available()) GTEST_SKIP() << "node_modules/.bin/anvil missing; run npm ci";
    chain_ = std::make_unique<LotteryChain>();
    // Round 1: three players, drawn inside the window.
    chain_->bet(2, kMinBetWei);
    chain_->bet(3, 2 * kMinBetWei);
    chain_->bet(4, 3 * kMinBetWei);
    chain_->increase_time(kBettingSeconds + 10);
    chain_->draw_winner();
  }
  std::unique_ptr<LotteryChain> chain_;
};

TEST_F(VerifyIntegration, ADrawnRoundMatchesAndTheJsonHasTheApiShape) {
  const std::string winner = logged_winner(*chain_);
  ASSERT_EQ(winner.size(), 42u);

  const ProcessResult text = verify(chain_->http_url(), chain_->contract_address(), "1");
  ASSERT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_NE(text.out.find("MATCH: the draw followed the published seed"), std::string::npos)
      << text.out;
  EXPECT_NE(lower(text.out).find(winner), std::string::npos) << text.out;

  // Over WebSocket too, as JSON.
  const ProcessResult as_json = verify(chain_->ws_url(), chain_->contract_address(), "1", true);
  ASSERT_EQ(as_json.exit_code, 0) << as_json.out << as_json.err;
  const json::object body = json::parse(as_json.out).as_object();
  EXPECT_EQ(body.at("round_id").as_int64(), 1);
  EXPECT_TRUE(body.at("match").as_bool());
  EXPECT_TRUE(body.at("bets_complete").as_bool());
  EXPECT_EQ(body.at("total_pot_wei").as_string(), std::to_string(6 * kMinBetWei));
  EXPECT_EQ(lower(std::string(body.at("onchain_winner").as_string())), winner);
  EXPECT_EQ(body.at("expected_winner"), body.at("onchain_winner"));
  EXPECT_EQ(body.at("random_seed").as_string().size(), 66u);
}

TEST_F(VerifyIntegration, RoundsThatCannotBeCheckedExitWithTwoAndSayWhy) {
  const std::string contract = chain_->contract_address();
  // Round 2 has started with one bet but is not drawn yet.
  chain_->bet(5, kMinBetWei);
  ProcessResult r = verify(chain_->http_url(), contract, "2");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("verify: round 2 is not finished yet (state betting)"), std::string::npos)
      << r.err;

  // ... and once it expired and was refunded there is no winner to check.
  chain_->increase_time(kBettingSeconds + kMaxDrawDelay + 10);
  chain_->refund_expired_round(6);
  r = verify(chain_->http_url(), contract, "2");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("round 2 was refunded: no winner was drawn"), std::string::npos) << r.err;

  r = verify(chain_->http_url(), contract, "99");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("round 99 does not exist on 0x"), std::string::npos) << r.err;

  r = verify(chain_->http_url(), "0x1234", "1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--contract"), std::string::npos) << r.err;

  r = verify("http://127.0.0.1:1", contract, "1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("verify: "), std::string::npos) << r.err;

  r = verify(chain_->http_url(), contract, "0");
  EXPECT_NE(r.exit_code, 0) << "round ids start at 1";
}

TEST_F(VerifyIntegration, ANodeThatRewritesThePaidWinnerIsCaught) {
  const std::string real_winner = logged_winner(*chain_);
  ASSERT_EQ(real_winner.size(), 42u);
  // Any dev account that is not the real winner.
  std::string liar;
  for (std::size_t i = 2; i <= 4 && liar.empty(); ++i) {
    if (LotteryChain::address(i) != real_winner) liar = LotteryChain::address(i);
  }
  ASSERT_FALSE(liar.empty());
  const std::string liar_topic = "0x" + std::string(24, '0') + liar.substr(2);

  // A proxy in front of Anvil that forwards every call and rewrites the winner
  // topic of the logs it returns.
  AnvilProcess& anvil = chain_->anvil();
  FakeRpcServer proxy([&anvil, &liar_topic](const std::string& request) {
    const json::object call = json::parse(request).as_object();
    const std::string method(call.at("method").as_string());
    const std::string params = json::serialize(call.at("params"));
    json::object reply = json::parse(anvil.rpc(method, params)).as_object();
    reply["id"] = call.at("id");
    if (method == "eth_getLogs" && reply.contains("result")) {
      for (auto& log : reply["result"].as_array()) {
        auto& topics = log.as_object()["topics"].as_array();
        if (topics.size() == 3) topics[2] = json::string(liar_topic);
      }
    }
    return FakeReply(json::serialize(reply));
  });

  const ProcessResult r = verify(proxy.http_url(), chain_->contract_address(), "1");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("MISMATCH"), std::string::npos) << r.out;
  EXPECT_NE(lower(r.out).find(liar), std::string::npos) << r.out;
}

}  // namespace
}  // namespace lottery::integration
