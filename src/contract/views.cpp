// SPDX-License-Identifier: Apache-2.0
#include "contract/views.hpp"

#include "eth/abi_codec.hpp"
#include "eth/abi_type.hpp"

#include <cstdlib>
#include <string_view>

namespace lottery::contract {
namespace {

using eth::Errc;
using eth::make_error_code;

// Type lists are constants of this binding; see calls.cpp for why abort is right.
std::vector<eth::AbiType> types(std::string_view text) noexcept {
  auto parsed = eth::parse_abi_type_list(text);
  if (!parsed) std::abort();
  return *parsed;
}

constexpr std::string_view kRoundTuple =
    "(uint256,uint256,uint256,uint256,uint256,uint256,uint256,address,uint256,uint256,uint8)";

eth::Result<std::uint64_t> u64_of(const eth::AbiValue& value) noexcept {
  const eth::U256* number = value.as_u256();
  if (number == nullptr) return make_error_code(Errc::kInvalidType);
  auto narrowed = eth::u256_to_u64(*number);
  if (!narrowed) return make_error_code(Errc::kOutOfRange);
  return *narrowed;
}

eth::Result<eth::U256> u256_of(const eth::AbiValue& value) noexcept {
  const eth::U256* number = value.as_u256();
  if (number == nullptr) return make_error_code(Errc::kInvalidType);
  return *number;
}

eth::Result<eth::Address> address_of(const eth::AbiValue& value) noexcept {
  const eth::Address* address = value.as_address();
  if (address == nullptr) return make_error_code(Errc::kInvalidType);
  return *address;
}

}  // namespace

eth::Result<store::Round> decode_round(eth::ByteView data) noexcept {
  static const std::vector<eth::AbiType> kTypes = types(kRoundTuple);
  auto decoded = eth::abi_decode(kTypes, data);
  if (!decoded) return decoded.error();
  const eth::AbiList* fields = (*decoded)[0].as_list();
  if (fields == nullptr || fields->size() != 11) return make_error_code(Errc::kInvalidType);
  const eth::AbiList& f = *fields;

  store::Round round;
  std::uint64_t* const times[] = {&round.round_id, &round.start_time, &round.end_time,
                                  &round.min_draw_time, &round.max_draw_time};
  for (std::size_t i = 0; i < 5; ++i) {
    auto value = u64_of(f[i]);
    if (!value) return value.error();
    *times[i] = *value;
  }
  auto pot = u256_of(f[5]);
  auto count = u64_of(f[6]);
  auto winner = address_of(f[7]);
  auto commission = u256_of(f[8]);
  auto prize = u256_of(f[9]);
  auto state_number = u64_of(f[10]);
  if (!pot) return pot.error();
  if (!count) return count.error();
  if (!winner) return winner.error();
  if (!commission) return commission.error();
  if (!prize) return prize.error();
  if (!state_number) return state_number.error();
  auto state = store::round_state_from_int(*state_number);
  if (!state) return make_error_code(Errc::kOutOfRange);
  round.total_pot = *pot;
  round.participant_count = *count;
  round.winner = *winner;
  round.publisher_commission = *commission;
  round.winner_prize = *prize;
  round.state = *state;
  return round;
}

eth::Result<std::vector<store::Participant>> decode_participants_with_bets(
    eth::ByteView data) noexcept {
  static const std::vector<eth::AbiType> kTypes = types("address[],uint256[]");
  auto decoded = eth::abi_decode(kTypes, data);
  if (!decoded) return decoded.error();
  const eth::AbiList* players = (*decoded)[0].as_list();
  const eth::AbiList* amounts = (*decoded)[1].as_list();
  if (players == nullptr || amounts == nullptr) return make_error_code(Errc::kInvalidType);
  if (players->size() != amounts->size()) return make_error_code(Errc::kWrongLength);
  std::vector<store::Participant> out;
  out.reserve(players->size());
  for (std::size_t i = 0; i < players->size(); ++i) {
    auto player = address_of((*players)[i]);
    auto amount = u256_of((*amounts)[i]);
    if (!player) return player.error();
    if (!amount) return amount.error();
    out.push_back(store::Participant{*player, *amount});
  }
  return out;
}

eth::Result<store::ContractConfig> decode_config(eth::ByteView data) noexcept {
  static const std::vector<eth::AbiType> kTypes =
      types("address,address,uint256,uint256,uint256,uint256,uint256,uint256,uint256");
  auto decoded = eth::abi_decode(kTypes, data);
  if (!decoded) return decoded.error();
  const eth::AbiList& f = *decoded;
  auto publisher = address_of(f[0]);
  auto operator_address = address_of(f[1]);
  auto min_bet = u256_of(f[3]);
  if (!publisher) return publisher.error();
  if (!operator_address) return operator_address.error();
  if (!min_bet) return min_bet.error();
  store::ContractConfig config;
  config.publisher_addr = *publisher;
  config.operator_addr = *operator_address;
  config.min_bet = *min_bet;
  std::uint64_t* const numbers[] = {
      &config.publisher_commission_bps, nullptr,
      &config.betting_duration,         &config.min_draw_delay,
      &config.max_draw_delay,           &config.min_end_time_extension,
      &config.min_participants};
  for (std::size_t i = 0; i < 7; ++i) {
    if (numbers[i] == nullptr) continue;  // minBet is kept as U256 above
    auto value = u64_of(f[i + 2]);
    if (!value) return value.error();
    *numbers[i] = *value;
  }
  return config;
}

eth::Result<std::uint64_t> decode_u64(eth::ByteView data) noexcept {
  static const std::vector<eth::AbiType> kTypes = types("uint256");
  auto decoded = eth::abi_decode(kTypes, data);
  if (!decoded) return decoded.error();
  return u64_of((*decoded)[0]);
}

eth::Result<eth::Address> decode_address(eth::ByteView data) noexcept {
  static const std::vector<eth::AbiType> kTypes = types("address");
  auto decoded = eth::abi_decode(kTypes, data);
  if (!decoded) return decoded.error();
  return address_of((*decoded)[0]);
}

}  // namespace lottery::contract
