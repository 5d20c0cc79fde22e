// SPDX-License-Identifier: Apache-2.0
// The operator against a real Anvil and the real Lottery contract: it draws as soon as the window
// opens and exactly once, refunds rounds with too few players or past their window, re-evaluates
// after a reorg removed its draw, replaces a stuck transaction with the same nonce, stays
// read-only without a key, and does not send what its simulation says would revert.
//
// Heads are driven by hand: after each mined block the test reads the head and the round from the
// chain (independently of our follower) and awaits `Operator::on_head`.

#include "contract/calls.hpp"
#include "contract/views.hpp"
#include "eth/hex.hpp"
#include "eth/secp256k1.hpp"
#include "follower/follower.hpp"
#include "follower/rpc_chain_source.hpp"
#include "infra/task_group.hpp"
#include "operation/node.hpp"
#include "operation/operator.hpp"
#include "rpc/client.hpp"
#include "store/store.hpp"
#include "support/log_capture.hpp"
#include "support/lottery_chain.hpp"
#include "support/rpc_client_thread.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <chrono>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

namespace lottery::integration {
namespace {

namespace json = boost::json;
using operation::HeadView;
using operation::Operator;
using operation::OperatorOptions;
using store::RoundState;

eth::Bytes from_hex(std::string_view text) {
  return eth::hex_decode(text).value();
}

/// Everything one scenario needs: a chain with the contract, an RPC client on a background
/// io_context, a store and an operator (with the contract's operator key unless told otherwise).
class Harness {
 public:
  explicit Harness(std::optional<std::size_t> key_account = 1) : rpc_(chain.http_url()) {
    node_ = std::make_shared<operation::RpcNode>(rpc_.client());

    OperatorOptions options;
    options.contract_address = eth::parse_address(chain.contract_address()).value();
    options.chain_id = 31337;
    options.replace_after_blocks = 3;
    op = std::make_unique<Operator>(node_, store, options);
    if (key_account) set_key(*key_account);
  }

  ~Harness() {
    // The operator and its node use the client: gone before `rpc_` closes it.
    op.reset();
    node_.reset();
  }

  void set_key(std::size_t account) {
    op->set_signer(eth::PrivateKey::from_hex(LotteryChain::private_key(account)).value());
  }

  /// The latest head and the round at it, read straight from the node.
  HeadView read_head() {
    const std::uint64_t number = chain.block_number();
    const json::object block = chain.block(number).as_object();
    HeadView head;
    head.block_number = number;
    head.block_hash = eth::hex_decode_fixed<32>(std::string(block.at("hash").as_string())).value();
    head.timestamp = parse_quantity(block.at("timestamp"));
    if (const auto* fee = block.if_contains("baseFeePerGas")) {
      head.base_fee = eth::u256_from_quantity(std::string(fee->as_string())).value();
    }
    head.round = current_round();
    return head;
  }

  store::Round current_round() {
    return contract::decode_round(from_hex(chain.call(LotteryChain::kGetRound))).value();
  }
  store::Round last_round() {
    return contract::decode_round(
               from_hex(chain.call(eth::hex_encode(contract::get_last_round_call()))))
        .value();
  }

  /// Awaits `on_head` for the current head; returns it.
  HeadView drive() {
    HeadView head = read_head();
    boost::asio::co_spawn(io(), op->on_head(head), boost::asio::use_future).get();
    return head;
  }

  /// Mines one block whose timestamp is exactly `t`.
  void mine_at(std::uint64_t t) {
    json::array params;
    params.emplace_back(t);
    chain.rpc("evm_setNextBlockTimestamp", params);
    chain.mine();
  }

  std::uint64_t nonce_of(std::size_t account, const char* tag = "latest") {
    return chain.nonce(LotteryChain::address(account), tag);
  }

  boost::asio::io_context& io() { return rpc_.io(); }
  rpc::RpcClient& client() { return rpc_.client(); }

  /// Declared first: captures from before the chain starts until everything else is gone.
  LogCapture logs;
  LotteryChain chain;
  store::Store store;
  std::unique_ptr<Operator> op;

 private:
  RpcClientThread rpc_;
  std::shared_ptr<operation::RpcNode> node_;
};

constexpr std::string_view kRoundCompleted =
    "RoundCompleted(uint256,address,uint256,uint256,uint256,uint256,uint256,uint256)";
constexpr std::string_view kRoundRefunded = "RoundRefunded(uint256,uint256,uint256,string,uint256)";

bool skip_without_anvil() {
  return !AnvilProcess::available();
}

#define LOTTERY_REQUIRE_ANVIL() \
  if (skip_without_anvil()) GTEST_SKIP() << "node_modules/.bin/anvil missing; run npm ci"

TEST(OperatorIntegration, DrawsWithinOneBlockOfTheWindowAndLandsOnce) {
  LOTTERY_REQUIRE_ANVIL();
  Harness h;
  h.chain.bet(2, kMinBetWei);
  h.chain.bet(3, 2 * kMinBetWei);
  h.chain.bet(4, 3 * kMinBetWei);
  const store::Round round = h.current_round();
  ASSERT_EQ(round.state, RoundState::kBetting);
  ASSERT_EQ(round.participant_count, 3u);
  h.drive();
  EXPECT_EQ(h.op->status().status, store::OperatorRunState::kRunning);
  EXPECT_EQ(h.store.snapshot()->operator_status.status, store::OperatorRunState::kRunning);

  h.mine_at(round.min_draw_time - 1);
  h.drive();
  EXPECT_EQ(h.nonce_of(1), 0u) << "nothing before minDrawTime";

  h.mine_at(round.min_draw_time);
  const HeadView opened = h.drive();
  EXPECT_EQ(h.nonce_of(1, "pending"), 1u) << h.logs.dump();
  // Automine: the draw is in the block right after the head that opened the window.
  const HeadView after = h.drive();
  EXPECT_EQ(after.block_number, opened.block_number + 1);
  const store::Round done = h.last_round();
  EXPECT_EQ(done.round_id, round.round_id);
  EXPECT_EQ(done.state, RoundState::kCompleted);
  EXPECT_FALSE(done.winner.is_zero());
  EXPECT_EQ(h.current_round().round_id, round.round_id + 1);
  EXPECT_EQ(h.op->stats().mined, 1u);

  for (int i = 0; i < 4; ++i) {
    h.chain.mine();
    h.drive();
  }
  EXPECT_EQ(h.nonce_of(1), 1u) << "exactly one operator transaction";
  EXPECT_EQ(h.chain.count_logs(kRoundCompleted), 1u);
  EXPECT_FALSE(h.op->status().pending_tx.has_value());
  EXPECT_GT(h.op->status().balance_wei, 0);
  std::printf(
      "[operator] lifecycle: 3 players, window opened at block %llu (t=%llu), drawn in block %llu, "
      "winner %s, operator nonce 0 -> 1\n",
      static_cast<unsigned long long>(opened.block_number),
      static_cast<unsigned long long>(opened.timestamp),
      static_cast<unsigned long long>(after.block_number), eth::to_checksum(done.winner).c_str());
}

TEST(OperatorIntegration, RefundsTooFewPlayersAndExpiredRoundsWithoutDuplicates) {
  LOTTERY_REQUIRE_ANVIL();
  Harness h;
  // One player: drawWinner refunds ("Insufficient participants").
  h.chain.bet(2, kMinBetWei);
  const store::Round lonely = h.current_round();
  h.mine_at(lonely.min_draw_time);
  h.drive();
  h.drive();
  const store::Round refunded = h.last_round();
  EXPECT_EQ(refunded.round_id, lonely.round_id);
  EXPECT_EQ(refunded.state, RoundState::kRefunded);
  EXPECT_EQ(h.nonce_of(1), 1u);

  // Two players, operator disabled until the window has closed, then enabled: refundExpiredRound.
  h.chain.bet(3, kMinBetWei);
  h.chain.bet(4, kMinBetWei);
  const store::Round expiring = h.current_round();
  ASSERT_EQ(expiring.round_id, lonely.round_id + 1);
  h.op->set_enabled(false);
  h.mine_at(expiring.min_draw_time);
  h.drive();
  h.mine_at(expiring.max_draw_time + 1);
  h.drive();
  EXPECT_EQ(h.nonce_of(1), 1u) << "disabled: nothing sent";
  EXPECT_EQ(h.store.snapshot()->operator_status.status, store::OperatorRunState::kStopped);
  h.op->set_enabled(true);
  h.drive();
  h.drive();
  const store::Round expired = h.last_round();
  EXPECT_EQ(expired.round_id, expiring.round_id);
  EXPECT_EQ(expired.state, RoundState::kRefunded);
  for (int i = 0; i < 5; ++i) {
    h.chain.mine();
    h.drive();
  }
  EXPECT_EQ(h.nonce_of(1), 2u) << "one draw, one refund, no duplicate";
  EXPECT_EQ(h.chain.count_logs(kRoundRefunded), 2u);
  EXPECT_EQ(h.chain.count_logs(kRoundCompleted), 0u);
  std::printf(
      "[operator] refunds: round %llu refunded by drawWinner (1 player), round %llu by "
      "refundExpiredRound after maxDrawTime; operator sent exactly 2 transactions\n",
      static_cast<unsigned long long>(refunded.round_id),
      static_cast<unsigned long long>(expired.round_id));
}

TEST(OperatorIntegration, AReorgThatRemovesTheDrawIsReEvaluatedAndDrawnOnce) {
  LOTTERY_REQUIRE_ANVIL();
  Harness h;
  h.chain.bet(2, kMinBetWei);
  h.chain.bet(3, kMinBetWei);
  const store::Round round = h.current_round();
  h.mine_at(round.min_draw_time);
  h.drive();
  const HeadView mined = h.drive();
  ASSERT_EQ(h.last_round().state, RoundState::kCompleted);
  ASSERT_EQ(h.op->stats().mined, 1u);
  const std::uint64_t draw_block = mined.block_number;

  // Replace the draw's block with an empty one: on the new chain the round is BETTING again.
  h.chain.reorg(1);
  const HeadView reorged = h.read_head();
  ASSERT_EQ(reorged.block_number, draw_block);
  ASSERT_NE(reorged.block_hash, mined.block_hash);
  const bool removed = h.current_round().state == RoundState::kBetting;
  ASSERT_TRUE(removed) << "anvil_reorg kept the draw";

  h.drive();  // sees the reorg, re-decides on the new state, re-sends with the same nonce
  EXPECT_EQ(h.op->stats().reorged, 1u) << h.logs.dump();
  for (int i = 0; i < 4; ++i) {
    h.chain.mine();
    h.drive();
  }
  EXPECT_EQ(h.last_round().round_id, round.round_id);
  EXPECT_EQ(h.last_round().state, RoundState::kCompleted);
  EXPECT_EQ(h.current_round().round_id, round.round_id + 1);
  EXPECT_EQ(h.chain.count_logs(kRoundCompleted), 1u) << "drawn exactly once on the new chain";
  EXPECT_EQ(h.nonce_of(1), 1u);
  EXPECT_EQ(h.op->stats().mined, 2u);
  if (std::getenv("OPERATOR_TEST_LOG") != nullptr) std::printf("%s", h.logs.dump().c_str());
  std::printf(
      "[operator] reorg: draw in block %llu removed by anvil_reorg; operator re-evaluated and the "
      "round was drawn once on the new chain (operator nonce 1)\n",
      static_cast<unsigned long long>(draw_block));
}

TEST(OperatorIntegration, AStuckTransactionIsReplacedWithTheSameNonceAndOneLands) {
  LOTTERY_REQUIRE_ANVIL();
  Harness h;
  h.chain.bet(2, kMinBetWei);
  h.chain.bet(3, kMinBetWei);
  const store::Round round = h.current_round();
  h.chain.set_automine(false);
  h.mine_at(round.min_draw_time);
  const HeadView sent_at = h.drive();
  const auto intent = h.op->pending_intent();
  ASSERT_TRUE(intent.has_value()) << h.logs.dump();
  ASSERT_EQ(intent->attempts.size(), 1u);
  const operation::Fees first_fees = intent->attempts[0].fees;
  const eth::Hash32 first_hash = intent->attempts[0].hash;

  // The next block's base fee jumps far above our max fee: the draw cannot be included.
  const eth::U256 spike = first_fees.max_fee * 8;
  json::array params;
  params.emplace_back(eth::u256_to_quantity(spike));
  h.chain.rpc("anvil_setNextBlockBaseFeePerGas", params);
  for (int i = 0; i < 3; ++i) {
    h.chain.mine();
    h.drive();
  }
  EXPECT_EQ(h.nonce_of(1), 0u) << "still stuck";
  const auto replaced = h.op->pending_intent();
  ASSERT_TRUE(replaced.has_value());
  ASSERT_GE(replaced->attempts.size(), 2u) << h.logs.dump();
  const operation::Fees second_fees = replaced->attempts.back().fees;
  EXPECT_EQ(replaced->nonce, intent->nonce);
  EXPECT_GE(second_fees.max_fee * 8, first_fees.max_fee * 9);
  EXPECT_GE(second_fees.priority_fee * 8, first_fees.priority_fee * 9);

  h.chain.mine();
  h.drive();
  h.chain.set_automine(true);
  for (int i = 0; i < 3; ++i) {
    h.chain.mine();
    h.drive();
  }
  EXPECT_EQ(h.nonce_of(1), 1u) << "the nonce advanced by exactly one";
  EXPECT_EQ(h.last_round().state, RoundState::kCompleted);
  EXPECT_EQ(h.chain.count_logs(kRoundCompleted), 1u);
  EXPECT_TRUE(h.chain.receipt(eth::hex_encode(first_hash)).is_null())
      << "the replaced one never landed";
  EXPECT_EQ(h.op->stats().mined, 1u);
  std::printf(
      "[operator] stuck: draw sent at block %llu with max fee %s, base fee spiked to %s; replaced "
      "with the same nonce at %s (+%u attempts), exactly one landed\n",
      static_cast<unsigned long long>(sent_at.block_number),
      operation::format_gwei(first_fees.max_fee).c_str(), operation::format_gwei(spike).c_str(),
      operation::format_gwei(second_fees.max_fee).c_str(),
      static_cast<unsigned>(replaced->attempts.size() - 1));
}

TEST(OperatorIntegration, WithoutAKeyItStaysReadOnly) {
  LOTTERY_REQUIRE_ANVIL();
  Harness h(std::nullopt);
  h.chain.bet(2, kMinBetWei);
  h.chain.bet(3, kMinBetWei);
  const store::Round round = h.current_round();
  h.mine_at(round.min_draw_time);
  for (int i = 0; i < 3; ++i) {
    h.drive();
    h.chain.mine();
  }
  EXPECT_EQ(h.store.snapshot()->operator_status.status, store::OperatorRunState::kNoKey);
  EXPECT_FALSE(h.store.snapshot()->operator_status.address.has_value());
  EXPECT_EQ(h.nonce_of(1), 0u);
  EXPECT_EQ(h.current_round().state, RoundState::kBetting);

  h.set_key(1);  // key injected at run time
  EXPECT_EQ(h.store.snapshot()->operator_status.status, store::OperatorRunState::kRunning);
  h.drive();
  h.drive();
  EXPECT_EQ(h.last_round().state, RoundState::kCompleted);
  std::printf(
      "[operator] no key: status no_key over 3 heads in the draw window, no transaction; after "
      "set_signer the round was drawn\n");
}

TEST(OperatorIntegration, ADrawThatWouldRevertIsNotSentAndTheReasonIsLogged) {
  LOTTERY_REQUIRE_ANVIL();
  Harness h(5);  // account 5 is not the contract's operator
  h.chain.bet(2, kMinBetWei);
  h.chain.bet(3, kMinBetWei);
  const store::Round round = h.current_round();
  h.mine_at(round.min_draw_time);
  h.drive();
  h.chain.mine();
  h.drive();
  EXPECT_EQ(h.nonce_of(5, "pending"), 0u);
  EXPECT_EQ(h.op->stats().intents, 0u);
  EXPECT_GE(h.op->stats().simulation_reverts, 2u);
  EXPECT_EQ(h.logs.count("simulation reverted", "Only operator"), 2u) << h.logs.dump();
  EXPECT_EQ(h.logs.count("WARN", "Only operator"), 1u);
  EXPECT_EQ(h.current_round().state, RoundState::kBetting);
  std::printf(
      "[operator] simulation: a draw from a non-operator key was simulated, not sent, and logged "
      "as "
      "\"reverted: Only operator\"\n");
}

TEST(OperatorIntegration, WiredToTheRealFollowerItDrawsOnItsOwn) {
  LOTTERY_REQUIRE_ANVIL();
  Harness h;
  follower::FollowerOptions options;
  options.contract_address = eth::parse_address(h.chain.contract_address()).value();
  options.expected_chain_id = 31337;
  options.confirmations = 0;
  options.start_block = h.chain.deploy_block();
  options.poll_interval = std::chrono::milliseconds(100);
  auto source = std::make_shared<follower::RpcChainSource>(h.client(), options.contract_address);
  follower::Follower chain_follower(source, h.store, options);
  // What the app does: every committed head goes to the operator, which works on its own coroutine.
  chain_follower.on_head([&h](const follower::ChainView& view) {
    HeadView head;
    head.block_number = view.head;
    head.block_hash = view.head_hash;
    head.timestamp = view.chain_time;
    head.round = view.round;
    h.op->submit_head(std::move(head));
  });
  infra::TaskGroup group(h.io().get_executor(), [](std::string_view line) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
  });
  group.spawn("follower", chain_follower.run());
  group.spawn("operator", h.op->run());

  h.chain.bet(2, kMinBetWei);
  h.chain.bet(3, kMinBetWei);
  const store::Round round = h.current_round();
  h.mine_at(round.min_draw_time);
  // Nobody drives heads by hand here: the follower polls, the operator reacts.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (h.last_round().round_id != round.round_id && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // A few more heads: still exactly one transaction.
  for (int i = 0; i < 3; ++i) {
    h.chain.mine();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  group.cancel_all();
  boost::asio::co_spawn(h.io(), group.join(), boost::asio::use_future).get();

  EXPECT_EQ(h.last_round().round_id, round.round_id) << h.logs.dump();
  EXPECT_EQ(h.last_round().state, RoundState::kCompleted);
  EXPECT_EQ(h.nonce_of(1), 1u);
  EXPECT_EQ(h.chain.count_logs(kRoundCompleted), 1u);
  const auto snapshot = h.store.snapshot();
  EXPECT_EQ(snapshot->operator_status.status, store::OperatorRunState::kRunning);
  EXPECT_FALSE(snapshot->operator_status.pending_tx.has_value());
  std::printf(
      "[operator] with the real follower: round %llu drawn once without manual heads (%llu heads "
      "processed by the operator)\n",
      static_cast<unsigned long long>(round.round_id),
      static_cast<unsigned long long>(h.op->stats().heads));
}

}  // namespace
}  // namespace lottery::integration
