// SPDX-License-Identifier: Apache-2.0
#pragma once

// The store's own input type for contract events. The contract binding
// (src/contract) decodes logs; the follower converts each decoded log into a
// `ChainEvent` here. Keeping this type in the store (typed per event, not a
// name -> field map) means the store does not depend on the binding, and a
// misspelt field is a compile error rather than a silently empty detail.

#include "store/types.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>

namespace lottery::store {

/// Where a log sits in the chain. `(block_hash, log_index)` identifies it
/// uniquely; `timestamp` is the event's own `timestamp` field (block time).
struct EventMeta {
  std::uint64_t block_number = 0;
  Hash32 block_hash{};
  std::uint64_t log_index = 0;
  Hash32 tx_hash{};
  std::uint64_t timestamp = 0;
};

/// `RoundCreated(roundId, startTime, endTime, minDrawTime, maxDrawTime, timestamp)`.
struct RoundCreated {
  std::uint64_t round_id = 0;
  std::uint64_t start_time = 0;
  std::uint64_t end_time = 0;
  std::uint64_t min_draw_time = 0;
  std::uint64_t max_draw_time = 0;
};

/// `BetPlaced(roundId, player, amount, newTotal, timestamp)`.
struct BetPlaced {
  std::uint64_t round_id = 0;
  Address player{};
  U256 amount = 0;
  U256 new_total = 0;
};

/// `EndTimeExtended(roundId, oldEndTime, newEndTime, timestamp)`.
struct EndTimeExtended {
  std::uint64_t round_id = 0;
  std::uint64_t old_end_time = 0;
  std::uint64_t new_end_time = 0;
};

/// `RoundStateChanged(roundId, oldState, newState, timestamp)`.
struct RoundStateChanged {
  std::uint64_t round_id = 0;
  RoundState old_state = RoundState::kWaiting;
  RoundState new_state = RoundState::kWaiting;
};

/// `RoundCompleted(roundId, winner, totalPot, participantCount, winnerPrize,
/// publisherCommission, randomSeed, timestamp)`.
struct RoundCompleted {
  std::uint64_t round_id = 0;
  Address winner{};
  U256 total_pot = 0;
  std::uint64_t participant_count = 0;
  U256 winner_prize = 0;
  U256 publisher_commission = 0;
  U256 random_seed = 0;
};

/// `RoundRefunded(roundId, totalRefunded, participantCount, reason, timestamp)`.
struct RoundRefunded {
  std::uint64_t round_id = 0;
  U256 total_refunded = 0;
  std::uint64_t participant_count = 0;
  std::string reason;
};

/// Which setting a `*Updated(old, new, timestamp)` event changed.
enum class ConfigParam : std::uint8_t {
  kMinBetAmount,     ///< MinBetAmountUpdated (wei)
  kBettingDuration,  ///< BettingDurationUpdated (seconds)
  kMinParticipants,  ///< MinParticipantsUpdated
  kMaxParticipants,  ///< MaxParticipantsUpdated (the participant cap)
};

/// One of the config events; they all have the shape `(old, new, timestamp)`.
struct ConfigUpdated {
  ConfigParam param = ConfigParam::kMinBetAmount;
  U256 old_value = 0;
  U256 new_value = 0;
};

/// `OperatorUpdated(oldOperator, newOperator, timestamp)`.
struct OperatorUpdated {
  Address old_operator{};
  Address new_operator{};
};

/// `Withdrawn(to, amount, timestamp)`.
struct Withdrawn {
  Address to{};
  U256 amount = 0;
};

/// `WithdrawalCredited(to, amount, timestamp)`: `amount` was added to
/// `pendingWithdrawals[to]` (the commission, or a payment `to` rejected).
struct WithdrawalCredited {
  Address to{};
  U256 amount = 0;
};

/// `RefundsPending(roundId, refunded, remaining, timestamp)`: a refund batch
/// stopped with `remaining` stakes still to return (`continueRefund()`).
/// Both counts are players, not wei.
struct RefundsPending {
  std::uint64_t round_id = 0;
  std::uint64_t refunded = 0;
  std::uint64_t remaining = 0;
};

using EventBody = std::variant<RoundCreated, BetPlaced, EndTimeExtended, RoundStateChanged,
                               RoundCompleted, RoundRefunded, ConfigUpdated, OperatorUpdated,
                               Withdrawn, WithdrawalCredited, RefundsPending>;

/// A decoded contract log with its position in the chain.
struct ChainEvent {
  EventMeta meta;
  EventBody body;
};

/// The Solidity event name, e.g. "BetPlaced", "MinBetAmountUpdated".
std::string_view event_name(const EventBody& body) noexcept;

/// Identity of a log for exactly-once application.
struct EventKey {
  Hash32 block_hash{};
  std::uint64_t log_index = 0;

  friend bool operator==(const EventKey&, const EventKey&) = default;
};

}  // namespace lottery::store

template <>
struct std::hash<lottery::store::EventKey> {
  std::size_t operator()(const lottery::store::EventKey& key) const noexcept;
};
