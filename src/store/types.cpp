// SPDX-License-Identifier: Apache-2.0
#include "store/types.hpp"

#include <algorithm>
#include <array>
#include <unordered_map>

namespace lottery::store {

namespace {

constexpr std::array<std::string_view, 5> kStateNames = {"waiting", "betting", "drawing",
                                                         "completed", "refunded"};
constexpr std::array<std::string_view, 5> kStateLabels = {"WAITING", "BETTING", "DRAWING",
                                                          "COMPLETED", "REFUNDED"};

}  // namespace

std::string_view state_name(RoundState state) noexcept {
  return kStateNames.at(static_cast<std::size_t>(state));
}

std::string_view state_label(RoundState state) noexcept {
  return kStateLabels.at(static_cast<std::size_t>(state));
}

std::optional<RoundState> round_state_from_int(std::uint64_t value) noexcept {
  if (value >= kStateNames.size()) return std::nullopt;
  return static_cast<RoundState>(value);
}

std::string_view finish_event_name(FinishKind kind) noexcept {
  return kind == FinishKind::kCompleted ? "RoundCompleted" : "RoundRefunded";
}

std::string_view outcome_name(PlayerOutcome outcome) noexcept {
  switch (outcome) {
    case PlayerOutcome::kPending:
      return "pending";
    case PlayerOutcome::kWon:
      return "won";
    case PlayerOutcome::kLost:
      return "lost";
    case PlayerOutcome::kRefunded:
      return "refunded";
    case PlayerOutcome::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view operator_state_name(OperatorRunState state) noexcept {
  switch (state) {
    case OperatorRunState::kRunning:
      return "running";
    case OperatorRunState::kNoKey:
      return "no_key";
    case OperatorRunState::kStandby:
      return "standby";
    case OperatorRunState::kStopped:
      return "stopped";
  }
  return "stopped";
}

std::vector<Participant> stakes_in_first_bet_order(const RoundBets& bets) {
  std::vector<Participant> out;
  std::unordered_map<Address, std::size_t> index;
  for (const BetRecord& bet : bets.records) {
    auto [it, inserted] = index.try_emplace(bet.player, out.size());
    if (inserted) {
      out.push_back({bet.player, bet.new_total});
    } else {
      // Records are in chain order, so the latest new_total is the chain's
      // current figure; max() also tolerates a bet applied out of order.
      U256& total = out[it->second].total_wei;
      total = std::max(total, bet.new_total);
    }
  }
  return out;
}

std::string format_ether(const U256& wei) {
  const U256 kWeiPerEther{1000000000000000000ULL};
  std::string whole = eth::u256_to_dec(wei / kWeiPerEther);
  std::string frac = eth::u256_to_dec(wei % kWeiPerEther);
  if (frac == "0") return whole;
  frac.insert(0, 18 - frac.size(), '0');
  frac.erase(frac.find_last_not_of('0') + 1);
  return whole + "." + frac;
}

}  // namespace lottery::store
