// SPDX-License-Identifier: Apache-2.0
#include "operation/operator.hpp"

#include "contract/calls.hpp"
#include "eth/hex.hpp"
#include "fake_node.hpp"
#include "logging/log.hpp"
#include "refund_progress.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <chrono>
#include <mutex>

namespace lottery::operation {
namespace {

using testing::FakeNode;
using testing::run_task;
using testing::word;

// Anvil's well-known dev account 1 (public test key, never used for real funds).
constexpr std::string_view kKeyHex =
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const eth::U256 kGwei = kWeiPerGwei;

eth::PrivateKey test_key() {
  return eth::PrivateKey::from_hex(kKeyHex).value();
}

eth::Address contract_address() {
  eth::Address a;
  a.bytes.fill(0x42);
  return a;
}

class OperatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    logging::LogOptions log;
    log.level = logging::Level::kDebug;
    log.to_stderr = false;
    log.sink = [this](std::string_view line) {
      std::lock_guard lock(lines_mutex);
      lines.emplace_back(line);
    };
    logging::configure(log);
    options.contract_address = contract_address();
  }
  void TearDown() override { logging::reset(); }

  Operator& make(bool with_key = true) {
    op = std::make_unique<Operator>(node, store, options);
    if (with_key) op->set_signer(test_key());
    return *op;
  }

  /// A head at block `number`, chain time `t`, with round 7 (endTime 1000, window [1005, 1180]).
  static HeadView head(std::uint64_t number, std::uint64_t t,
                       store::RoundState state = store::RoundState::kBetting,
                       std::uint64_t players = 2) {
    HeadView h;
    h.block_number = number;
    h.block_hash = word(number);
    h.timestamp = t;
    h.base_fee = kGwei;
    h.round.round_id = 7;
    h.round.end_time = 1000;
    h.round.min_draw_time = 1005;
    h.round.max_draw_time = 1180;
    h.round.participant_count = players;
    h.round.total_pot = eth::U256{players} * 1'000'000'000'000'000ULL;
    h.round.state = state;
    return h;
  }

  void step(const HeadView& h) { run_task(op->on_head(h)); }

  std::size_t count_lines(std::string_view a, std::string_view b = {}) {
    std::lock_guard lock(lines_mutex);
    std::size_t n = 0;
    for (const auto& l : lines) {
      if (l.find(a) != std::string::npos && l.find(b) != std::string::npos) ++n;
    }
    return n;
  }

  std::shared_ptr<FakeNode> node = std::make_shared<FakeNode>();
  store::Store store;
  OperatorOptions options;
  std::unique_ptr<Operator> op;
  std::mutex lines_mutex;
  std::vector<std::string> lines;
};

TEST_F(OperatorTest, WithoutAKeyItIsReadOnly) {
  make(false);
  EXPECT_EQ(store.snapshot()->operator_status.status, store::OperatorRunState::kNoKey);
  step(head(100, 1005));
  step(head(101, 1200));
  EXPECT_TRUE(node->sent.empty());
  EXPECT_EQ(node->calls, 0);
  EXPECT_EQ(node->nonce_reads, 0);
  EXPECT_EQ(op->status().status, store::OperatorRunState::kNoKey);
  EXPECT_FALSE(op->status().address.has_value());
  EXPECT_EQ(op->stats().heads, 2u);
}

TEST_F(OperatorTest, SetSignerFlipsTheStatusAtOnce) {
  make(false);
  EXPECT_EQ(store.snapshot()->operator_status.status, store::OperatorRunState::kNoKey);
  op->set_signer(test_key());
  const auto status = store.snapshot()->operator_status;
  EXPECT_EQ(status.status, store::OperatorRunState::kRunning);
  ASSERT_TRUE(status.address.has_value());
  EXPECT_EQ(*status.address, test_key().address());
  op->clear_signer();
  EXPECT_EQ(store.snapshot()->operator_status.status, store::OperatorRunState::kNoKey);
  op->set_enabled(false);
  EXPECT_EQ(store.snapshot()->operator_status.status, store::OperatorRunState::kStopped);
}

TEST_F(OperatorTest, DrawsInTheWindowAndNeverSendsADuplicate) {
  make();
  step(head(99, 1004));  // minDrawTime - 1: nothing yet
  EXPECT_TRUE(node->sent.empty());
  step(head(100, 1005));
  ASSERT_EQ(node->sent.size(), 1u);
  const auto& txn = node->sent[0].txn;
  EXPECT_EQ(txn.type, eth::TxType::kDynamicFee);
  EXPECT_EQ(txn.chain_id, 31337u);
  EXPECT_EQ(txn.nonce, 0u);
  EXPECT_EQ(txn.to, contract_address());
  EXPECT_EQ(txn.data, contract::draw_winner_call());
  EXPECT_EQ(txn.gas_limit, 120'000u);         // 100k estimate × 1.2
  EXPECT_EQ(txn.max_fee_per_gas, 3 * kGwei);  // 2 × 1 gwei base + 1 gwei priority
  EXPECT_EQ(txn.max_priority_fee_per_gas, kGwei);
  EXPECT_EQ(eth::recover_sender(node->sent[0]).value(), test_key().address());
  const eth::Hash32 hash = eth::transaction_hash(node->sent[0]);
  EXPECT_EQ(op->status().pending_tx, hash);
  EXPECT_EQ(store.snapshot()->operator_status.pending_tx, hash);

  step(head(101, 1010));
  step(head(102, 1015));
  EXPECT_EQ(node->sent.size(), 1u) << "a later head must not send a duplicate while pending";

  node->mine(node->sent[0], 102);
  step(head(103, 1020));
  EXPECT_EQ(op->stats().mined, 1u);
  EXPECT_FALSE(op->pending_intent().has_value());
  EXPECT_FALSE(op->status().pending_tx.has_value());
  // A stale view that still shows BETTING does not make it send again.
  step(head(104, 1025));
  EXPECT_EQ(node->sent.size(), 1u);
  EXPECT_EQ(op->stats().intents, 1u);
}

TEST_F(OperatorTest, RefundsAfterTheWindowAndClosesEmptyRounds) {
  make();
  step(head(100, 1181));
  ASSERT_EQ(node->sent.size(), 1u);
  EXPECT_EQ(node->sent[0].txn.data, contract::refund_expired_round_call());

  node = std::make_shared<FakeNode>();
  make();
  step(head(100, 1000, store::RoundState::kBetting, 0));  // empty, t = endTime: nothing
  EXPECT_TRUE(node->sent.empty());
  step(head(101, 1001, store::RoundState::kBetting, 0));
  ASSERT_EQ(node->sent.size(), 1u);
  EXPECT_EQ(node->sent[0].txn.data, contract::refund_expired_round_call());
}

TEST_F(OperatorTest, ContinuesABatchedRefundOnceUntilTheFollowerSeesItDone) {
  make();
  // Round 6 was refunded with 300 players: 250 returned, RefundsPending; the current round 7 is
  // WAITING.
  HeadView h = head(100, 1100, store::RoundState::kWaiting, 0);
  h.pending_refunds = {refund_of(6, 300, 250)};
  step(h);
  ASSERT_EQ(node->sent.size(), 1u);
  EXPECT_EQ(node->sent[0].txn.data, contract::continue_refund_call(6));
  EXPECT_EQ(node->sent[0].txn.to, contract_address());
  ASSERT_TRUE(op->pending_intent().has_value());
  EXPECT_EQ(op->pending_intent()->round_id, 6u);
  EXPECT_EQ(op->pending_intent()->action, Action::kContinueRefund);
  EXPECT_EQ(op->status().pending_tx, eth::transaction_hash(node->sent[0]));
  EXPECT_EQ(count_lines("transaction sent", "continue_refund"), 1u);

  // In flight: later heads with the same state send nothing more.
  h.block_number = 101;
  h.block_hash = word(101);
  step(h);
  EXPECT_EQ(node->sent.size(), 1u);

  // Landed; the follower has not caught up (still 250 of 300): no second send.
  node->mine(node->sent[0], 101);
  h.block_number = 102;
  h.block_hash = word(102);
  step(h);
  EXPECT_EQ(op->stats().mined, 1u);
  EXPECT_EQ(node->sent.size(), 1u);
  EXPECT_FALSE(op->status().pending_tx.has_value());
  EXPECT_EQ(count_lines("transaction landed", "continue_refund"), 1u);

  // The follower read refundProgress = 300: nothing pending, nothing sent.
  h.block_number = 103;
  h.block_hash = word(103);
  h.pending_refunds.clear();
  step(h);
  EXPECT_EQ(node->sent.size(), 1u);
  EXPECT_EQ(op->stats().intents, 1u);
}

TEST_F(OperatorTest, ALaterBatchOfTheSameRoundIsSentAgain) {
  make();
  HeadView h = head(100, 1100, store::RoundState::kWaiting, 0);
  h.pending_refunds = {refund_of(6, 800, 250)};  // a contract with a larger cap: four batches
  step(h);
  ASSERT_EQ(node->sent.size(), 1u);
  node->mine(node->sent[0], 100);
  h.block_number = 101;
  h.block_hash = word(101);
  h.pending_refunds = {refund_of(6, 800, 500)};
  step(h);
  ASSERT_EQ(node->sent.size(), 2u);
  EXPECT_EQ(node->sent[1].txn.data, contract::continue_refund_call(6));
  EXPECT_EQ(node->sent[1].txn.nonce, node->sent[0].txn.nonce + 1);
  EXPECT_EQ(op->pending_intent()->stage, 500u);
}

TEST_F(OperatorTest, ADrawDueWaitsForNoRefundButARefundInFlightIsReplacedNotDuplicated) {
  make();
  // The current round's draw window is open and a refund is pending: the draw goes first.
  HeadView h = head(100, 1005);
  h.pending_refunds = {refund_of(6, 300, 250)};
  step(h);
  ASSERT_EQ(node->sent.size(), 1u);
  EXPECT_EQ(node->sent[0].txn.data, contract::draw_winner_call());
  node->mine(node->sent[0], 100);

  // Round 7 drawn (round 8 waiting): now the refund.
  HeadView next = head(101, 1010, store::RoundState::kWaiting, 0);
  next.round.round_id = 8;
  next.pending_refunds = h.pending_refunds;
  step(next);
  ASSERT_EQ(node->sent.size(), 2u);
  EXPECT_EQ(node->sent[1].txn.data, contract::continue_refund_call(6));

  // Stuck for replace_after_blocks (3) heads: replaced with the same nonce, never a second intent.
  for (std::uint64_t n = 102; n <= 104; ++n) {
    next.block_number = n;
    next.block_hash = word(n);
    step(next);
  }
  ASSERT_EQ(node->sent.size(), 3u);
  EXPECT_EQ(node->sent[2].txn.nonce, node->sent[1].txn.nonce);
  EXPECT_EQ(node->sent[2].txn.data, contract::continue_refund_call(6));
  EXPECT_EQ(op->stats().replacements, 1u);
  EXPECT_EQ(op->stats().intents, 2u);
}

TEST_F(OperatorTest, ARevertingSimulationIsNotSentAndItsReasonIsLogged) {
  make();
  node->revert = testing::error_string("Only operator");
  step(head(100, 1005));
  step(head(101, 1006));
  EXPECT_TRUE(node->sent.empty());
  EXPECT_EQ(op->stats().simulation_reverts, 2u);
  EXPECT_EQ(op->stats().intents, 0u);
  EXPECT_EQ(count_lines("WARN", "reverted: Only operator"), 1u) << "warned once, then debug";
  EXPECT_EQ(count_lines("simulation reverted", "reverted: Only operator"), 2u);
  node->revert.reset();
  step(head(102, 1007));
  EXPECT_EQ(node->sent.size(), 1u);
}

TEST_F(OperatorTest, NonceTooLowResyncsAndRetries) {
  make();
  node->node_nonce = 3;
  node->send_errors = {rpc::RpcErrc::kNonceTooLow};
  node->after_send_error = [n = node.get()] { n->node_nonce = 5; };
  step(head(100, 1005));
  ASSERT_EQ(node->sent.size(), 1u);
  EXPECT_EQ(node->sent[0].txn.nonce, 5u);
  EXPECT_EQ(node->nonce_reads, 2);
  EXPECT_EQ(op->pending_intent()->nonce, 5u);
  // The next intent uses the local nonce without asking the node.
  node->mine(node->sent[0], 101);
  step(head(102, 1006));
  EXPECT_EQ(op->stats().mined, 1u);
  HeadView next = head(103, 2000);
  next.round.round_id = 8;
  next.round.end_time = 1500;
  next.round.min_draw_time = 1505;
  next.round.max_draw_time = 1680;
  step(next);
  ASSERT_EQ(node->sent.size(), 2u);
  EXPECT_EQ(node->sent[1].txn.nonce, 6u);
  EXPECT_EQ(node->nonce_reads, 2);
}

TEST_F(OperatorTest, NonceTooHighResyncsDownwards) {
  make();
  node->node_nonce = 9;
  node->send_errors = {rpc::RpcErrc::kNonceTooHigh};
  node->after_send_error = [n = node.get()] { n->node_nonce = 4; };
  step(head(100, 1005));
  ASSERT_EQ(node->sent.size(), 1u);
  EXPECT_EQ(node->sent[0].txn.nonce, 4u);
}

TEST_F(OperatorTest, ARefusedSendIsAbandonedAndRetriedOnALaterHead) {
  make();
  node->send_errors = {rpc::RpcErrc::kUnderpriced};
  step(head(100, 1005));
  EXPECT_TRUE(node->sent.empty());
  EXPECT_EQ(op->stats().abandoned, 1u);
  EXPECT_FALSE(op->pending_intent().has_value());
  step(head(101, 1006));
  EXPECT_EQ(node->sent.size(), 1u);
}

TEST_F(OperatorTest, AStuckTransactionIsReplacedWithTheSameNonceAndHigherFees) {
  options.replace_after_blocks = 3;
  make();
  step(head(100, 1005));
  step(head(101, 1006));
  step(head(102, 1007));
  ASSERT_EQ(node->sent.size(), 1u);
  step(head(103, 1008));  // three heads later
  ASSERT_EQ(node->sent.size(), 2u);
  const auto& first = node->sent[0].txn;
  const auto& second = node->sent[1].txn;
  EXPECT_EQ(second.nonce, first.nonce);
  EXPECT_GE(second.max_fee_per_gas * 8, first.max_fee_per_gas * 9);
  EXPECT_GE(second.max_priority_fee_per_gas * 8, first.max_priority_fee_per_gas * 9);
  EXPECT_EQ(second.data, first.data);
  EXPECT_EQ(op->stats().replacements, 1u);
  EXPECT_EQ(op->status().pending_tx, eth::transaction_hash(node->sent[1]));

  // The replaced one lands after all: that completes the intent; nothing else is sent.
  node->mine(node->sent[0], 104);
  step(head(105, 1010));
  EXPECT_EQ(op->stats().mined, 1u);
  step(head(110, 1020));
  EXPECT_EQ(node->sent.size(), 2u);
}

TEST_F(OperatorTest, ReplacementFollowsARisingBaseFee) {
  make();
  step(head(100, 1005));
  for (auto& fee : node->history.base_fee_per_gas) fee = 10 * kGwei;
  step(head(103, 1008));
  ASSERT_EQ(node->sent.size(), 2u);
  EXPECT_EQ(node->sent[1].txn.max_fee_per_gas, 21 * kGwei);
}

TEST_F(OperatorTest, AReplacementAboveTheCapIsNotSent) {
  options.fees.max_fee_cap_wei = 3 * kGwei;  // the first send fits exactly
  make();
  step(head(100, 1005));
  step(head(103, 1008));
  EXPECT_EQ(node->sent.size(), 1u);
  EXPECT_EQ(op->stats().fee_refusals, 1u);
  EXPECT_GE(count_lines("cannot replace the stuck transaction", "BLOCKCHAIN_MAX_FEE_GWEI"), 1u);
  EXPECT_TRUE(op->pending_intent().has_value());
}

TEST_F(OperatorTest, ANewSendAboveTheCapIsRefusedBeforeAnyIntent) {
  options.fees.max_fee_cap_wei = kGwei;  // base 1 gwei + priority 1 gwei does not fit
  make();
  step(head(100, 1005));
  EXPECT_TRUE(node->sent.empty());
  EXPECT_EQ(op->stats().intents, 0u);
  EXPECT_EQ(op->stats().fee_refusals, 1u);
}

TEST_F(OperatorTest, ReplacementUnderpricedBumpsAgainNextTime) {
  make();
  step(head(100, 1005));
  node->send_errors = {rpc::RpcErrc::kReplacementUnderpriced};
  step(head(103, 1008));
  EXPECT_EQ(node->sent.size(), 1u);
  step(head(104, 1009));  // still due: tries again above the refused fees
  ASSERT_EQ(node->sent.size(), 2u);
  // 3 gwei → refused 3.375 gwei → 3.796875 gwei.
  EXPECT_EQ(node->sent[1].txn.max_fee_per_gas, eth::U256{3'796'875'000ULL});
}

TEST_F(OperatorTest, ANoLongerDueTransactionIsCancelledWithTheSameNonce) {
  make();
  step(head(100, 1005));
  ASSERT_EQ(node->sent.size(), 1u);
  // Someone else closed the round; our stuck draw would revert.
  step(head(103, 1200, store::RoundState::kRefunded));
  ASSERT_EQ(node->sent.size(), 2u);
  const auto& cancel = node->sent[1].txn;
  EXPECT_EQ(cancel.nonce, node->sent[0].txn.nonce);
  EXPECT_EQ(cancel.to, test_key().address());
  EXPECT_EQ(cancel.value, 0);
  EXPECT_TRUE(cancel.data.empty());
  EXPECT_EQ(cancel.gas_limit, 21'000u);
  EXPECT_GE(cancel.max_fee_per_gas * 8, node->sent[0].txn.max_fee_per_gas * 9);
  EXPECT_EQ(op->stats().cancels, 1u);
  node->mine(node->sent[1], 104);
  step(head(105, 1201, store::RoundState::kWaiting));
  EXPECT_FALSE(op->pending_intent().has_value());
  EXPECT_EQ(op->stats().mined, 0u);
  EXPECT_EQ(node->sent.size(), 2u);
}

TEST_F(OperatorTest, AStatusZeroReceiptIsReportedAndReEvaluated) {
  make();
  step(head(100, 1180));  // at maxDrawTime; it lands later and reverts ("Draw window closed")
  node->mine(node->sent[0], 101, false);
  step(head(101, 1181));
  EXPECT_EQ(op->stats().reverted, 1u);
  // The same head re-evaluates: the window has closed, so refund.
  ASSERT_EQ(node->sent.size(), 2u);
  EXPECT_EQ(node->sent[1].txn.data, contract::refund_expired_round_call());
  EXPECT_EQ(node->sent[1].txn.nonce, node->sent[0].txn.nonce + 1);
}

TEST_F(OperatorTest, AReorgThatRemovesTheDrawMakesItReEvaluateAndSendAgainOnce) {
  make();
  step(head(100, 1005));
  node->mine(node->sent[0], 101);
  step(head(101, 1006));
  EXPECT_EQ(op->stats().mined, 1u);
  step(head(102, 1007, store::RoundState::kWaiting));

  // The new branch has another block 101 and no receipt; the round is BETTING again there.
  node->blocks[101] = word(0xdead);
  node->receipts.clear();
  node->node_nonce = 0;
  step(head(103, 1008));
  EXPECT_EQ(op->stats().reorged, 1u);
  ASSERT_EQ(node->sent.size(), 2u) << "re-sent at once on the new chain";
  EXPECT_EQ(node->sent[1].txn.nonce, node->sent[0].txn.nonce);
  EXPECT_EQ(node->sent[1].txn.data, contract::draw_winner_call());
  step(head(104, 1009));
  EXPECT_EQ(node->sent.size(), 2u);
  node->mine(node->sent[1], 104);
  step(head(105, 1010));
  EXPECT_EQ(op->stats().mined, 2u);
  step(head(106, 1011, store::RoundState::kWaiting));
  EXPECT_EQ(node->sent.size(), 2u);
}

TEST_F(OperatorTest, AReorgThatReMinesTheSameTransactionSendsNothing) {
  make();
  step(head(100, 1005));
  node->mine(node->sent[0], 101);
  step(head(101, 1006));
  node->blocks[101] = word(0xbeef);
  node->mine(node->sent[0], 102);  // the same transaction, in the new branch's next block
  step(head(102, 1007, store::RoundState::kWaiting));
  EXPECT_EQ(op->stats().reorged, 1u);
  EXPECT_EQ(op->stats().mined, 2u);
  EXPECT_EQ(node->sent.size(), 1u);
}

TEST_F(OperatorTest, LegacyFeesOnChainsWithoutABaseFee) {
  make();
  for (auto& fee : node->history.base_fee_per_gas) fee = 0;
  step(head(100, 1005));
  ASSERT_EQ(node->sent.size(), 1u);
  EXPECT_EQ(node->sent[0].txn.type, eth::TxType::kLegacy);
  EXPECT_EQ(node->sent[0].txn.gas_price, 2 * kGwei);
  EXPECT_EQ(node->sent[0].txn.chain_id, 31337u);
  step(head(103, 1008));
  ASSERT_EQ(node->sent.size(), 2u);
  EXPECT_EQ(node->sent[1].txn.type, eth::TxType::kLegacy);
  EXPECT_EQ(node->sent[1].txn.gas_price, eth::U256{2'250'000'000ULL});
}

TEST_F(OperatorTest, LowBalanceIsFlaggedAndWarned) {
  options.low_balance_draws = 5;
  make();
  // 5 draws × 300k gas (no estimate yet) × 3 gwei max fee (quoted for the check) = 0.0045 ETH.
  node->balance_wei = eth::U256{1'000'000'000'000'000ULL};
  step(head(100, 900));
  EXPECT_TRUE(op->status().low_balance);
  EXPECT_TRUE(store.snapshot()->operator_status.low_balance);
  EXPECT_EQ(store.snapshot()->operator_status.balance_wei, node->balance_wei);
  EXPECT_EQ(count_lines("WARN", "operator balance is low"), 1u);
  node->balance_wei = eth::U256{1'000'000'000'000'000'000ULL};
  for (std::uint64_t n = 101; n <= 110; ++n) step(head(n, 900));
  EXPECT_FALSE(op->status().low_balance);
  EXPECT_EQ(node->balance_reads, 2);
}

TEST_F(OperatorTest, StandbyWhileTheGateSaysNo) {
  make();
  bool leader = false;
  op->set_send_gate([&leader]() -> std::optional<std::uint64_t> {
    if (!leader) return std::nullopt;
    return 17;
  });
  step(head(100, 1005));
  EXPECT_TRUE(node->sent.empty());
  EXPECT_EQ(op->status().status, store::OperatorRunState::kStandby);
  leader = true;
  step(head(101, 1006));
  EXPECT_EQ(node->sent.size(), 1u);
  EXPECT_EQ(op->status().status, store::OperatorRunState::kRunning);
  EXPECT_GE(count_lines("transaction sent", "fencing_token=17"), 1u);
}

TEST_F(OperatorTest, DisabledSendsNothing) {
  options.enabled = false;
  make();
  step(head(100, 1005));
  EXPECT_TRUE(node->sent.empty());
  EXPECT_EQ(op->status().status, store::OperatorRunState::kStopped);
  op->set_enabled(true);
  step(head(101, 1006));
  EXPECT_EQ(node->sent.size(), 1u);
}

TEST_F(OperatorTest, TheKeyNeverReachesTheLog) {
  make();
  node->send_errors = {rpc::RpcErrc::kNonceTooLow, rpc::RpcErrc::kInsufficientFunds};
  step(head(100, 1005));
  step(head(101, 1006));
  node->revert = testing::error_string("nope");
  step(head(104, 1009));
  const std::string bare(kKeyHex.substr(2));
  std::lock_guard lock(lines_mutex);
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) EXPECT_EQ(line.find(bare), std::string::npos) << line;
}

TEST_F(OperatorTest, RepeatedOnChainRevertsStopTheAction) {
  options.max_chain_reverts = 2;
  make();
  step(head(100, 1005));
  ASSERT_EQ(node->sent.size(), 1u);
  node->mine(node->sent[0], 101, false);
  step(head(101, 1006));  // reverted; the same head tries again
  ASSERT_EQ(node->sent.size(), 2u);
  node->mine(node->sent[1], 102, false);
  step(head(102, 1007));  // second revert: no third attempt
  step(head(103, 1008));
  EXPECT_EQ(node->sent.size(), 2u);
  EXPECT_EQ(op->stats().reverted, 2u);
  EXPECT_EQ(count_lines("ERROR", "reverted on chain repeatedly"), 1u);
  // The next round is a new action.
  HeadView next = head(104, 2000);
  next.round.round_id = 8;
  next.round.end_time = 1500;
  next.round.min_draw_time = 1505;
  next.round.max_draw_time = 1680;
  step(next);
  EXPECT_EQ(node->sent.size(), 3u);
}

TEST_F(OperatorTest, AnAmbiguousSendIsFollowedAsIfSent) {
  make();
  // The node timed out after maybe accepting it: the hash is known locally, so it is watched.
  node->send_errors = {rpc::RpcErrc::kTimeout};
  step(head(100, 1005));
  EXPECT_TRUE(node->sent.empty());
  const auto intent = op->pending_intent();
  ASSERT_TRUE(intent.has_value());
  ASSERT_EQ(intent->attempts.size(), 1u);
  step(head(101, 1006));
  EXPECT_TRUE(node->sent.empty()) << "no duplicate while it may be pending";
  // It turns out it did reach the pool and lands.
  eth::Transaction txn;
  txn.chain_id = 31337;
  txn.nonce = intent->nonce;
  txn.max_fee_per_gas = intent->attempts[0].fees.max_fee;
  txn.max_priority_fee_per_gas = intent->attempts[0].fees.priority_fee;
  txn.gas_limit = intent->gas_limit;
  txn.to = contract_address();
  txn.data = contract::draw_winner_call();
  const auto signed_txn = eth::sign_transaction(txn, test_key()).value();
  ASSERT_EQ(eth::transaction_hash(signed_txn), intent->attempts[0].hash);
  node->mine(signed_txn, 102);
  step(head(102, 1007));
  EXPECT_EQ(op->stats().mined, 1u);
}

TEST_F(OperatorTest, AlreadyKnownCountsAsSent) {
  make();
  node->send_errors = {rpc::RpcErrc::kAlreadyKnown};
  step(head(100, 1005));
  ASSERT_TRUE(op->pending_intent().has_value());
  EXPECT_EQ(op->pending_intent()->attempts.size(), 1u);
  EXPECT_EQ(op->stats().abandoned, 0u);
}

TEST_F(OperatorTest, AKeySwapAbandonsTheOldAccountsIntent) {
  make();
  step(head(100, 1005));
  ASSERT_TRUE(op->pending_intent().has_value());
  op->set_signer(eth::PrivateKey::from_hex(
                     "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a")
                     .value());
  node->node_nonce = 40;
  step(head(101, 1006));
  EXPECT_EQ(op->stats().abandoned, 1u);
  ASSERT_EQ(node->sent.size(), 2u);
  EXPECT_EQ(node->sent[1].txn.nonce, 40u) << "the new account's nonce, re-synced";
  EXPECT_NE(eth::recover_sender(node->sent[1]).value(), test_key().address());
}

TEST_F(OperatorTest, RunCoalescesHeadsThatArriveWhileBusy) {
  make();
  boost::asio::io_context io;
  for (std::uint64_t n = 90; n < 95; ++n) op->submit_head(head(n, 900));
  op->submit_head(head(95, 1005));
  boost::asio::co_spawn(io, op->run(), boost::asio::detached);
  io.run_for(std::chrono::milliseconds(200));
  EXPECT_EQ(op->stats().heads, 1u) << "only the newest head is processed";
  EXPECT_EQ(node->sent.size(), 1u);
  op->submit_head(head(96, 1006));
  io.run_for(std::chrono::milliseconds(200));
  EXPECT_EQ(op->stats().heads, 2u);
  EXPECT_EQ(node->sent.size(), 1u);
}

}  // namespace
}  // namespace lottery::operation
