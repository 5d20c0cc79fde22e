// SPDX-License-Identifier: Apache-2.0
#pragma once

// Read-side helpers over a `Snapshot` for the HTTP layer. All are pure
// functions of the snapshot; none allocates more than its result.

#include "store/snapshot.hpp"
#include "store/types.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lottery::store {

/// The current round's players by stake, descending; ties keep the contract's
/// (first-bet) order. At most `limit` entries.
std::vector<Participant> participants_by_stake(const Snapshot& snap, std::size_t limit);

/// The stake of `player` in the current round (0 when not playing).
U256 current_stake(const Snapshot& snap, const Address& player);

/// The chance that `stake` wins a pot of `total_pot`, in hundredths of a
/// percent (basis points of 100%), rounded half up with exact integer math:
/// 1 of 3 -> 3333, 2 of 3 -> 6667, all -> 10000. 0 when the pot is 0.
std::uint64_t win_rate_bps(const U256& stake, const U256& total_pot);

/// Formats hundredths of a percent as a decimal: 3333 -> "33.33", 10000 ->
/// "100", 50 -> "0.5", 0 -> "0" (no trailing zeros, no exponent).
std::string format_percent(std::uint64_t bps);

/// Finished rounds, newest first, at most `limit`.
std::vector<std::shared_ptr<const FinishedRound>> history_page(const Snapshot& snap,
                                                               std::size_t limit);

/// The finished round with this id, or null when the store does not hold it.
std::shared_ptr<const FinishedRound> history_round(const Snapshot& snap, std::uint64_t round_id);

/// Activities, newest first, at most `limit`.
std::vector<std::shared_ptr<const Activity>> activities_page(const Snapshot& snap,
                                                             std::size_t limit);

/// Every round in the bet book where `player` bet, newest round first, with
/// the outcome for them.
std::vector<PlayerRound> player_bets(const Snapshot& snap, const Address& player);

}  // namespace lottery::store
