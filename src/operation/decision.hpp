// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the operator should do for the current round at a given chain time (SPEC §4). Pure: the
// only clock is the head's timestamp, never the service's own.

#include "eth/bytes.hpp"
#include "store/types.hpp"

#include <cstdint>
#include <string_view>

namespace lottery::operation {

/// An operator transaction kind. The operator never starts rounds.
enum class Action : std::uint8_t {
  kNone,           ///< nothing to do at this time
  kDrawWinner,     ///< `drawWinner()`: BETTING with players and minDrawTime <= t <= maxDrawTime
  kRefundExpired,  ///< `refundExpiredRound()`: BETTING and t > maxDrawTime, or an empty round
                   ///< after endTime (the contract closes it with reason "No participants")
};

/// "none", "draw_winner", "refund_expired_round" (logs and metrics labels).
std::string_view action_name(Action action) noexcept;

/// The call data of `action` (empty for kNone).
eth::Bytes action_call_data(Action action);

/// The decision table:
/// - state other than BETTING → kNone (WAITING rounds start with a player's bet; DRAWING,
///   COMPLETED and REFUNDED are already being or have been closed);
/// - BETTING with an empty pot (no participants): t > endTime → kRefundExpired, else kNone;
///   `refundExpiredRound()` is used rather than `drawWinner()` because it works at any time after
///   endTime, also once the draw window has closed;
/// - BETTING with players: t < minDrawTime → kNone; minDrawTime <= t <= maxDrawTime →
///   kDrawWinner; t > maxDrawTime → kRefundExpired.
Action decide(const store::Round& round, std::uint64_t chain_time) noexcept;

}  // namespace lottery::operation
