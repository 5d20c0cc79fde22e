// SPDX-License-Identifier: Apache-2.0
#pragma once

// An in-memory chain behind the follower's ChainSource interface: blocks with
// parent-linked hashes, BetPlaced / config logs, reorgs that replace the top
// of the chain with a new branch, a getLogs range limit, and hooks to make
// any method fail or answer with hostile data.

#include "eth/keccak.hpp"
#include "eth/u256.hpp"
#include "follower/chain_source.hpp"
#include "rpc/error.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace lottery::follower::testing {

inline eth::Hash32 word(const eth::U256& value) {
  return eth::u256_to_be32(value);
}

inline eth::Hash32 address_word(const eth::Address& address) {
  eth::Hash32 out{};
  std::copy(address.bytes.begin(), address.bytes.end(), out.begin() + 12);
  return out;
}

inline eth::Address player(std::uint8_t n) {
  eth::Address a{};
  a.bytes[19] = n;
  a.bytes[0] = 0xAA;
  return a;
}

inline eth::Address contract_address() {
  eth::Address a{};
  a.bytes[19] = 0x42;
  return a;
}

inline void append_word(eth::Bytes& out, const eth::Hash32& w) {
  out.insert(out.end(), w.begin(), w.end());
}

/// A bet to put into a block.
struct FakeBet {
  std::uint8_t player = 1;
  std::uint64_t amount = 1000;
};

struct FakeBlock {
  rpc::BlockHeader header;
  std::vector<rpc::Log> logs;
};

class FakeChain final : public ChainSource {
 public:
  FakeChain() { mine(1); }  // genesis (block 0)

  // ---- building the chain ----

  /// Appends `count` empty blocks.
  void mine(std::uint64_t count) {
    for (std::uint64_t i = 0; i < count; ++i) append_block({});
  }
  /// Appends one block holding `bets` (round 1) and returns its number.
  std::uint64_t mine_bets(const std::vector<FakeBet>& bets) {
    append_block(bets);
    return blocks.size() - 1;
  }
  /// Appends one block holding a MinBetAmountUpdated log.
  std::uint64_t mine_config_update() {
    FakeBlock& b = append_block({});
    rpc::Log log = base_log(b, 0);
    log.topics.push_back(
        eth::keccak256(std::string_view("MinBetAmountUpdated(uint256,uint256,uint256)")));
    append_word(log.data, word(1));
    append_word(log.data, word(2));
    append_word(log.data, word(b.header.timestamp));
    b.logs.push_back(log);
    return blocks.size() - 1;
  }
  /// Appends one block holding a RefundsPending(round_id, refunded, remaining) log.
  std::uint64_t mine_refunds_pending(std::uint64_t round_id, std::uint64_t refunded,
                                     std::uint64_t remaining) {
    FakeBlock& b = append_block({});
    rpc::Log log = base_log(b, 0);
    log.topics.push_back(
        eth::keccak256(std::string_view("RefundsPending(uint256,uint256,uint256,uint256)")));
    log.topics.push_back(word(round_id));
    append_word(log.data, word(refunded));
    append_word(log.data, word(remaining));
    append_word(log.data, word(b.header.timestamp));
    b.logs.push_back(log);
    return blocks.size() - 1;
  }
  /// Replaces every block from `first` on with a new branch of `count`
  /// blocks; `bets_at(i)` gives the bets of the i-th new block.
  void reorg(std::uint64_t first, std::uint64_t count,
             const std::function<std::vector<FakeBet>(std::uint64_t)>& bets_at = {}) {
    ++branch_;
    blocks.resize(first);
    rebuild_totals();
    for (std::uint64_t i = 0; i < count; ++i)
      append_block(bets_at ? bets_at(i) : std::vector<FakeBet>{});
  }

  std::uint64_t head() const { return blocks.size() - 1; }

  /// Every (non-removed) log of the canonical chain, in order.
  std::vector<rpc::Log> all_logs() const {
    std::vector<rpc::Log> out;
    for (const auto& b : blocks) out.insert(out.end(), b.logs.begin(), b.logs.end());
    return out;
  }

  // ---- knobs ----
  std::uint64_t chain_id_value = 31337;
  std::uint64_t max_log_range = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t deploy_block = 0;
  /// Called with the method name before each call; may throw to inject a failure.
  std::function<void(const std::string&)> before_call;
  /// May rewrite the logs a get_logs call returns (hostile node).
  std::function<void(std::vector<rpc::Log>&)> tamper_logs;
  bool new_heads = false;

  std::map<std::string, int> calls;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> log_ranges;
  std::vector<std::uint64_t> state_reads;
  std::vector<bool> state_reads_with_config;
  /// `refundProgress(id)` answers (0 for rounds not listed), and the reads asked for.
  std::map<std::uint64_t, std::uint64_t> refund_progress_of;
  std::vector<std::pair<std::uint64_t, std::vector<std::uint64_t>>> refund_reads;
  std::vector<FakeBlock> blocks;

  // ---- ChainSource ----

  infra::Task<std::uint64_t> chain_id() override {
    enter("eth_chainId");
    co_return chain_id_value;
  }
  infra::Task<rpc::BlockHeader> latest_header() override {
    enter("latest_header");
    co_return blocks.back().header;
  }
  infra::Task<std::optional<rpc::BlockHeader>> header_at(std::uint64_t number) override {
    enter("header_at");
    if (number >= blocks.size()) co_return std::nullopt;
    co_return blocks[number].header;
  }
  infra::Task<std::vector<rpc::BlockHeader>> headers(std::uint64_t from,
                                                     std::uint64_t to) override {
    enter("headers");
    std::vector<rpc::BlockHeader> out;
    for (std::uint64_t n = from; n <= to; ++n) {
      if (n >= blocks.size()) throw ChainDataError("no block " + std::to_string(n));
      out.push_back(blocks[n].header);
    }
    co_return out;
  }
  infra::Task<ContractState> read_state(std::uint64_t number, bool with_config) override {
    enter("read_state");
    state_reads.push_back(number);
    state_reads_with_config.push_back(with_config);
    ContractState state;
    // The round id encodes the block the state was read at, so tests can
    // see which block the store's round came from.
    state.round.round_id = number;
    state.round.state = store::RoundState::kBetting;
    if (number < totals_at.size()) {
      for (const auto& [who, total] : totals_at[number])
        state.participants.push_back({player(who), total});
    }
    if (with_config) {
      store::ContractConfig config;
      config.min_participants = 2;
      config.max_participants = 500;
      state.config = config;
    }
    co_return state;
  }
  infra::Task<std::map<std::uint64_t, std::uint64_t>> refund_progress(
      std::uint64_t number, std::vector<std::uint64_t> round_ids) override {
    enter("refund_progress");
    refund_reads.emplace_back(number, round_ids);
    std::map<std::uint64_t, std::uint64_t> out;
    for (const std::uint64_t id : round_ids) {
      const auto it = refund_progress_of.find(id);
      out[id] = it != refund_progress_of.end() ? it->second : 0;
    }
    co_return out;
  }
  infra::Task<std::vector<rpc::Log>> get_logs(std::uint64_t from, std::uint64_t to) override {
    enter("get_logs");
    log_ranges.emplace_back(from, to);
    if (to - from + 1 > max_log_range) {
      rpc::RpcError e = rpc::make_error(rpc::RpcErrc::kRangeTooLarge, "block range is too large");
      throw rpc::RpcException(e);
    }
    std::vector<rpc::Log> out;
    for (std::uint64_t n = from; n <= to && n < blocks.size(); ++n) {
      out.insert(out.end(), blocks[n].logs.begin(), blocks[n].logs.end());
    }
    if (tamper_logs) tamper_logs(out);
    co_return out;
  }
  infra::Task<bool> has_code(std::uint64_t number) override {
    enter("has_code");
    co_return number >= deploy_block;
  }
  bool supports_new_heads() const override { return new_heads; }
  infra::Task<std::shared_ptr<rpc::Subscription>> subscribe_new_heads() override {
    enter("subscribe");
    throw rpc::RpcException(rpc::make_error(rpc::RpcErrc::kOther, "no subscriptions in the fake"));
    co_return nullptr;
  }

 private:
  void enter(const std::string& method) {
    ++calls[method];
    if (before_call) before_call(method);
  }

  rpc::Log base_log(const FakeBlock& b, std::uint64_t index) const {
    rpc::Log log;
    log.address = contract_address();
    log.block_number = b.header.number;
    log.block_hash = b.header.hash;
    log.log_index = index;
    log.transaction_hash =
        eth::keccak256("tx-" + std::to_string(branch_) + "-" + std::to_string(b.header.number) +
                       "-" + std::to_string(index));
    log.transaction_index = index;
    return log;
  }

  FakeBlock& append_block(const std::vector<FakeBet>& bets) {
    FakeBlock b;
    b.header.number = blocks.size();
    b.header.hash =
        eth::keccak256("block-" + std::to_string(branch_) + "-" + std::to_string(b.header.number));
    b.header.parent_hash = blocks.empty() ? eth::Hash32{} : blocks.back().header.hash;
    b.header.timestamp = 1'700'000'000 + b.header.number * 12;
    std::map<std::uint8_t, eth::U256> totals =
        totals_at.empty() ? std::map<std::uint8_t, eth::U256>{} : totals_at.back();
    std::uint64_t index = 0;
    for (const auto& bet : bets) {
      rpc::Log log = base_log(b, index++);
      log.topics.push_back(
          eth::keccak256(std::string_view("BetPlaced(uint256,address,uint256,uint256,uint256)")));
      log.topics.push_back(word(1));
      log.topics.push_back(address_word(player(bet.player)));
      totals[bet.player] += bet.amount;
      append_word(log.data, word(bet.amount));
      append_word(log.data, word(totals[bet.player]));
      append_word(log.data, word(b.header.timestamp));
      b.logs.push_back(log);
    }
    blocks.push_back(std::move(b));
    totals_at.push_back(std::move(totals));
    return blocks.back();
  }

  void rebuild_totals() { totals_at.resize(blocks.size()); }

  int branch_ = 0;
  std::vector<std::map<std::uint8_t, eth::U256>>
      totals_at;  // per block: each player's total after it
};

}  // namespace lottery::follower::testing
