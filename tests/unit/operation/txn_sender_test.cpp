// SPDX-License-Identifier: Apache-2.0
#include "operation/txn_sender.hpp"

#include "eth/hex.hpp"
#include "fake_node.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace lottery::operation {
namespace {

using testing::FakeNode;
using testing::word;

// Anvil's well-known dev account 0 (a public test key, never used for real funds).
constexpr std::string_view kKeyHex =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr std::string_view kKeyAddress = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

eth::Address contract() {
  eth::Address a;
  a.bytes.fill(0x42);
  return a;
}

TxnRequest set_operator_request() {
  TxnRequest r;
  r.to = contract();
  r.data = {0xb3, 0xab, 0x15, 0xfb};
  r.label = "setOperator";
  return r;
}

// A fake chain around FakeNode: mines every sent transaction in the next block
// and, when `grow` is set, adds one empty block per tick.
struct FakeChain {
  FakeNode node;
  std::uint64_t head = 100;
  bool mine = true;
  bool status = true;
  bool grow = true;
  std::size_t mined = 0;

  FakeChain() {
    for (std::uint64_t n = 0; n <= head; ++n) node.blocks[n] = word(n);
  }

  infra::Task<void> run(const bool& done) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    while (!done) {
      if (mine) {
        while (mined < node.sent.size()) node.mine(node.sent[mined++], ++head, status);
      }
      if (grow) {
        ++head;
        node.blocks[head] = word(head);
      }
      timer.expires_after(std::chrono::milliseconds(1));
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
  }
};

struct Outcome {
  std::optional<SendResult> result;
  std::exception_ptr error;
  std::vector<std::string> lines;

  const SendError& send_error() const {
    try {
      std::rethrow_exception(error);
    } catch (const SendError& e) {
      static thread_local std::optional<SendError> kept;
      kept.emplace(e);
      return *kept;
    }
  }
};

Outcome send_on(FakeChain& chain, SendOptions options,
                TxnRequest request = set_operator_request()) {
  Outcome out;
  options.poll_interval = std::chrono::milliseconds(1);
  options.progress = [&out](const std::string& line) { out.lines.push_back(line); };
  TxnSender sender(chain.node, eth::PrivateKey::from_hex(kKeyHex).value(), options);
  boost::asio::io_context io;
  bool done = false;
  boost::asio::co_spawn(io, sender.send(std::move(request)),
                        [&](std::exception_ptr e, SendResult r) {
                          if (e) {
                            out.error = e;
                          } else {
                            out.result = std::move(r);
                          }
                          done = true;
                        });
  boost::asio::co_spawn(io, chain.run(done), boost::asio::detached);
  io.run();
  return out;
}

bool any_line_contains(const Outcome& out, const std::string& text) {
  for (const auto& line : out.lines)
    if (line.find(text) != std::string::npos) return true;
  return false;
}

TEST(TxnSender, SignsEip1559TransactionAndWaitsForTheReceipt) {
  FakeChain chain;
  chain.node.node_nonce = 7;
  chain.node.estimate = 50'000;
  SendOptions options;
  options.expected_chain_id = 31337;
  const Outcome out = send_on(chain, options);
  ASSERT_FALSE(out.error);
  ASSERT_TRUE(out.result);
  ASSERT_EQ(chain.node.sent.size(), 1U);
  const eth::SignedTransaction& sent = chain.node.sent[0];
  EXPECT_EQ(sent.txn.type, eth::TxType::kDynamicFee);
  EXPECT_EQ(sent.txn.chain_id, 31337U);
  EXPECT_EQ(sent.txn.nonce, 7U);
  EXPECT_EQ(sent.txn.gas_limit, 60'000U);  // 50'000 × 1.2
  EXPECT_EQ(sent.txn.to, contract());
  EXPECT_EQ(sent.txn.data, (eth::Bytes{0xb3, 0xab, 0x15, 0xfb}));
  // Base fee 1 gwei, reward 1 gwei: maxFee = 2 × base + priority.
  EXPECT_EQ(sent.txn.max_fee_per_gas, eth::U256{3'000'000'000ULL});
  EXPECT_EQ(sent.txn.max_priority_fee_per_gas, eth::U256{1'000'000'000ULL});
  EXPECT_EQ(eth::to_checksum(eth::recover_sender(sent).value()), kKeyAddress);
  EXPECT_EQ(out.result->txn_hash, eth::transaction_hash(sent));
  EXPECT_TRUE(out.result->receipt.status);
  EXPECT_EQ(out.result->receipt.block_number, 101U);
  EXPECT_TRUE(any_line_contains(out, "setOperator: sent transaction 0x"));
  EXPECT_TRUE(any_line_contains(out, "mined in block 101"));
}

TEST(TxnSender, WaitsForTheRequestedConfirmations) {
  FakeChain chain;
  SendOptions options;
  options.confirmations = 3;
  const Outcome out = send_on(chain, options);
  ASSERT_FALSE(out.error);
  ASSERT_TRUE(out.result);
  const std::uint64_t mined_in = out.result->receipt.block_number;
  EXPECT_TRUE(chain.node.blocks.count(mined_in + 2));
  EXPECT_TRUE(any_line_contains(out, "2/3 confirmations"));
  EXPECT_TRUE(any_line_contains(out, "3/3 confirmations"));
}

TEST(TxnSender, RefusesAnotherChainBeforeSigning) {
  FakeChain chain;
  chain.node.chain = 1;
  SendOptions options;
  options.expected_chain_id = 31337;
  const Outcome out = send_on(chain, options);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.send_error().kind(), SendErrc::kWrongChain);
  EXPECT_NE(std::string(out.send_error().what()).find("chain 1, not on chain 31337"),
            std::string::npos);
  EXPECT_TRUE(chain.node.sent.empty());
}

TEST(TxnSender, ShowsTheRevertReasonOfTheSimulation) {
  FakeChain chain;
  chain.node.revert = testing::error_string("Only publisher");
  const Outcome out = send_on(chain, {});
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.send_error().kind(), SendErrc::kReverted);
  EXPECT_EQ(std::string(out.send_error().what()),
            "setOperator would fail: reverted: Only publisher");
  EXPECT_TRUE(chain.node.sent.empty());
}

TEST(TxnSender, RefusesWhenTheBalanceCannotPayGasAndValue) {
  FakeChain chain;
  chain.node.balance_wei = eth::U256{1000};
  TxnRequest request = set_operator_request();
  request.value = eth::U256{5};
  const Outcome out = send_on(chain, {}, request);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.send_error().kind(), SendErrc::kInsufficientFunds);
  const std::string what = out.send_error().what();
  EXPECT_NE(what.find(std::string(kKeyAddress)), std::string::npos) << what;
  EXPECT_NE(what.find("holds 0 ETH but needs up to 0.00036 ETH"), std::string::npos) << what;
  EXPECT_TRUE(chain.node.sent.empty());
}

TEST(TxnSender, NodeVerdictOfInsufficientFundsIsClassified) {
  FakeChain chain;
  chain.node.send_errors.push_back(rpc::RpcErrc::kInsufficientFunds);
  const Outcome out = send_on(chain, {});
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.send_error().kind(), SendErrc::kInsufficientFunds);
}

TEST(TxnSender, ReportsATransactionThatFailedOnChain) {
  FakeChain chain;
  chain.status = false;
  const Outcome out = send_on(chain, {});
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.send_error().kind(), SendErrc::kFailedOnChain);
  EXPECT_NE(std::string(out.send_error().what()).find("failed (status 0)"), std::string::npos);
}

TEST(TxnSender, RetriesOnceWithAFreshNonceWhenTheNonceWasTaken) {
  FakeChain chain;
  chain.node.node_nonce = 3;
  chain.node.send_errors.push_back(rpc::RpcErrc::kNonceTooLow);
  chain.node.after_send_error = [&chain] { chain.node.node_nonce = 4; };
  const Outcome out = send_on(chain, {});
  ASSERT_FALSE(out.error);
  ASSERT_EQ(chain.node.sent.size(), 1U);
  EXPECT_EQ(chain.node.sent[0].txn.nonce, 4U);
  EXPECT_EQ(chain.node.nonce_reads, 2);
}

TEST(TxnSender, AlreadyKnownCountsAsSent) {
  FakeChain chain;
  chain.node.send_errors.push_back(rpc::RpcErrc::kAlreadyKnown);
  // The scripted error stands in for a node that has the transaction: mine it by hand.
  chain.mine = false;
  chain.node.after_send_error = [] {};
  SendOptions options;
  options.timeout = std::chrono::milliseconds(200);
  const Outcome out = send_on(chain, options);
  // Nothing was mined, so the sender must have waited (not failed at once) and then timed out.
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.send_error().kind(), SendErrc::kTimeout);
  EXPECT_TRUE(any_line_contains(out, "sent transaction"));
}

TEST(TxnSender, UsesLegacyGasPriceWithoutBaseFee) {
  FakeChain chain;
  chain.node.history.base_fee_per_gas.assign(11, eth::U256{0});
  const Outcome out = send_on(chain, {});
  ASSERT_FALSE(out.error);
  ASSERT_EQ(chain.node.sent.size(), 1U);
  EXPECT_EQ(chain.node.sent[0].txn.type, eth::TxType::kLegacy);
  EXPECT_EQ(chain.node.sent[0].txn.gas_price, eth::U256{2'000'000'000ULL});
  EXPECT_EQ(chain.node.sent[0].txn.chain_id, 31337U);
}

TEST(TxnSender, RefusesFeesAboveTheCap) {
  FakeChain chain;
  SendOptions options;
  options.fees.max_fee_cap_wei = eth::U256{1'000'000'000ULL};  // below base + priority
  const Outcome out = send_on(chain, options);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.send_error().kind(), SendErrc::kFeeTooHigh);
  EXPECT_TRUE(chain.node.sent.empty());
}

TEST(TxnSender, TimesOutWhenNeverMined) {
  FakeChain chain;
  chain.mine = false;
  SendOptions options;
  options.timeout = std::chrono::milliseconds(50);
  const Outcome out = send_on(chain, options);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.send_error().kind(), SendErrc::kTimeout);
  EXPECT_NE(std::string(out.send_error().what()).find("may still be pending"), std::string::npos);
}

TEST(TxnSender, WaitsAgainWhenAReorgReplacedTheMiningBlock) {
  FakeChain chain;
  chain.grow = false;
  SendOptions options;
  options.confirmations = 2;
  Outcome out;
  options.poll_interval = std::chrono::milliseconds(1);
  options.progress = [&](const std::string& line) {
    out.lines.push_back(line);
    if (line.find("mined in block 101") != std::string::npos && out.lines.size() < 4) {
      // Reorg: block 101 gets another hash; the transaction is re-mined in block 102.
      chain.node.blocks[101] = word(9101);
      chain.node.mine(chain.node.sent[0], 102);
      chain.node.blocks[103] = word(103);
      chain.head = 103;
    }
  };
  TxnSender sender(chain.node, eth::PrivateKey::from_hex(kKeyHex).value(), options);
  boost::asio::io_context io;
  bool done = false;
  boost::asio::co_spawn(io, sender.send(set_operator_request()),
                        [&](std::exception_ptr e, SendResult r) {
                          out.error = e;
                          if (!e) out.result = std::move(r);
                          done = true;
                        });
  boost::asio::co_spawn(io, chain.run(done), boost::asio::detached);
  io.run();
  ASSERT_FALSE(out.error);
  ASSERT_TRUE(out.result);
  EXPECT_EQ(out.result->receipt.block_number, 102U);
  EXPECT_TRUE(any_line_contains(out, "mined in block 102"));
}

TEST(TxnSender, RpcFailuresBecomeOneSentence) {
  const SendError unreachable = send_error_from_rpc(
      "deploy Lottery", rpc::make_error(rpc::RpcErrc::kTransport, "connection refused"));
  EXPECT_EQ(unreachable.kind(), SendErrc::kUnreachable);
  EXPECT_NE(std::string(unreachable.what()).find("check the RPC URL"), std::string::npos);
  EXPECT_EQ(send_error_from_rpc("x", rpc::make_error(rpc::RpcErrc::kTimeout, "t")).kind(),
            SendErrc::kUnreachable);
  EXPECT_EQ(send_error_from_rpc("x", rpc::make_error(rpc::RpcErrc::kUnderpriced, "u")).kind(),
            SendErrc::kRejected);
  EXPECT_EQ(to_string(SendErrc::kWrongChain), "wrong_chain");
}

TEST(TxnSender, FormatsEther) {
  struct Case {
    std::uint64_t wei;
    const char* text;
  };
  const Case cases[] = {
      {0, "0 ETH"},
      {1, "0 ETH"},  // below a micro-ether: rounded down
      {1'000'000'000'000ULL, "0.000001 ETH"},
      {1'000'000'000'000'000ULL, "0.001 ETH"},
      {1'500'000'000'000'000'000ULL, "1.5 ETH"},
      {10'000'000'000'000'000'000ULL, "10 ETH"},
  };
  for (const auto& c : cases) EXPECT_EQ(format_ether(eth::U256{c.wei}), c.text) << c.wei;
  EXPECT_EQ(format_ether(eth::U256{10'000} * eth::U256{1'000'000'000'000'000'000ULL}), "10000 ETH");
}

}  // namespace
}  // namespace lottery::operation
