// SPDX-License-Identifier: Apache-2.0
#pragma once

// JSON for the store's views (SPEC §5, §6). Conventions: wei amounts are
// decimal strings, addresses EIP-55 checksummed (null when zero where "no
// address" is meant), hashes "0x" + 64 lower-case hex, times unix seconds.
// Every view's `timestamp` is the snapshot's chain time, so the same state
// always serialises to the same bytes.
//
// The pre-serialised default views live in `Snapshot::views`; these builders
// serve other limits and per-request views.

#include "store/queries.hpp"
#include "store/snapshot.hpp"
#include "store/types.hpp"
#include "store/verify.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lottery::store {

/// GET /api/round/status: {round_id, state, state_name, state_label, start_time,
/// end_time, min_draw_time, max_draw_time, total_pot, participant_count, winner,
/// publisher_commission, winner_prize, participants: [address…], chain_time}.
boost::json::object round_status_json(const Snapshot& snap);

/// {address, totalAmountWei}.
boost::json::object participant_json(const Participant& participant);

/// GET /api/round/participants: {round_id, round_state (state name),
/// participants: [{address, totalAmountWei}] by stake descending (at most
/// `limit`), total_participants, total_amount_wei, timestamp}.
boost::json::object participants_view_json(const Snapshot& snap, std::size_t limit);

/// One /api/history entry: {event_type, round_id, participant_count,
/// total_pot_wei, finished_at, winner, winner_prize_wei, publisher_commission_wei,
/// random_seed, refund_reason, tx_hash, block_number}. With `with_bets`
/// (GET /api/history/{round_id}) also `participants` [{address,
/// totalAmountWei}] in first-bet order and `bets` [{player, amount_wei,
/// total_wei, block_number, log_index, tx_hash, timestamp}] in chain order.
boost::json::object finished_round_json(const FinishedRound& round, bool with_bets);

/// {total_rounds, completed_rounds, refunded_rounds, total_volume_wei}.
boost::json::object summary_json(const HistorySummary& summary);

/// GET /api/history: {rounds (newest first, at most `limit`), summary,
/// pagination: {limit, returned}, timestamp}.
boost::json::object history_view_json(const Snapshot& snap, std::size_t limit);

/// {activity_id, activity_type, message, details, timestamp, block_number,
/// tx_hash, final}.
boost::json::object activity_json(const Activity& activity);

/// GET /api/activities: {activities: [newest first, at most `limit`]}.
boost::json::object activities_view_json(const Snapshot& snap, std::size_t limit);

/// GET /api/contract/config: {config: {publisherAddr, operatorAddr,
/// publisherCommission (bps number), minBet (wei string), bettingDuration,
/// minDrawDelay, maxDrawDelay, minEndTimeExtension, minParticipants,
/// maxParticipants} or null before the first read, contract_address,
/// chain_id, timestamp}.
boost::json::object config_view_json(const Snapshot& snap);

/// /api/health components.operator: {status, address, balance_wei,
/// pending_tx, low_balance}.
boost::json::object operator_status_json(const OperatorStatus& status);

/// /api/health components.blockchain: {status ("ok"|"lagging"|"unreachable"),
/// latest_block, head_age_s, chain_id}.
boost::json::object chain_status_json(const ChainStatus& status);

/// GET /api/user/{address}/bets: {player, rounds: [{round_id, total_wei,
/// bet_count, bets: [{amount_wei, total_wei, block_number, tx_hash,
/// timestamp}], outcome, prize_wei, refunded_wei}] newest round first,
/// rounds_played, rounds_won, total_wagered_wei, total_won_wei, timestamp}.
boost::json::object player_bets_json(const Snapshot& snap, const Address& player);

/// GET /api/round/player: {"player", "round_id", "totalAmountWei", "winRate",
/// "timestamp"} with winRate a plain decimal number ("33.33", not 3.333E1,
/// which is why this one is a string and not a json object).
std::string player_view_json(const Snapshot& snap, const Address& player);

/// GET /api/verify/{round_id}: {round_id, random_seed, total_pot_wei,
/// expected_winner, onchain_winner, match, bets_complete}.
boost::json::object verify_json(const VerifyResult& result);

/// `{"type": type, "payload": payload, "timestamp": timestamp}`.
std::string ws_message(std::string_view type, boost::json::value payload, std::uint64_t timestamp);

/// The WebSocket `snapshot` message: payload {round (round status), participants
/// (participants body, all players), history (history body, 10 newest),
/// activities (array, 20 newest), config (config body), operator}.
std::string ws_snapshot_message(const Snapshot& snap);

/// "0x" + 64 lower-case hex digits.
std::string hash_hex(const Hash32& hash);
/// A uint256 as "0x" + 64 lower-case hex digits (random seeds).
std::string word_hex(const U256& value);

}  // namespace lottery::store
