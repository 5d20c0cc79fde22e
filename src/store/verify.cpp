// SPDX-License-Identifier: Apache-2.0
#include "store/verify.hpp"

namespace lottery::store {

std::optional<Address> pick_winner(const U256& seed, const U256& total_pot,
                                   std::span<const Participant> players) {
  if (total_pot == 0) return std::nullopt;
  const U256 r = seed % total_pot;
  U256 cumulative = 0;
  for (const Participant& p : players) {
    cumulative += p.total_wei;  // cannot wrap: the stakes add up to at most the pot
    if (cumulative > r) return p.address;
  }
  return std::nullopt;
}

std::optional<VerifyResult> verify_round(const FinishedRound& round) {
  if (round.kind != FinishKind::kCompleted || !round.random_seed) return std::nullopt;
  VerifyResult out;
  out.round_id = round.round_id;
  out.random_seed = *round.random_seed;
  out.total_pot_wei = round.total_pot_wei;
  out.onchain_winner = round.winner;
  const std::vector<Participant> players =
      round.bets ? stakes_in_first_bet_order(*round.bets) : std::vector<Participant>{};
  U256 sum = 0;
  for (const Participant& p : players) sum += p.total_wei;
  // Missing bets (e.g. a backfill that began mid-round) would shift the walk,
  // so only a complete set of stakes gives a trustworthy answer.
  out.bets_complete = sum == round.total_pot_wei && !players.empty();
  if (out.bets_complete)
    out.expected_winner = pick_winner(out.random_seed, out.total_pot_wei, players);
  out.match = out.expected_winner.has_value() && *out.expected_winner == out.onchain_winner;
  return out;
}

}  // namespace lottery::store
