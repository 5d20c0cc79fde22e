// SPDX-License-Identifier: Apache-2.0
#pragma once

// Fee and gas arithmetic of the operator (SPEC §4). Pure and exact (wei in U256): the inputs are
// what eth_feeHistory / eth_gasPrice / eth_estimateGas returned, the outputs go into a transaction.

#include "eth/u256.hpp"
#include "rpc/eth_types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace lottery::operation {

/// 10^9 wei.
inline const eth::U256 kWeiPerGwei{1'000'000'000U};

/// Fee settings.
struct FeePolicy {
  /// BLOCKCHAIN_MAX_FEE_GWEI in wei: no maxFeePerGas (or legacy gasPrice) above it, ever.
  eth::U256 max_fee_cap_wei = eth::U256{500} * kWeiPerGwei;
  /// The priority fee never goes below this (empty blocks report a reward of zero).
  eth::U256 min_priority_fee_wei{1'000'000U};
  /// The reward percentile asked from eth_feeHistory; the median over the blocks is used.
  double reward_percentile = 50.0;
};

/// The fee fields of one transaction.
struct Fees {
  bool legacy = false;     ///< true: `gas_price` (chains without a base fee)
  eth::U256 max_fee;       ///< EIP-1559 maxFeePerGas (equal to gas_price when legacy)
  eth::U256 priority_fee;  ///< EIP-1559 maxPriorityFeePerGas (equal to gas_price when legacy)
  eth::U256 gas_price;     ///< legacy only

  friend bool operator==(const Fees&, const Fees&) = default;
};

/// Why no fee could be chosen: the market is above the cap. `message` is one clear sentence.
struct FeeRefusal {
  std::string message;
};

using FeeQuote = std::variant<Fees, FeeRefusal>;

/// True when the chain has a base fee: the history's next-block base fee is present and nonzero
/// (pre-London chains and some L2s report zeros or nothing).
bool has_base_fee(const rpc::FeeHistory& history) noexcept;

/// EIP-1559 fees from eth_feeHistory: base = the next block's base fee (last entry of
/// `base_fee_per_gas`), priority = median of the first reward percentile over the blocks (at
/// least `min_priority_fee_wei`), maxFee = 2 × base + priority. When that exceeds the cap but
/// base + priority fits under it, maxFee is lowered to the cap (still includable in the next
/// block); when even base + priority is above the cap, the result is a refusal.
/// Precondition: `has_base_fee(history)`.
FeeQuote fees_from_history(const rpc::FeeHistory& history, const FeePolicy& policy);

/// Legacy fees from eth_gasPrice; a refusal when it is above the cap.
FeeQuote legacy_fees(const eth::U256& gas_price, const FeePolicy& policy);

/// `value` raised by 12.5%, rounded up, and by at least one wei: ceil(value × 9 / 8).
eth::U256 bump_12_5_percent(const eth::U256& value);

/// The fees of a replacement for a transaction sent with `previous`: every fee field at least
/// `bump_12_5_percent` of the old one (what nodes require to replace a transaction with the same
/// nonce) and at least the current market `current` (when given and of the same kind). A refusal
/// when the bumped maxFee (or gas price) would exceed the cap: a capped replacement would be
/// rejected as underpriced anyway.
FeeQuote replacement_fees(const Fees& previous, const std::optional<Fees>& current,
                          const FeePolicy& policy);

/// Gas limit = ceil(estimate × multiplier); the multiplier is used with a precision of 1/1000 and
/// never below 1.0. Saturates at UINT64_MAX.
std::uint64_t gas_limit_from_estimate(std::uint64_t estimate, double multiplier) noexcept;

/// The worst-case cost in wei of a transaction: gas_limit × maxFee (× gas price when legacy).
eth::U256 max_cost(std::uint64_t gas_limit, const Fees& fees);

/// "12.5 gwei" style rendering for logs (up to 9 decimals, trailing zeros dropped).
std::string format_gwei(const eth::U256& wei);

}  // namespace lottery::operation
