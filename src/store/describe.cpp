// SPDX-License-Identifier: Apache-2.0
#include "store/describe.hpp"

#include "eth/hex.hpp"

#include <string>

namespace lottery::store::detail {

namespace {

using eth::to_checksum;
using eth::u256_to_dec;

std::string eth_amount(const U256& wei) {
  return format_ether(wei) + " ETH";
}

std::string num(std::uint64_t value) {
  return std::to_string(value);
}

struct Describe {
  Activity& out;

  void operator()(const RoundCreated& e) const {
    out.message =
        "Round " + num(e.round_id) + " started; betting closes at " + num(e.end_time) + ".";
    out.details = {{"round_id", e.round_id},
                   {"start_time", e.start_time},
                   {"end_time", e.end_time},
                   {"min_draw_time", e.min_draw_time},
                   {"max_draw_time", e.max_draw_time}};
  }
  void operator()(const BetPlaced& e) const {
    out.message = to_checksum(e.player) + " bet " + eth_amount(e.amount) + " in round " +
                  num(e.round_id) + " (total " + eth_amount(e.new_total) + ").";
    out.details = {{"round_id", e.round_id},
                   {"player", to_checksum(e.player)},
                   {"amount_wei", u256_to_dec(e.amount)},
                   {"new_total_wei", u256_to_dec(e.new_total)}};
  }
  void operator()(const EndTimeExtended& e) const {
    out.message = "Round " + num(e.round_id) + " betting extended from " + num(e.old_end_time) +
                  " to " + num(e.new_end_time) + ".";
    out.details = {{"round_id", e.round_id},
                   {"old_end_time", e.old_end_time},
                   {"new_end_time", e.new_end_time}};
  }
  void operator()(const RoundStateChanged& e) const {
    out.message = "Round " + num(e.round_id) + " moved from " +
                  std::string(state_label(e.old_state)) + " to " +
                  std::string(state_label(e.new_state)) + ".";
    out.details = {{"round_id", e.round_id},
                   {"old_state", std::string(state_name(e.old_state))},
                   {"new_state", std::string(state_name(e.new_state))}};
  }
  void operator()(const RoundCompleted& e) const {
    out.message = "Round " + num(e.round_id) + " won by " + to_checksum(e.winner) + ": " +
                  eth_amount(e.winner_prize) + " from a pot of " + eth_amount(e.total_pot) + ".";
    out.details = {{"round_id", e.round_id},
                   {"winner", to_checksum(e.winner)},
                   {"total_pot_wei", u256_to_dec(e.total_pot)},
                   {"participant_count", e.participant_count},
                   {"winner_prize_wei", u256_to_dec(e.winner_prize)},
                   {"publisher_commission_wei", u256_to_dec(e.publisher_commission)},
                   {"random_seed", eth::hex_encode(eth::u256_to_be32(e.random_seed))}};
  }
  void operator()(const RoundRefunded& e) const {
    out.message = "Round " + num(e.round_id) + " refunded (" + e.reason +
                  "): " + eth_amount(e.total_refunded) + " returned to " +
                  num(e.participant_count) + (e.participant_count == 1 ? " player." : " players.");
    out.details = {{"round_id", e.round_id},
                   {"total_refunded_wei", u256_to_dec(e.total_refunded)},
                   {"participant_count", e.participant_count},
                   {"reason", e.reason}};
  }
  void operator()(const ConfigUpdated& e) const {
    std::string old_text;
    std::string new_text;
    std::string what;
    switch (e.param) {
      case ConfigParam::kMinBetAmount:
        what = "Minimum bet";
        old_text = eth_amount(e.old_value);
        new_text = eth_amount(e.new_value);
        break;
      case ConfigParam::kBettingDuration:
        what = "Betting duration";
        old_text = u256_to_dec(e.old_value) + " s";
        new_text = u256_to_dec(e.new_value) + " s";
        break;
      case ConfigParam::kMinParticipants:
        what = "Minimum participants";
        old_text = u256_to_dec(e.old_value);
        new_text = u256_to_dec(e.new_value);
        break;
      case ConfigParam::kMaxParticipants:
        what = "Maximum participants";
        old_text = u256_to_dec(e.old_value);
        new_text = u256_to_dec(e.new_value);
        break;
    }
    out.message = what + " changed from " + old_text + " to " + new_text + ".";
    // Config values can be wei, so they stay decimal strings whatever the setting.
    out.details = {{"old_value", u256_to_dec(e.old_value)},
                   {"new_value", u256_to_dec(e.new_value)}};
  }
  void operator()(const OperatorUpdated& e) const {
    out.message = "Operator changed from " + to_checksum(e.old_operator) + " to " +
                  to_checksum(e.new_operator) + ".";
    out.details = {{"old_operator", to_checksum(e.old_operator)},
                   {"new_operator", to_checksum(e.new_operator)}};
  }
  void operator()(const Withdrawn& e) const {
    out.message = to_checksum(e.to) + " withdrew " + eth_amount(e.amount) + ".";
    out.details = {{"to", to_checksum(e.to)}, {"amount_wei", u256_to_dec(e.amount)}};
  }
  void operator()(const WithdrawalCredited& e) const {
    out.message = to_checksum(e.to) + " can withdraw " + eth_amount(e.amount) + " more.";
    out.details = {{"to", to_checksum(e.to)}, {"amount_wei", u256_to_dec(e.amount)}};
  }
  void operator()(const RefundsPending& e) const {
    out.message = "Round " + num(e.round_id) + " refunds paused after " + num(e.refunded) +
                  " players; " + num(e.remaining) + " still to refund.";
    out.details = {{"round_id", e.round_id}, {"refunded", e.refunded}, {"remaining", e.remaining}};
  }
};

}  // namespace

Activity describe_event(const ChainEvent& event, std::uint64_t activity_id) {
  Activity out;
  out.activity_id = activity_id;
  out.activity_type = std::string(event_name(event.body));
  out.timestamp = event.meta.timestamp;
  out.block_number = event.meta.block_number;
  out.log_index = event.meta.log_index;
  out.tx_hash = event.meta.tx_hash;
  std::visit(Describe{out}, event.body);
  return out;
}

}  // namespace lottery::store::detail
