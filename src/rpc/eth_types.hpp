// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eth/address.hpp"
#include "eth/bytes.hpp"
#include "eth/u256.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lottery::rpc {

/// A block number or one of the named tags JSON-RPC accepts.
struct BlockTag {
  enum class Kind : std::uint8_t { kNumber, kLatest, kPending, kSafe, kFinalized, kEarliest };
  Kind kind = Kind::kLatest;
  std::uint64_t number = 0;

  static BlockTag at(std::uint64_t n) { return {Kind::kNumber, n}; }
  static BlockTag latest() { return {Kind::kLatest, 0}; }
  static BlockTag pending() { return {Kind::kPending, 0}; }
  static BlockTag safe() { return {Kind::kSafe, 0}; }
  static BlockTag finalized() { return {Kind::kFinalized, 0}; }
  static BlockTag earliest() { return {Kind::kEarliest, 0}; }
  /// "0x1a", "latest", "pending", …
  std::string to_param() const;
};

/// The header fields the follower needs.
struct BlockHeader {
  std::uint64_t number = 0;
  eth::Hash32 hash{};
  eth::Hash32 parent_hash{};
  std::uint64_t timestamp = 0;
  std::optional<eth::U256> base_fee_per_gas;  ///< absent before London / on legacy chains
};

struct Log {
  eth::Address address;
  std::vector<eth::Hash32> topics;  ///< at most 4
  eth::Bytes data;
  std::uint64_t block_number = 0;
  eth::Hash32 block_hash{};
  eth::Hash32 transaction_hash{};
  std::uint64_t transaction_index = 0;
  std::uint64_t log_index = 0;
  bool removed = false;
};

/// eth_getLogs filter over an inclusive block range.
struct LogFilter {
  std::vector<eth::Address> addresses;  ///< empty: any address
  /// Per topic position: the accepted values (OR); an empty inner vector is
  /// a wildcard for that position. At most 4 positions.
  std::vector<std::vector<eth::Hash32>> topics;
  std::uint64_t from_block = 0;
  std::uint64_t to_block = 0;
};

/// Parameters of eth_call / eth_estimateGas.
struct CallRequest {
  std::optional<eth::Address> from;
  std::optional<eth::Address> to;  ///< empty for contract creation (estimateGas)
  eth::Bytes data;
  std::optional<eth::U256> value;
  std::optional<std::uint64_t> gas;
};

struct Receipt {
  eth::Hash32 transaction_hash{};
  std::uint64_t block_number = 0;
  eth::Hash32 block_hash{};
  std::uint64_t transaction_index = 0;
  eth::Address from;
  std::optional<eth::Address> to;
  std::optional<eth::Address> contract_address;
  bool status = false;  ///< true: success (status 0x1)
  std::uint64_t gas_used = 0;
  std::uint64_t cumulative_gas_used = 0;
  std::optional<eth::U256> effective_gas_price;
  std::vector<Log> logs;
};

struct FeeHistory {
  std::uint64_t oldest_block = 0;
  /// One more entry than blocks: the last is the next block's base fee.
  std::vector<eth::U256> base_fee_per_gas;
  std::vector<double> gas_used_ratio;
  /// Per block, one priority fee per requested percentile (empty when none asked).
  std::vector<std::vector<eth::U256>> reward;
};

}  // namespace lottery::rpc
