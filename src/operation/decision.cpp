// SPDX-License-Identifier: Apache-2.0
#include "operation/decision.hpp"

#include "contract/calls.hpp"

namespace lottery::operation {

std::string_view action_name(Action action) noexcept {
  switch (action) {
    case Action::kNone:
      return "none";
    case Action::kDrawWinner:
      return "draw_winner";
    case Action::kRefundExpired:
      return "refund_expired_round";
    case Action::kContinueRefund:
      return "continue_refund";
  }
  return "unknown";
}

eth::Bytes action_call_data(Action action, std::uint64_t round_id) {
  switch (action) {
    case Action::kDrawWinner:
      return contract::draw_winner_call();
    case Action::kRefundExpired:
      return contract::refund_expired_round_call();
    case Action::kContinueRefund:
      return contract::continue_refund_call(round_id);
    case Action::kNone:
      break;
  }
  return {};
}

Action decide(const store::Round& round, std::uint64_t chain_time) noexcept {
  if (round.state != store::RoundState::kBetting) return Action::kNone;
  // The pot and the count move together in the contract; either being zero means nobody bet
  // (e.g. a round opened with startRound()).
  const bool empty = round.participant_count == 0 || round.total_pot == 0;
  if (empty) return chain_time > round.end_time ? Action::kRefundExpired : Action::kNone;
  if (chain_time > round.max_draw_time) return Action::kRefundExpired;
  if (chain_time >= round.min_draw_time) return Action::kDrawWinner;
  return Action::kNone;
}

Decision decide_refund(std::span<const store::RefundProgress> pending_refunds) noexcept {
  const store::RefundProgress* oldest = nullptr;
  for (const auto& progress : pending_refunds) {
    if (progress.complete()) continue;
    if (oldest == nullptr || progress.round_id < oldest->round_id) oldest = &progress;
  }
  if (oldest == nullptr) return {};
  return Decision{Action::kContinueRefund, oldest->round_id, oldest->refunded};
}

Decision decide(const store::Round& round, std::span<const store::RefundProgress> pending_refunds,
                std::uint64_t chain_time) noexcept {
  if (const Action action = decide(round, chain_time); action != Action::kNone)
    return Decision{action, round.round_id, 0};
  return decide_refund(pending_refunds);
}

}  // namespace lottery::operation
