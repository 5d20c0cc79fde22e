// SPDX-License-Identifier: Apache-2.0
// A refund too large for one transaction, against a real Anvil and the real Lottery contract: a
// round with more than REFUND_BATCH_SIZE (250) players expires; the service (real follower + real
// operator, wired as the app wires them) sends refundExpiredRound(), which returns the first 250
// stakes and emits RefundsPending; the follower reads refundProgress and the operator sends
// continueRefund(roundId) exactly once, after which every stake is back and nothing more is sent.
//
// Players are Anvil's own unlocked accounts (`--accounts`), so bets need no signing here.

#include "contract/calls.hpp"
#include "contract/views.hpp"
#include "eth/hex.hpp"
#include "eth/secp256k1.hpp"
#include "eth/u256.hpp"
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
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lottery::integration {
namespace {

namespace json = boost::json;
using store::RoundState;

/// 260 players: one full batch of 250 in the closing transaction, 10 left for continueRefund.
constexpr std::size_t kPlayers = 260;
constexpr std::size_t kFirstPlayer = 2;  // accounts 0 and 1 are the publisher and the operator
constexpr std::uint64_t kBetGas = 300'000;
/// `cast sig "pendingWithdrawals(address)"`.
constexpr std::string_view kPendingWithdrawals = "0xf3f43703";
constexpr std::string_view kRefundsPending = "RefundsPending(uint256,uint256,uint256,uint256)";

LotteryChainOptions chain_options() {
  LotteryChainOptions options;
  options.anvil.extra_args = {"--accounts", std::to_string(kFirstPlayer + kPlayers)};
  return options;
}

eth::U256 u256_of(const json::value& quantity) {
  return eth::u256_from_quantity(std::string(quantity.as_string())).value();
}

eth::U256 word_of(const std::string& hex) {
  return eth::u256_from_be(eth::hex_decode(hex).value()).value();
}

class RefundHarness {
 public:
  RefundHarness() : chain(chain_options()), rpc_(chain.http_url()) {
    const json::value listed = chain.rpc("eth_accounts");
    for (const auto& a : listed.as_array()) accounts.emplace_back(a.as_string());
  }

  eth::U256 balance(const std::string& address) {
    json::array params;
    params.emplace_back(address);
    params.emplace_back("latest");
    return u256_of(chain.rpc("eth_getBalance", params));
  }

  eth::U256 pending_withdrawal(const std::string& address) {
    return word_of(
        chain.call(std::string(kPendingWithdrawals) + abi_address_word(address).substr(2)));
  }

  std::uint64_t refund_progress(std::uint64_t round_id) {
    const auto data = chain.call(eth::hex_encode(contract::refund_progress_call(round_id)));
    return contract::decode_u64(eth::hex_decode(data).value()).value();
  }

  std::uint64_t operator_nonce() { return chain.nonce(chain.operator_address()); }

  /// Polls `done` every 100 ms until it holds or `timeout` passes.
  static bool wait_for(const std::function<bool()>& done, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return true;
  }

  boost::asio::io_context& io() { return rpc_.io(); }
  rpc::RpcClient& client() { return rpc_.client(); }

  /// Declared first: captures from before the chain starts until everything else is gone.
  LogCapture logs;
  LotteryChain chain;
  store::Store store;
  std::vector<std::string> accounts;  ///< eth_accounts, lower case

 private:
  RpcClientThread rpc_;
};

TEST(RefundBatchesIntegration, TheServiceContinuesALargeRefundUntilEveryStakeIsBack) {
  if (!AnvilProcess::available()) GTEST_SKIP() << "node_modules/.bin/anvil missing; run npm ci";
  const auto started = std::chrono::steady_clock::now();
  RefundHarness h;
  ASSERT_EQ(h.accounts.size(), kFirstPlayer + kPlayers);

  // ---- 260 players bet (stakes 1, 2 or 3 × 0.001 ETH), packed into a few blocks
  h.chain.set_automine(false);
  std::vector<std::string> hashes;
  std::vector<eth::U256> stakes;
  for (std::size_t i = 0; i < kPlayers; ++i) {
    const std::uint64_t stake = kMinBetWei * (1 + i % 3);
    json::object txn;
    txn["from"] = h.accounts[kFirstPlayer + i];
    txn["to"] = h.chain.contract_address();
    txn["data"] = std::string(LotteryChain::kPlaceBet);
    txn["value"] = quantity(stake);
    txn["gas"] = quantity(kBetGas);
    json::array params;
    params.push_back(txn);
    hashes.emplace_back(h.chain.rpc("eth_sendTransaction", params).as_string());
    stakes.emplace_back(stake);
  }
  for (int blocks = 0; blocks < 10; ++blocks) {
    h.chain.mine();
    if (!h.chain.receipt(hashes.back()).is_null() && !h.chain.receipt(hashes.front()).is_null())
      break;
  }
  for (const auto& hash : hashes) {
    const json::value r = h.chain.receipt(hash);
    ASSERT_FALSE(r.is_null()) << "bet " << hash << " not mined";
    ASSERT_EQ(r.at("status"), "0x1") << "bet " << hash << " reverted";
  }
  h.chain.set_automine(true);
  const store::Round round =
      contract::decode_round(eth::hex_decode(h.chain.call(LotteryChain::kGetRound)).value())
          .value();
  ASSERT_EQ(round.state, RoundState::kBetting);
  ASSERT_EQ(round.participant_count, kPlayers);
  std::vector<eth::U256> before;
  before.reserve(kPlayers);
  for (std::size_t i = 0; i < kPlayers; ++i)
    before.push_back(h.balance(h.accounts[kFirstPlayer + i]));
  const auto bets_done = std::chrono::steady_clock::now();

  // ---- the service: follower → store → operator, as src/app wires them
  operation::OperatorOptions op_options;
  op_options.contract_address = eth::parse_address(h.chain.contract_address()).value();
  op_options.chain_id = 31337;
  operation::Operator op(std::make_shared<operation::RpcNode>(h.client()), h.store, op_options);
  op.set_signer(eth::PrivateKey::from_hex(LotteryChain::private_key(1)).value());

  follower::FollowerOptions options;
  options.contract_address = op_options.contract_address;
  options.expected_chain_id = 31337;
  options.confirmations = 0;
  options.start_block = h.chain.deploy_block();
  options.poll_interval = std::chrono::milliseconds(100);
  auto source = std::make_shared<follower::RpcChainSource>(h.client(), options.contract_address);
  follower::Follower chain_follower(source, h.store, options);
  std::mutex seen_mutex;
  std::size_t heads_with_pending_refund = 0;
  chain_follower.on_head([&](const follower::ChainView& view) {
    operation::HeadView head;
    head.block_number = view.head;
    head.block_hash = view.head_hash;
    head.timestamp = view.chain_time;
    head.round = view.round;
    head.pending_refunds = view.pending_refunds;
    if (!view.pending_refunds.empty()) {
      std::lock_guard lock(seen_mutex);
      ++heads_with_pending_refund;
    }
    op.submit_head(std::move(head));
  });
  infra::TaskGroup group(h.io().get_executor(), [](std::string_view line) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
  });
  group.spawn("follower", chain_follower.run());
  group.spawn("operator", op.run());

  // ---- past the draw window: the round may only be refunded
  h.chain.increase_time(round.max_draw_time - round.start_time + 10);
  h.chain.mine();

  // The service closes the round (250 stakes back, RefundsPending), then continues the refund.
  // Anvil mines each transaction at once; a block every 300 ms keeps heads coming meanwhile.
  const bool completed = RefundHarness::wait_for(
      [&] {
        h.chain.mine();
        return h.refund_progress(round.round_id) == kPlayers && h.operator_nonce() >= 2;
      },
      std::chrono::seconds(30));
  // A few more heads: nothing else is sent, and the store forgets the finished refund.
  for (int i = 0; i < 5; ++i) {
    h.chain.mine();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  const bool store_done = RefundHarness::wait_for(
      [&] { return h.store.snapshot()->refunds.empty(); }, std::chrono::seconds(5));
  group.cancel_all();
  boost::asio::co_spawn(h.io(), group.join(), boost::asio::use_future).get();

  ASSERT_TRUE(completed) << "refund progress " << h.refund_progress(round.round_id) << "/"
                         << kPlayers << "\n"
                         << h.logs.dump("operator");
  EXPECT_TRUE(store_done);

  // Exactly two operator transactions: refundExpiredRound() and one continueRefund(round).
  EXPECT_EQ(h.operator_nonce(), 2u) << h.logs.dump("operator");
  EXPECT_EQ(op.stats().intents, 2u);
  EXPECT_EQ(op.stats().mined, 2u);
  EXPECT_EQ(op.stats().reverted, 0u);
  EXPECT_EQ(h.logs.count("transaction landed", "refund_expired_round"), 1u);
  EXPECT_EQ(h.logs.count("transaction landed", "continue_refund"), 1u) << h.logs.dump("operator");
  EXPECT_EQ(h.chain.count_logs(kRefundsPending), 1u);
  {
    std::lock_guard lock(seen_mutex);
    EXPECT_GE(heads_with_pending_refund, 1u) << "the operator was told about the pending refund";
  }

  // The round is REFUNDED and every player has exactly their stake back (or credited).
  const store::Round finished =
      contract::decode_round(eth::hex_decode(h.chain.call(eth::hex_encode(
                                                 contract::get_round_by_id_call(round.round_id))))
                                 .value())
          .value();
  EXPECT_EQ(finished.state, RoundState::kRefunded);
  EXPECT_EQ(h.refund_progress(round.round_id), kPlayers);
  std::size_t whole = 0;
  for (std::size_t i = 0; i < kPlayers; ++i) {
    const std::string& player = h.accounts[kFirstPlayer + i];
    const eth::U256 back = h.balance(player) - before[i] + h.pending_withdrawal(player);
    EXPECT_EQ(back, stakes[i]) << "player " << i << " " << player;
    if (back == stakes[i]) ++whole;
  }
  EXPECT_EQ(whole, kPlayers);
  EXPECT_EQ(h.balance(h.chain.contract_address()), eth::U256{0});

  // What the service shows: the round in history as refunded, nothing pending, no tx in flight.
  const auto snapshot = h.store.snapshot();
  ASSERT_FALSE(snapshot->history->empty());
  EXPECT_EQ(snapshot->history->back()->round_id, round.round_id);
  EXPECT_EQ(snapshot->history->back()->kind, store::FinishKind::kRefunded);
  EXPECT_EQ(snapshot->history->back()->participant_count, kPlayers);
  EXPECT_TRUE(snapshot->pending_refunds().empty());
  EXPECT_FALSE(snapshot->operator_status.pending_tx.has_value());

  const auto end = std::chrono::steady_clock::now();
  std::printf(
      "[refund-batches] %zu players: refundExpiredRound returned 250, continueRefund the other "
      "%zu; "
      "every stake back exactly, 2 operator transactions (bets %.1f s, service %.1f s)\n",
      kPlayers, kPlayers - 250, std::chrono::duration<double>(bets_done - started).count(),
      std::chrono::duration<double>(end - bets_done).count());
}

}  // namespace
}  // namespace lottery::integration
