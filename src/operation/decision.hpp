// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the operator should do at a given chain time (SPEC §4): act on the current round, or carry
// on a batched refund of an earlier one. Pure: the only clock is the head's timestamp, never the
// service's own.

#include "eth/bytes.hpp"
#include "store/types.hpp"

#include <cstdint>
#include <span>
#include <string_view>

namespace lottery::operation {

/// An operator transaction kind. The operator never starts rounds.
enum class Action : std::uint8_t {
  kNone,            ///< nothing to do at this time
  kDrawWinner,      ///< `drawWinner()`: BETTING with players and minDrawTime <= t <= maxDrawTime
  kRefundExpired,   ///< `refundExpiredRound()`: BETTING and t > maxDrawTime, or an empty round
                    ///< after endTime (the contract closes it with reason "No participants")
  kContinueRefund,  ///< `continueRefund(roundId)`: a REFUNDED round with more than one batch
                    ///< of stakes (`RefundsPending`) whose refund is not complete
};

/// "none", "draw_winner", "refund_expired_round", "continue_refund" (logs and metrics labels).
std::string_view action_name(Action action) noexcept;

/// The call data of `action` for round `round_id` (only `continueRefund` names its round; empty
/// for kNone).
eth::Bytes action_call_data(Action action, std::uint64_t round_id = 0);

/// An action and the round it is for.
struct Decision {
  Action action = Action::kNone;
  std::uint64_t round_id = 0;
  /// kContinueRefund: the round's refund progress (stakes returned) the call continues from, so
  /// that a later batch of the same round is a new action; 0 for the others.
  std::uint64_t stage = 0;

  friend bool operator==(const Decision&, const Decision&) = default;
};

/// The decision table for the current round:
/// - state other than BETTING → kNone (WAITING rounds start with a player's bet; DRAWING,
///   COMPLETED and REFUNDED are already being or have been closed);
/// - BETTING with an empty pot (no participants): t > endTime → kRefundExpired, else kNone;
///   `refundExpiredRound()` is used rather than `drawWinner()` because it works at any time after
///   endTime, also once the draw window has closed;
/// - BETTING with players: t < minDrawTime → kNone; minDrawTime <= t <= maxDrawTime →
///   kDrawWinner; t > maxDrawTime → kRefundExpired.
Action decide(const store::Round& round, std::uint64_t chain_time) noexcept;

/// The next batch of a refund: the oldest round in `pending_refunds` (as the follower read them
/// at the head) that is not complete → kContinueRefund for it with its progress as the stage;
/// none → kNone. `continueRefund` has no time window.
Decision decide_refund(std::span<const store::RefundProgress> pending_refunds) noexcept;

/// Everything at once: the current round's action (`decide`) first, since its windows close; only
/// when it has none, `decide_refund`.
Decision decide(const store::Round& round, std::span<const store::RefundProgress> pending_refunds,
                std::uint64_t chain_time) noexcept;

}  // namespace lottery::operation
