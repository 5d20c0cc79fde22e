// SPDX-License-Identifier: Apache-2.0
#pragma once

// An in-memory node for the operator's unit tests: scripted answers, recorded sends.

#include "eth/hex.hpp"
#include "eth/transaction.hpp"
#include "operation/node.hpp"
#include "rpc/error.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <deque>
#include <functional>
#include <map>
#include <stdexcept>
#include <vector>

namespace lottery::operation::testing {

inline eth::Hash32 word(std::uint64_t n) {
  eth::Hash32 h{};
  for (std::size_t i = 0; i < 8; ++i) h[31 - i] = static_cast<std::uint8_t>(n >> (8 * i));
  h[0] = 0xb1;  // never all zero
  return h;
}

/// Runs one task to completion on a fresh io_context and returns its value.
template <class T>
T run_task(infra::Task<T> task) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.run();
  return future.get();
}

inline void run_task(infra::Task<void> task) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.run();
  future.get();
}

/// ABI encoding of Error(string) for short messages (under 32 bytes).
inline eth::Bytes error_string(const std::string& message) {
  eth::Bytes out{0x08, 0xc3, 0x79, 0xa0};
  auto word_of = [&](std::uint64_t v) {
    for (int i = 0; i < 24; ++i) out.push_back(0);
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  word_of(32);
  word_of(message.size());
  for (char c : message) out.push_back(static_cast<std::uint8_t>(c));
  while ((out.size() - 4) % 32 != 0) out.push_back(0);
  return out;
}

class FakeNode final : public Node {
 public:
  std::uint64_t chain = 31337;
  std::uint64_t node_nonce = 0;  ///< what eth_getTransactionCount(pending) answers
  eth::U256 balance_wei = eth::U256{1'000'000'000'000'000'000ULL};
  rpc::FeeHistory history;
  eth::U256 legacy_gas_price{2'000'000'000ULL};
  std::optional<eth::Bytes> revert;  ///< when set, eth_call and eth_estimateGas revert with it
  std::uint64_t estimate = 100'000;
  std::deque<rpc::RpcErrc> send_errors;    ///< thrown by the next sends, in order
  std::function<void()> after_send_error;  ///< runs after a scripted send error
  std::vector<eth::SignedTransaction> sent;
  std::map<eth::Hash32, rpc::Receipt> receipts;
  std::map<std::uint64_t, eth::Hash32> blocks;
  int calls = 0;
  int nonce_reads = 0;
  int balance_reads = 0;

  FakeNode() {
    // Ten blocks, next base fee 1 gwei, rewards 1 gwei.
    for (int i = 0; i < 11; ++i) history.base_fee_per_gas.emplace_back(1'000'000'000ULL);
    for (int i = 0; i < 10; ++i) history.reward.push_back({eth::U256{1'000'000'000ULL}});
  }

  /// Mines `txn` in block `number` with the given status.
  void mine(const eth::SignedTransaction& txn, std::uint64_t number, bool status = true) {
    rpc::Receipt r;
    r.transaction_hash = eth::transaction_hash(txn);
    r.block_number = number;
    r.block_hash = blocks.count(number) ? blocks[number] : word(number);
    blocks[number] = r.block_hash;
    r.status = status;
    r.gas_used = 60'000;
    receipts[r.transaction_hash] = r;
  }

  infra::Task<std::uint64_t> chain_id() override { co_return chain; }
  infra::Task<std::uint64_t> pending_nonce(const eth::Address&) override {
    ++nonce_reads;
    co_return node_nonce;
  }
  infra::Task<eth::U256> balance(const eth::Address&) override {
    ++balance_reads;
    co_return balance_wei;
  }
  infra::Task<rpc::FeeHistory> fee_history(std::uint64_t, std::vector<double>) override {
    co_return history;
  }
  infra::Task<eth::U256> gas_price() override { co_return legacy_gas_price; }
  infra::Task<eth::Bytes> call(const rpc::CallRequest&) override {
    ++calls;
    if (revert) throw_revert();
    co_return eth::Bytes{};
  }
  infra::Task<std::uint64_t> estimate_gas(const rpc::CallRequest&) override {
    if (revert) throw_revert();
    co_return estimate;
  }
  infra::Task<eth::Hash32> send_raw_transaction(eth::Bytes raw) override {
    if (!send_errors.empty()) {
      const rpc::RpcErrc kind = send_errors.front();
      send_errors.pop_front();
      if (after_send_error) after_send_error();
      throw rpc::RpcException(
          rpc::make_error(kind, "scripted " + std::string(rpc::to_string(kind))));
    }
    auto decoded = eth::decode_transaction(raw);
    if (!decoded) throw std::runtime_error("fake node: undecodable transaction");
    sent.push_back(*decoded);
    co_return eth::transaction_hash(*decoded);
  }
  infra::Task<std::optional<rpc::Receipt>> receipt(const eth::Hash32& hash) override {
    const auto it = receipts.find(hash);
    if (it == receipts.end()) co_return std::nullopt;
    co_return it->second;
  }
  infra::Task<std::optional<eth::Hash32>> block_hash(std::uint64_t number) override {
    const auto it = blocks.find(number);
    if (it == blocks.end()) co_return std::nullopt;
    co_return it->second;
  }

 private:
  void throw_revert() const {
    rpc::RpcError e;
    e.kind = rpc::RpcErrc::kExecutionReverted;
    e.code = 3;
    e.message = "execution reverted";
    e.data = boost::json::string(eth::hex_encode(*revert));
    throw rpc::RpcException(e);
  }
};

}  // namespace lottery::operation::testing
