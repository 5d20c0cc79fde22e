// SPDX-License-Identifier: Apache-2.0
#pragma once

// Plain domain structs the store keeps and serves. They carry no JSON and no
// behaviour beyond comparison; serialisation lives in json.hpp / *_json.cpp.

#include "eth/address.hpp"
#include "eth/bytes.hpp"
#include "eth/u256.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lottery::store {

using eth::Address;
using eth::Hash32;
using eth::U256;

/// The contract's `enum RoundState`, same numeric values.
enum class RoundState : std::uint8_t {
  kWaiting = 0,
  kBetting = 1,
  kDrawing = 2,
  kCompleted = 3,
  kRefunded = 4,
};

/// "waiting", "betting", "drawing", "completed", "refunded".
std::string_view state_name(RoundState state) noexcept;
/// "WAITING", "BETTING", "DRAWING", "COMPLETED", "REFUNDED".
std::string_view state_label(RoundState state) noexcept;
/// The state for the contract's numeric value; nullopt when it is not 0..4.
std::optional<RoundState> round_state_from_int(std::uint64_t value) noexcept;

/// The contract's round struct as returned by `getRound()`.
struct Round {
  std::uint64_t round_id = 0;
  std::uint64_t start_time = 0;
  std::uint64_t end_time = 0;
  std::uint64_t min_draw_time = 0;
  std::uint64_t max_draw_time = 0;
  U256 total_pot = 0;
  std::uint64_t participant_count = 0;
  Address winner{};  ///< zero until drawn
  U256 publisher_commission = 0;
  U256 winner_prize = 0;
  RoundState state = RoundState::kWaiting;

  friend bool operator==(const Round&, const Round&) = default;
};

/// One player of the current round with the total they staked (wei).
struct Participant {
  Address address{};
  U256 total_wei = 0;

  friend bool operator==(const Participant&, const Participant&) = default;
};

/// The contract's configuration (`getConfig()` plus the participant cap).
struct ContractConfig {
  Address publisher_addr{};
  Address operator_addr{};
  std::uint64_t publisher_commission_bps = 0;  ///< basis points, max 1000
  U256 min_bet = 0;                            ///< wei
  std::uint64_t betting_duration = 0;          ///< seconds
  std::uint64_t min_draw_delay = 0;            ///< seconds after endTime
  std::uint64_t max_draw_delay = 0;            ///< seconds after endTime
  std::uint64_t min_end_time_extension = 0;    ///< seconds
  std::uint64_t min_participants = 0;
  std::uint64_t max_participants = 0;  ///< 0 = unknown (contract without a cap view)

  friend bool operator==(const ContractConfig&, const ContractConfig&) = default;
};

/// One `BetPlaced` event, kept per round in chain order.
struct BetRecord {
  Address player{};
  U256 amount = 0;     ///< this bet (wei)
  U256 new_total = 0;  ///< the player's total in the round after this bet (wei)
  std::uint64_t timestamp = 0;
  std::uint64_t block_number = 0;
  std::uint64_t log_index = 0;
  Hash32 tx_hash{};

  friend bool operator==(const BetRecord&, const BetRecord&) = default;
};

/// Every bet the store saw for one round, in chain order (so the first record
/// of each player gives the contract's first-bet order).
struct RoundBets {
  std::uint64_t round_id = 0;
  std::vector<BetRecord> records;
};

/// Players of a round with their stakes, in first-bet order (the order the
/// contract walks when drawing). A player's stake is the `new_total` of their
/// latest bet, which is the chain's own figure even if earlier bets were missed.
std::vector<Participant> stakes_in_first_bet_order(const RoundBets& bets);

/// How a round ended.
enum class FinishKind : std::uint8_t { kCompleted, kRefunded };

/// "RoundCompleted" or "RoundRefunded".
std::string_view finish_event_name(FinishKind kind) noexcept;

/// A finished round, built from its `RoundCompleted` / `RoundRefunded` event.
struct FinishedRound {
  FinishKind kind = FinishKind::kCompleted;
  std::uint64_t round_id = 0;
  std::uint64_t participant_count = 0;
  U256 total_pot_wei = 0;         ///< for refunds: the total refunded
  std::uint64_t finished_at = 0;  ///< block time of the event
  Address winner{};               ///< zero for refunds
  U256 winner_prize_wei = 0;
  U256 publisher_commission_wei = 0;
  std::optional<U256> random_seed;           ///< completed rounds only
  std::optional<std::string> refund_reason;  ///< refunded rounds only
  Hash32 tx_hash{};
  std::uint64_t block_number = 0;
  std::uint64_t log_index = 0;
  /// The round's bets as seen when it finished (shared with the bet book);
  /// never null.
  std::shared_ptr<const RoundBets> bets;
};

/// A value in an activity's `details` map.
using DetailValue = std::variant<std::uint64_t, std::string>;

/// One item of the activity feed: one applied contract event.
struct Activity {
  std::uint64_t activity_id = 0;  ///< increases by one per applied event, never reused
  std::string activity_type;      ///< the event name, e.g. "BetPlaced"
  std::string message;            ///< one human sentence
  std::map<std::string, DetailValue> details;
  std::uint64_t timestamp = 0;  ///< block time
  std::uint64_t block_number = 0;
  std::uint64_t log_index = 0;
  Hash32 tx_hash{};
  bool final = false;  ///< the block has the configured number of confirmations
};

/// What a finished round meant for one player.
enum class PlayerOutcome : std::uint8_t {
  kPending,  ///< no finishing event yet (the round is current or later)
  kWon,
  kLost,
  kRefunded,
  kUnknown,  ///< an older round whose end the store did not see
};

/// "pending", "won", "lost", "refunded", "unknown".
std::string_view outcome_name(PlayerOutcome outcome) noexcept;

/// One player's bets in one round and what came of them.
struct PlayerRound {
  std::uint64_t round_id = 0;
  U256 total_wei = 0;           ///< the player's stake in the round
  std::vector<BetRecord> bets;  ///< chain order
  PlayerOutcome outcome = PlayerOutcome::kPending;
  U256 prize_wei = 0;     ///< winner prize when won
  U256 refunded_wei = 0;  ///< the stake when refunded
};

/// A refunded round whose stakes are returned in batches: the contract emitted `RefundsPending`
/// for it, and `continueRefund(roundId)` must be called until every stake is back.
struct RefundProgress {
  std::uint64_t round_id = 0;
  /// Stakes to return in all: `refunded + remaining` of the round's `RefundsPending`.
  std::uint64_t participant_count = 0;
  /// Stakes returned (or credited) so far: the event's `refunded`, later the contract's
  /// `refundProgress(roundId)` as read by the follower.
  std::uint64_t refunded = 0;
  std::uint64_t since_block = 0;    ///< block of the round's first `RefundsPending`
  std::uint64_t updated_block = 0;  ///< block at which `refunded` was learnt

  bool complete() const noexcept { return refunded >= participant_count; }
  friend bool operator==(const RefundProgress&, const RefundProgress&) = default;
};

/// What the follower knows about the chain head.
struct ChainStatus {
  std::uint64_t chain_id = 0;
  std::uint64_t latest_block = 0;
  Hash32 head_hash{};
  std::uint64_t head_timestamp = 0;  ///< chain time: the latest block's timestamp
  std::uint64_t head_age_s = 0;      ///< wall-clock age of the head when observed
  bool reachable = false;
  bool lagging = false;
  bool synced = false;  ///< the first sync (backfill) is done

  friend bool operator==(const ChainStatus&, const ChainStatus&) = default;
};

/// The operator's run state as shown in `/api/health`.
enum class OperatorRunState : std::uint8_t { kRunning, kNoKey, kStandby, kStopped };

/// "running", "no_key", "standby", "stopped".
std::string_view operator_state_name(OperatorRunState state) noexcept;

struct OperatorStatus {
  OperatorRunState status = OperatorRunState::kStopped;
  std::optional<Address> address;  ///< absent without a key
  U256 balance_wei = 0;
  std::optional<Hash32> pending_tx;  ///< the transaction in flight, if any
  bool low_balance = false;

  friend bool operator==(const OperatorStatus&, const OperatorStatus&) = default;
};

/// Totals over the finished rounds the store holds.
struct HistorySummary {
  std::uint64_t total_rounds = 0;
  std::uint64_t completed_rounds = 0;
  std::uint64_t refunded_rounds = 0;
  U256 total_volume_wei = 0;

  friend bool operator==(const HistorySummary&, const HistorySummary&) = default;
};

/// Counters for metrics and tests (cumulative since start).
struct StoreStats {
  std::uint64_t commits = 0;
  std::uint64_t events_applied = 0;
  std::uint64_t duplicate_events = 0;
  std::uint64_t reorgs = 0;
  std::uint64_t events_rolled_back = 0;
};

/// Formats wei as ether with up to 18 decimals and no trailing zeros:
/// 10^15 -> "0.001", 1.5 * 10^18 -> "1.5", 0 -> "0".
std::string format_ether(const U256& wei);

}  // namespace lottery::store
