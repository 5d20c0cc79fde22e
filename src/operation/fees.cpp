// SPDX-License-Identifier: Apache-2.0
#include "operation/fees.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace lottery::operation {

bool has_base_fee(const rpc::FeeHistory& history) noexcept {
  return !history.base_fee_per_gas.empty() && history.base_fee_per_gas.back() != 0;
}

namespace {

eth::U256 median_reward(const rpc::FeeHistory& history) {
  std::vector<eth::U256> rewards;
  rewards.reserve(history.reward.size());
  for (const auto& block : history.reward) {
    if (!block.empty()) rewards.push_back(block.front());
  }
  if (rewards.empty()) return 0;
  std::sort(rewards.begin(), rewards.end());
  return rewards[rewards.size() / 2];
}

FeeRefusal above_cap(const std::string& what, const eth::U256& needed, const eth::U256& cap) {
  return FeeRefusal{what + " is " + format_gwei(needed) +
                    ", above the cap BLOCKCHAIN_MAX_FEE_GWEI = " + format_gwei(cap) +
                    "; not sending (raise the cap or wait for lower fees)"};
}

}  // namespace

FeeQuote fees_from_history(const rpc::FeeHistory& history, const FeePolicy& policy) {
  const eth::U256 base =
      history.base_fee_per_gas.empty() ? eth::U256{0} : history.base_fee_per_gas.back();
  const eth::U256 priority = std::max(median_reward(history), policy.min_priority_fee_wei);
  const eth::U256 needed = base + priority;
  if (needed > policy.max_fee_cap_wei) {
    return above_cap("the next block's base fee plus priority fee", needed, policy.max_fee_cap_wei);
  }
  // Twice the base fee survives six full blocks of base-fee growth (12.5% each) before the
  // transaction stops being includable.
  const eth::U256 wanted = base * 2 + priority;
  Fees fees;
  fees.max_fee = std::min(wanted, policy.max_fee_cap_wei);
  fees.priority_fee = priority;
  return fees;
}

FeeQuote legacy_fees(const eth::U256& gas_price, const FeePolicy& policy) {
  if (gas_price > policy.max_fee_cap_wei)
    return above_cap("the gas price", gas_price, policy.max_fee_cap_wei);
  Fees fees;
  fees.legacy = true;
  fees.gas_price = gas_price;
  fees.max_fee = gas_price;
  fees.priority_fee = gas_price;
  return fees;
}

eth::U256 bump_12_5_percent(const eth::U256& value) {
  const eth::U256 bumped = (value * 9 + 7) / 8;
  return std::max(bumped, value + 1);
}

FeeQuote replacement_fees(const Fees& previous, const std::optional<Fees>& current,
                          const FeePolicy& policy) {
  Fees next = previous;
  const bool use_current = current.has_value() && current->legacy == previous.legacy;
  if (previous.legacy) {
    next.gas_price = bump_12_5_percent(previous.gas_price);
    if (use_current) next.gas_price = std::max(next.gas_price, current->gas_price);
    next.max_fee = next.gas_price;
    next.priority_fee = next.gas_price;
    if (next.gas_price > policy.max_fee_cap_wei) {
      return above_cap("the replacement gas price", next.gas_price, policy.max_fee_cap_wei);
    }
    return next;
  }
  next.max_fee = bump_12_5_percent(previous.max_fee);
  next.priority_fee = bump_12_5_percent(previous.priority_fee);
  if (use_current) {
    next.max_fee = std::max(next.max_fee, current->max_fee);
    next.priority_fee = std::max(next.priority_fee, current->priority_fee);
  }
  if (next.priority_fee > next.max_fee) next.max_fee = next.priority_fee;
  if (next.max_fee > policy.max_fee_cap_wei) {
    return above_cap("the replacement max fee", next.max_fee, policy.max_fee_cap_wei);
  }
  return next;
}

std::uint64_t gas_limit_from_estimate(std::uint64_t estimate, double multiplier) noexcept {
  double scaled = std::isfinite(multiplier) ? std::round(multiplier * 1000.0) : 1000.0;
  scaled = std::clamp(scaled, 1000.0, 1'000'000.0);
  const auto per_mille = static_cast<std::uint64_t>(scaled);
  const eth::U256 product = (eth::U256{estimate} * per_mille + 999) / 1000;
  if (product > std::numeric_limits<std::uint64_t>::max())
    return std::numeric_limits<std::uint64_t>::max();
  return product.convert_to<std::uint64_t>();
}

eth::U256 max_cost(std::uint64_t gas_limit, const Fees& fees) {
  return eth::U256{gas_limit} * (fees.legacy ? fees.gas_price : fees.max_fee);
}

std::string format_gwei(const eth::U256& wei) {
  const eth::U256 whole = wei / kWeiPerGwei;
  const eth::U256 frac = wei % kWeiPerGwei;
  std::string out = eth::u256_to_dec(whole);
  if (frac != 0) {
    std::string digits = eth::u256_to_dec(frac);
    digits.insert(0, 9 - digits.size(), '0');
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out + " gwei";
}

}  // namespace lottery::operation
