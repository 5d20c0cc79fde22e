// SPDX-License-Identifier: Apache-2.0
#include "store/json.hpp"

#include "eth/hex.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <limits>

namespace lottery::store {

namespace json = boost::json;

namespace {

using eth::to_checksum;
using eth::u256_to_dec;

json::value wei(const U256& value) {
  return json::value(u256_to_dec(value));
}

/// Checksummed address, or null where the zero address means "none".
json::value address_or_null(const Address& address) {
  if (address.is_zero()) return nullptr;
  return json::value(to_checksum(address));
}

json::value detail_json(const DetailValue& value) {
  if (const auto* number = std::get_if<std::uint64_t>(&value)) return json::value(*number);
  return json::value(std::get<std::string>(value));
}

}  // namespace

std::string hash_hex(const Hash32& hash) {
  return eth::hex_encode(hash);
}

std::string word_hex(const U256& value) {
  return eth::hex_encode(eth::u256_to_be32(value));
}

json::object round_status_json(const Snapshot& snap) {
  const Round& r = snap.round;
  json::array players;
  players.reserve(snap.participants->size());
  for (const Participant& p : *snap.participants) players.emplace_back(to_checksum(p.address));
  return json::object{
      {"round_id", r.round_id},
      {"state", static_cast<std::uint64_t>(r.state)},
      {"state_name", state_name(r.state)},
      {"state_label", state_label(r.state)},
      {"start_time", r.start_time},
      {"end_time", r.end_time},
      {"min_draw_time", r.min_draw_time},
      {"max_draw_time", r.max_draw_time},
      {"total_pot", wei(r.total_pot)},
      {"participant_count", r.participant_count},
      {"winner", address_or_null(r.winner)},
      {"publisher_commission", wei(r.publisher_commission)},
      {"winner_prize", wei(r.winner_prize)},
      {"participants", std::move(players)},
      {"chain_time", snap.chain_time()},
  };
}

json::object participant_json(const Participant& participant) {
  return json::object{{"address", to_checksum(participant.address)},
                      {"totalAmountWei", wei(participant.total_wei)}};
}

json::object participants_view_json(const Snapshot& snap, std::size_t limit) {
  json::array list;
  for (const Participant& p : participants_by_stake(snap, limit))
    list.push_back(participant_json(p));
  U256 total = 0;
  for (const Participant& p : *snap.participants) total += p.total_wei;
  return json::object{
      {"round_id", snap.round.round_id},
      {"round_state", state_name(snap.round.state)},
      {"participants", std::move(list)},
      {"total_participants", static_cast<std::uint64_t>(snap.participants->size())},
      {"total_amount_wei", wei(total)},
      {"timestamp", snap.chain_time()},
  };
}

json::object finished_round_json(const FinishedRound& round, bool with_bets) {
  const bool completed = round.kind == FinishKind::kCompleted;
  json::object out{
      {"event_type", finish_event_name(round.kind)},
      {"round_id", round.round_id},
      {"participant_count", round.participant_count},
      {"total_pot_wei", wei(round.total_pot_wei)},
      {"finished_at", round.finished_at},
      {"winner", completed ? address_or_null(round.winner) : json::value(nullptr)},
      {"winner_prize_wei", wei(round.winner_prize_wei)},
      {"publisher_commission_wei", wei(round.publisher_commission_wei)},
      {"random_seed", round.random_seed ? json::value(word_hex(*round.random_seed)) : nullptr},
      {"refund_reason", round.refund_reason ? json::value(*round.refund_reason) : nullptr},
      {"tx_hash", hash_hex(round.tx_hash)},
      {"block_number", round.block_number},
  };
  if (with_bets) {
    json::array participants;
    json::array bets;
    if (round.bets) {
      for (const Participant& p : stakes_in_first_bet_order(*round.bets)) {
        participants.push_back(participant_json(p));
      }
      for (const BetRecord& bet : round.bets->records) {
        bets.push_back(json::object{{"player", to_checksum(bet.player)},
                                    {"amount_wei", wei(bet.amount)},
                                    {"total_wei", wei(bet.new_total)},
                                    {"block_number", bet.block_number},
                                    {"log_index", bet.log_index},
                                    {"tx_hash", hash_hex(bet.tx_hash)},
                                    {"timestamp", bet.timestamp}});
      }
    }
    out["participants"] = std::move(participants);
    out["bets"] = std::move(bets);
  }
  return out;
}

json::object summary_json(const HistorySummary& summary) {
  return json::object{{"total_rounds", summary.total_rounds},
                      {"completed_rounds", summary.completed_rounds},
                      {"refunded_rounds", summary.refunded_rounds},
                      {"total_volume_wei", wei(summary.total_volume_wei)}};
}

json::object history_view_json(const Snapshot& snap, std::size_t limit) {
  json::array rounds;
  for (const auto& entry : history_page(snap, limit)) {
    rounds.push_back(finished_round_json(*entry, false));
  }
  const auto returned = static_cast<std::uint64_t>(rounds.size());
  return json::object{
      {"rounds", std::move(rounds)},
      {"summary", summary_json(snap.summary)},
      {"pagination",
       json::object{{"limit", static_cast<std::uint64_t>(limit)}, {"returned", returned}}},
      {"timestamp", snap.chain_time()},
  };
}

json::object activity_json(const Activity& activity) {
  json::object details;
  for (const auto& [key, value] : activity.details) details[key] = detail_json(value);
  return json::object{
      {"activity_id", activity.activity_id},   {"activity_type", activity.activity_type},
      {"message", activity.message},           {"details", std::move(details)},
      {"timestamp", activity.timestamp},       {"block_number", activity.block_number},
      {"tx_hash", hash_hex(activity.tx_hash)}, {"final", activity.final},
  };
}

json::object activities_view_json(const Snapshot& snap, std::size_t limit) {
  json::array list;
  for (const auto& item : activities_page(snap, limit)) list.push_back(activity_json(*item));
  return json::object{{"activities", std::move(list)}};
}

json::object config_view_json(const Snapshot& snap) {
  json::value config = nullptr;
  if (snap.config) {
    const ContractConfig& c = *snap.config;
    config = json::object{
        {"publisherAddr", to_checksum(c.publisher_addr)},
        {"operatorAddr", to_checksum(c.operator_addr)},
        {"publisherCommission", c.publisher_commission_bps},
        {"minBet", wei(c.min_bet)},
        {"bettingDuration", c.betting_duration},
        {"minDrawDelay", c.min_draw_delay},
        {"maxDrawDelay", c.max_draw_delay},
        {"minEndTimeExtension", c.min_end_time_extension},
        {"minParticipants", c.min_participants},
        {"maxParticipants", c.max_participants},
    };
  }
  return json::object{{"config", std::move(config)},
                      {"contract_address", to_checksum(snap.contract_address)},
                      {"chain_id", snap.chain.chain_id},
                      {"timestamp", snap.chain_time()}};
}

json::object operator_status_json(const OperatorStatus& status) {
  return json::object{
      {"status", operator_state_name(status.status)},
      {"address", status.address ? json::value(to_checksum(*status.address)) : nullptr},
      {"balance_wei", wei(status.balance_wei)},
      {"pending_tx", status.pending_tx ? json::value(hash_hex(*status.pending_tx)) : nullptr},
      {"low_balance", status.low_balance},
  };
}

json::object chain_status_json(const ChainStatus& status) {
  std::string_view state = "ok";
  if (!status.reachable) {
    state = "unreachable";
  } else if (status.lagging) {
    state = "lagging";
  }
  return json::object{{"status", state},
                      {"latest_block", status.latest_block},
                      {"head_age_s", status.head_age_s},
                      {"chain_id", status.chain_id}};
}

json::object player_bets_json(const Snapshot& snap, const Address& player) {
  json::array rounds;
  U256 wagered = 0;
  U256 won = 0;
  std::uint64_t rounds_won = 0;
  const std::vector<PlayerRound> entries = player_bets(snap, player);
  for (const PlayerRound& entry : entries) {
    json::array bets;
    for (const BetRecord& bet : entry.bets) {
      bets.push_back(json::object{{"amount_wei", wei(bet.amount)},
                                  {"total_wei", wei(bet.new_total)},
                                  {"block_number", bet.block_number},
                                  {"tx_hash", hash_hex(bet.tx_hash)},
                                  {"timestamp", bet.timestamp}});
    }
    wagered += entry.total_wei;
    if (entry.outcome == PlayerOutcome::kWon) {
      ++rounds_won;
      won += entry.prize_wei;
    }
    rounds.push_back(json::object{{"round_id", entry.round_id},
                                  {"total_wei", wei(entry.total_wei)},
                                  {"bet_count", static_cast<std::uint64_t>(entry.bets.size())},
                                  {"bets", std::move(bets)},
                                  {"outcome", outcome_name(entry.outcome)},
                                  {"prize_wei", wei(entry.prize_wei)},
                                  {"refunded_wei", wei(entry.refunded_wei)}});
  }
  return json::object{{"player", to_checksum(player)},
                      {"rounds", std::move(rounds)},
                      {"rounds_played", static_cast<std::uint64_t>(entries.size())},
                      {"rounds_won", rounds_won},
                      {"total_wagered_wei", wei(wagered)},
                      {"total_won_wei", wei(won)},
                      {"timestamp", snap.chain_time()}};
}

std::string player_view_json(const Snapshot& snap, const Address& player) {
  const U256 stake = current_stake(snap, player);
  // Built by hand so winRate is a plain decimal; every other value is an
  // address, a number or a decimal string, none of which needs escaping.
  std::string out = R"({"player":")";
  out += to_checksum(player);
  out += R"(","round_id":)";
  out += std::to_string(snap.round.round_id);
  out += R"(,"totalAmountWei":")";
  out += u256_to_dec(stake);
  out += R"(","winRate":)";
  out += format_percent(win_rate_bps(stake, snap.round.total_pot));
  out += R"(,"timestamp":)";
  out += std::to_string(snap.chain_time());
  out += '}';
  return out;
}

json::object verify_json(const VerifyResult& result) {
  return json::object{
      {"round_id", result.round_id},
      {"random_seed", word_hex(result.random_seed)},
      {"total_pot_wei", wei(result.total_pot_wei)},
      {"expected_winner",
       result.expected_winner ? json::value(to_checksum(*result.expected_winner)) : nullptr},
      {"onchain_winner", to_checksum(result.onchain_winner)},
      {"match", result.match},
      {"bets_complete", result.bets_complete},
  };
}

std::string ws_message(std::string_view type, json::value payload, std::uint64_t timestamp) {
  json::object message{{"type", type}, {"payload", std::move(payload)}, {"timestamp", timestamp}};
  return json::serialize(message);
}

std::string ws_snapshot_message(const Snapshot& snap) {
  json::array activities;
  for (const auto& item : activities_page(snap, kWsSnapshotActivities)) {
    activities.push_back(activity_json(*item));
  }
  json::object payload{
      {"round", round_status_json(snap)},
      {"participants", participants_view_json(snap, std::numeric_limits<std::size_t>::max())},
      {"history", history_view_json(snap, kWsSnapshotHistory)},
      {"activities", std::move(activities)},
      {"config", config_view_json(snap)},
      {"operator", operator_status_json(snap.operator_status)},
  };
  return ws_message("snapshot", std::move(payload), snap.chain_time());
}

}  // namespace lottery::store
