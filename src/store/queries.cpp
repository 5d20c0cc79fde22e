// SPDX-License-Identifier: Apache-2.0
#include "store/queries.hpp"

#include <boost/multiprecision/cpp_int.hpp>

#include <algorithm>

namespace lottery::store {

std::vector<Participant> participants_by_stake(const Snapshot& snap, std::size_t limit) {
  std::vector<Participant> out(*snap.participants);
  std::stable_sort(out.begin(), out.end(), [](const Participant& a, const Participant& b) {
    return a.total_wei > b.total_wei;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

U256 current_stake(const Snapshot& snap, const Address& player) {
  for (const Participant& p : *snap.participants) {
    if (p.address == player) return p.total_wei;
  }
  return 0;
}

std::uint64_t win_rate_bps(const U256& stake, const U256& total_pot) {
  if (total_pot == 0) return 0;
  // 512 bits so stake * 20000 cannot wrap for any uint256 stake.
  using Wide = boost::multiprecision::uint512_t;
  const Wide pot{total_pot};
  const Wide share = std::min(Wide{stake}, pot);
  const Wide bps = (share * 20000 + pot) / (pot * 2);  // round half up
  return bps.convert_to<std::uint64_t>();
}

std::string format_percent(std::uint64_t bps) {
  std::string out = std::to_string(bps / 100);
  const std::uint64_t frac = bps % 100;
  if (frac == 0) return out;
  out += '.';
  out += static_cast<char>('0' + frac / 10);
  if (frac % 10 != 0) out += static_cast<char>('0' + frac % 10);
  return out;
}

std::vector<std::shared_ptr<const FinishedRound>> history_page(const Snapshot& snap,
                                                               std::size_t limit) {
  const HistoryList& list = *snap.history;
  std::vector<std::shared_ptr<const FinishedRound>> out;
  out.reserve(std::min(limit, list.size()));
  for (auto it = list.rbegin(); it != list.rend() && out.size() < limit; ++it) out.push_back(*it);
  return out;
}

std::shared_ptr<const FinishedRound> history_round(const Snapshot& snap, std::uint64_t round_id) {
  const HistoryList& list = *snap.history;
  // Newest first: recent rounds are the ones people look up.
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    if ((*it)->round_id == round_id) return *it;
  }
  return nullptr;
}

std::vector<std::shared_ptr<const Activity>> activities_page(const Snapshot& snap,
                                                             std::size_t limit) {
  const FeedList& list = *snap.feed;
  std::vector<std::shared_ptr<const Activity>> out;
  out.reserve(std::min(limit, list.size()));
  for (auto it = list.rbegin(); it != list.rend() && out.size() < limit; ++it) out.push_back(*it);
  return out;
}

std::vector<PlayerRound> player_bets(const Snapshot& snap, const Address& player) {
  std::vector<PlayerRound> out;
  for (auto it = snap.bets->rbegin(); it != snap.bets->rend(); ++it) {
    const RoundBets& round_bets = *it->second;
    PlayerRound entry;
    entry.round_id = round_bets.round_id;
    for (const BetRecord& bet : round_bets.records) {
      if (bet.player != player) continue;
      entry.bets.push_back(bet);
      entry.total_wei = std::max(entry.total_wei, bet.new_total);
    }
    if (entry.bets.empty()) continue;
    if (auto finished = history_round(snap, entry.round_id)) {
      if (finished->kind == FinishKind::kRefunded) {
        entry.outcome = PlayerOutcome::kRefunded;
        entry.refunded_wei = entry.total_wei;
      } else if (finished->winner == player) {
        entry.outcome = PlayerOutcome::kWon;
        entry.prize_wei = finished->winner_prize_wei;
      } else {
        entry.outcome = PlayerOutcome::kLost;
      }
    } else {
      entry.outcome =
          entry.round_id >= snap.round.round_id ? PlayerOutcome::kPending : PlayerOutcome::kUnknown;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace lottery::store
