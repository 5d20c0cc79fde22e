// SPDX-License-Identifier: Apache-2.0
#include "contract/calls.hpp"

#include "eth/abi_codec.hpp"
#include "eth/abi_type.hpp"

#include <array>
#include <cstdlib>
#include <string_view>

namespace lottery::contract {
namespace {

// The signatures are compile-time constants of this binding; failing to parse
// one is a programming error, caught by the unit tests on the first call.
eth::AbiSignature signature(std::string_view text) {
  auto parsed = eth::parse_abi_signature(text);
  if (!parsed) std::abort();
  return *parsed;
}

eth::Bytes call(std::string_view text, std::initializer_list<eth::AbiValue> args = {}) {
  const eth::AbiSignature sig = signature(text);
  std::vector<eth::AbiValue> values(args);
  auto data = eth::abi_encode_call(sig, values);
  if (!data) std::abort();
  return *data;
}

}  // namespace

eth::Bytes draw_winner_call() {
  return call("drawWinner()");
}
eth::Bytes refund_round_call() {
  return call("refundRound()");
}
eth::Bytes refund_expired_round_call() {
  return call("refundExpiredRound()");
}
eth::Bytes continue_refund_call(std::uint64_t round_id) {
  return call("continueRefund(uint256)", {eth::abi_uint(eth::U256{round_id})});
}
eth::Bytes place_bet_call() {
  return call("placeBet()");
}
eth::Bytes start_round_call() {
  return call("startRound()");
}
eth::Bytes set_operator_call(const eth::Address& operator_address) {
  return call("setOperator(address)", {eth::abi_address(operator_address)});
}

eth::Bytes get_round_call() {
  return call("getRound()");
}
eth::Bytes get_last_round_call() {
  return call("getLastRound()");
}
eth::Bytes get_participants_with_bets_call() {
  return call("getParticipantsWithBets()");
}
eth::Bytes get_config_call() {
  return call("getConfig()");
}
eth::Bytes max_participants_call() {
  return call("maxParticipants()");
}
eth::Bytes operator_call() {
  return call("operator()");
}
eth::Bytes get_round_participants_with_bets_call(std::uint64_t round_id) {
  return call("getRoundParticipantsWithBets(uint256)", {eth::abi_uint(eth::U256{round_id})});
}
eth::Bytes get_round_by_id_call(std::uint64_t round_id) {
  return call("getRoundById(uint256)", {eth::abi_uint(eth::U256{round_id})});
}
eth::Bytes refund_progress_call(std::uint64_t round_id) {
  return call("refundProgress(uint256)", {eth::abi_uint(eth::U256{round_id})});
}

eth::Selector place_bet_selector() {
  return eth::abi_selector(signature("placeBet()"));
}

eth::Bytes constructor_args(const eth::U256& publisher_commission_bps) {
  auto type = eth::parse_abi_type("uint256");
  if (!type) std::abort();
  const std::array<eth::AbiType, 1> types{*type};
  const std::array<eth::AbiValue, 1> values{eth::abi_uint(publisher_commission_bps)};
  auto data = eth::abi_encode(types, values);
  if (!data) std::abort();
  return *data;
}

}  // namespace lottery::contract
