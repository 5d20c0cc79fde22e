// SPDX-License-Identifier: Apache-2.0
#pragma once

// Re-checks a draw the way the contract made it (SPEC §2): r = seed % totalPot,
// then walk the players in first-bet order and take the first whose
// cumulative stake exceeds r.

#include "store/types.hpp"

#include <cstdint>
#include <optional>
#include <span>

namespace lottery::store {

/// The winner for `seed` over `players` (first-bet order, stakes in wei).
/// nullopt when `total_pot` is 0 or the stakes do not reach past r (the
/// store did not see all of the round's bets).
std::optional<Address> pick_winner(const U256& seed, const U256& total_pot,
                                   std::span<const Participant> players);

/// The outcome of re-checking one completed round.
struct VerifyResult {
  std::uint64_t round_id = 0;
  U256 random_seed = 0;
  U256 total_pot_wei = 0;
  std::optional<Address> expected_winner;  ///< nullopt when it cannot be recomputed
  Address onchain_winner{};
  /// The stakes the store saw add up to the event's total pot.
  bool bets_complete = false;
  /// expected_winner == onchain_winner (false when bets are incomplete).
  bool match = false;
};

/// Re-checks a completed round from its seed, pot and bets; nullopt for a
/// refunded round (nothing was drawn).
std::optional<VerifyResult> verify_round(const FinishedRound& round);

}  // namespace lottery::store
