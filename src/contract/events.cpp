// SPDX-License-Identifier: Apache-2.0
#include "contract/events.hpp"

#include "eth/abi_event.hpp"

#include <array>
#include <cstdlib>
#include <string_view>

namespace lottery::contract {
namespace {

using eth::Errc;
using eth::make_error_code;

enum class Kind : std::uint8_t {
  kRoundCreated,
  kBetPlaced,
  kEndTimeExtended,
  kRoundStateChanged,
  kRoundCompleted,
  kRoundRefunded,
  kMinBetAmountUpdated,
  kBettingDurationUpdated,
  kMinParticipantsUpdated,
  kMaxParticipantsUpdated,
  kOperatorUpdated,
  kWithdrawn,
  kWithdrawalCredited,
  kRefundsPending,
};

struct KnownEvent {
  Kind kind;
  eth::AbiEvent event;
  eth::Hash32 topic0;
};

// Human-readable declarations exactly as in contracts/out/Lottery.abi; a unit
// test compares these topics with the committed ABI.
constexpr std::array<std::pair<Kind, std::string_view>, 14> kDeclarations{{
    {Kind::kRoundCreated,
     "RoundCreated(uint256 indexed roundId,uint256 startTime,uint256 endTime,uint256 "
     "minDrawTime,uint256 maxDrawTime,uint256 timestamp)"},
    {Kind::kBetPlaced,
     "BetPlaced(uint256 indexed roundId,address indexed player,uint256 amount,uint256 "
     "newTotal,uint256 timestamp)"},
    {Kind::kEndTimeExtended,
     "EndTimeExtended(uint256 indexed roundId,uint256 oldEndTime,uint256 newEndTime,uint256 "
     "timestamp)"},
    {Kind::kRoundStateChanged,
     "RoundStateChanged(uint256 indexed roundId,uint8 oldState,uint8 newState,uint256 timestamp)"},
    {Kind::kRoundCompleted,
     "RoundCompleted(uint256 indexed roundId,address indexed winner,uint256 totalPot,uint256 "
     "participantCount,uint256 winnerPrize,uint256 publisherCommission,uint256 "
     "randomSeed,uint256 timestamp)"},
    {Kind::kRoundRefunded,
     "RoundRefunded(uint256 indexed roundId,uint256 totalRefunded,uint256 "
     "participantCount,string reason,uint256 timestamp)"},
    {Kind::kMinBetAmountUpdated,
     "MinBetAmountUpdated(uint256 oldAmount,uint256 newAmount,uint256 timestamp)"},
    {Kind::kBettingDurationUpdated,
     "BettingDurationUpdated(uint256 oldDuration,uint256 newDuration,uint256 timestamp)"},
    {Kind::kMinParticipantsUpdated,
     "MinParticipantsUpdated(uint256 oldMinParticipants,uint256 newMinParticipants,uint256 "
     "timestamp)"},
    {Kind::kMaxParticipantsUpdated,
     "MaxParticipantsUpdated(uint256 oldMaxParticipants,uint256 newMaxParticipants,uint256 "
     "timestamp)"},
    {Kind::kOperatorUpdated,
     "OperatorUpdated(address indexed oldOperator,address indexed newOperator,uint256 "
     "timestamp)"},
    {Kind::kWithdrawn, "Withdrawn(address indexed to,uint256 amount,uint256 timestamp)"},
    {Kind::kWithdrawalCredited,
     "WithdrawalCredited(address indexed to,uint256 amount,uint256 timestamp)"},
    {Kind::kRefundsPending,
     "RefundsPending(uint256 indexed roundId,uint256 refunded,uint256 remaining,uint256 "
     "timestamp)"},
}};

const std::vector<KnownEvent>& known_events() {
  static const std::vector<KnownEvent> events = [] {
    std::vector<KnownEvent> out;
    for (const auto& [kind, text] : kDeclarations) {
      auto parsed = eth::parse_abi_event(text);
      if (!parsed) std::abort();  // a constant of this file; the unit tests parse them all
      out.push_back(KnownEvent{kind, *parsed, parsed->topic0()});
    }
    return out;
  }();
  return events;
}

const KnownEvent* find(const eth::Hash32& topic0) noexcept {
  for (const KnownEvent& known : known_events()) {
    if (known.topic0 == topic0) return &known;
  }
  return nullptr;
}

// Field access on a decoded log whose shape the event declaration guarantees;
// a mismatch still becomes an error rather than a crash.
class Fields {
 public:
  explicit Fields(const std::vector<eth::AbiLogField>& fields) : fields_(fields) {}

  eth::Result<eth::U256> u256(std::string_view name) const noexcept {
    const eth::AbiLogField* field = eth::find_field(fields_, name);
    if (field == nullptr || field->value.as_u256() == nullptr) {
      return make_error_code(Errc::kInvalidType);
    }
    return *field->value.as_u256();
  }
  eth::Result<std::uint64_t> u64(std::string_view name) const noexcept {
    auto value = u256(name);
    if (!value) return value.error();
    auto narrowed = eth::u256_to_u64(*value);
    if (!narrowed) return make_error_code(Errc::kOutOfRange);
    return *narrowed;
  }
  eth::Result<eth::Address> address(std::string_view name) const noexcept {
    const eth::AbiLogField* field = eth::find_field(fields_, name);
    if (field == nullptr || field->value.as_address() == nullptr) {
      return make_error_code(Errc::kInvalidType);
    }
    return *field->value.as_address();
  }
  eth::Result<std::string> string(std::string_view name) const noexcept {
    const eth::AbiLogField* field = eth::find_field(fields_, name);
    if (field == nullptr || field->value.as_string() == nullptr) {
      return make_error_code(Errc::kInvalidType);
    }
    return *field->value.as_string();
  }
  eth::Result<store::RoundState> state(std::string_view name) const noexcept {
    auto value = u64(name);
    if (!value) return value.error();
    auto state = store::round_state_from_int(*value);
    if (!state) return make_error_code(Errc::kOutOfRange);
    return *state;
  }

 private:
  const std::vector<eth::AbiLogField>& fields_;
};

// Unwraps a Result inside a function returning eth::Result<...>.
#define LOTTERY_TRY_ASSIGN(target, expr)  \
  do {                                    \
    auto result_ = (expr);                \
    if (!result_) return result_.error(); \
    (target) = *result_;                  \
  } while (false)

eth::Result<store::EventBody> decode_body(Kind kind, const Fields& f) noexcept {
  switch (kind) {
    case Kind::kRoundCreated: {
      store::RoundCreated e;
      LOTTERY_TRY_ASSIGN(e.round_id, f.u64("roundId"));
      LOTTERY_TRY_ASSIGN(e.start_time, f.u64("startTime"));
      LOTTERY_TRY_ASSIGN(e.end_time, f.u64("endTime"));
      LOTTERY_TRY_ASSIGN(e.min_draw_time, f.u64("minDrawTime"));
      LOTTERY_TRY_ASSIGN(e.max_draw_time, f.u64("maxDrawTime"));
      return store::EventBody{e};
    }
    case Kind::kBetPlaced: {
      store::BetPlaced e;
      LOTTERY_TRY_ASSIGN(e.round_id, f.u64("roundId"));
      LOTTERY_TRY_ASSIGN(e.player, f.address("player"));
      LOTTERY_TRY_ASSIGN(e.amount, f.u256("amount"));
      LOTTERY_TRY_ASSIGN(e.new_total, f.u256("newTotal"));
      return store::EventBody{e};
    }
    case Kind::kEndTimeExtended: {
      store::EndTimeExtended e;
      LOTTERY_TRY_ASSIGN(e.round_id, f.u64("roundId"));
      LOTTERY_TRY_ASSIGN(e.old_end_time, f.u64("oldEndTime"));
      LOTTERY_TRY_ASSIGN(e.new_end_time, f.u64("newEndTime"));
      return store::EventBody{e};
    }
    case Kind::kRoundStateChanged: {
      store::RoundStateChanged e;
      LOTTERY_TRY_ASSIGN(e.round_id, f.u64("roundId"));
      LOTTERY_TRY_ASSIGN(e.old_state, f.state("oldState"));
      LOTTERY_TRY_ASSIGN(e.new_state, f.state("newState"));
      return store::EventBody{e};
    }
    case Kind::kRoundCompleted: {
      store::RoundCompleted e;
      LOTTERY_TRY_ASSIGN(e.round_id, f.u64("roundId"));
      LOTTERY_TRY_ASSIGN(e.winner, f.address("winner"));
      LOTTERY_TRY_ASSIGN(e.total_pot, f.u256("totalPot"));
      LOTTERY_TRY_ASSIGN(e.participant_count, f.u64("participantCount"));
      LOTTERY_TRY_ASSIGN(e.winner_prize, f.u256("winnerPrize"));
      LOTTERY_TRY_ASSIGN(e.publisher_commission, f.u256("publisherCommission"));
      LOTTERY_TRY_ASSIGN(e.random_seed, f.u256("randomSeed"));
      return store::EventBody{e};
    }
    case Kind::kRoundRefunded: {
      store::RoundRefunded e;
      LOTTERY_TRY_ASSIGN(e.round_id, f.u64("roundId"));
      LOTTERY_TRY_ASSIGN(e.total_refunded, f.u256("totalRefunded"));
      LOTTERY_TRY_ASSIGN(e.participant_count, f.u64("participantCount"));
      LOTTERY_TRY_ASSIGN(e.reason, f.string("reason"));
      return store::EventBody{e};
    }
    case Kind::kMinBetAmountUpdated:
    case Kind::kBettingDurationUpdated:
    case Kind::kMinParticipantsUpdated:
    case Kind::kMaxParticipantsUpdated: {
      static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kNames{{
          {"oldAmount", "newAmount"},
          {"oldDuration", "newDuration"},
          {"oldMinParticipants", "newMinParticipants"},
          {"oldMaxParticipants", "newMaxParticipants"},
      }};
      static constexpr std::array<store::ConfigParam, 4> kParams{
          store::ConfigParam::kMinBetAmount, store::ConfigParam::kBettingDuration,
          store::ConfigParam::kMinParticipants, store::ConfigParam::kMaxParticipants};
      const auto index =
          static_cast<std::size_t>(kind) - static_cast<std::size_t>(Kind::kMinBetAmountUpdated);
      store::ConfigUpdated e;
      e.param = kParams[index];
      LOTTERY_TRY_ASSIGN(e.old_value, f.u256(kNames[index].first));
      LOTTERY_TRY_ASSIGN(e.new_value, f.u256(kNames[index].second));
      return store::EventBody{e};
    }
    case Kind::kOperatorUpdated: {
      store::OperatorUpdated e;
      LOTTERY_TRY_ASSIGN(e.old_operator, f.address("oldOperator"));
      LOTTERY_TRY_ASSIGN(e.new_operator, f.address("newOperator"));
      return store::EventBody{e};
    }
    case Kind::kWithdrawn: {
      store::Withdrawn e;
      LOTTERY_TRY_ASSIGN(e.to, f.address("to"));
      LOTTERY_TRY_ASSIGN(e.amount, f.u256("amount"));
      return store::EventBody{e};
    }
    case Kind::kWithdrawalCredited: {
      store::WithdrawalCredited e;
      LOTTERY_TRY_ASSIGN(e.to, f.address("to"));
      LOTTERY_TRY_ASSIGN(e.amount, f.u256("amount"));
      return store::EventBody{e};
    }
    case Kind::kRefundsPending: {
      store::RefundsPending e;
      LOTTERY_TRY_ASSIGN(e.round_id, f.u64("roundId"));
      LOTTERY_TRY_ASSIGN(e.refunded, f.u64("refunded"));
      LOTTERY_TRY_ASSIGN(e.remaining, f.u64("remaining"));
      return store::EventBody{e};
    }
  }
  return make_error_code(Errc::kInvalidType);
}

#undef LOTTERY_TRY_ASSIGN

}  // namespace

eth::Result<std::optional<DecodedEvent>> decode_event(std::span<const eth::Hash32> topics,
                                                      eth::ByteView data) noexcept {
  if (topics.empty()) return std::optional<DecodedEvent>{};
  const KnownEvent* known = find(topics[0]);
  if (known == nullptr) {
    return std::optional<DecodedEvent>{};
  }
  auto fields = eth::abi_decode_log(known->event, topics, data);
  if (!fields) return fields.error();
  const Fields f(*fields);
  DecodedEvent out;
  auto body = decode_body(known->kind, f);
  if (!body) return body.error();
  out.body = std::move(*body);
  auto timestamp = f.u64("timestamp");
  if (!timestamp) return timestamp.error();
  out.timestamp = *timestamp;
  return std::optional<DecodedEvent>{std::move(out)};
}

const char* event_name_for_topic(const eth::Hash32& topic0) noexcept {
  const KnownEvent* known = find(topic0);
  if (known == nullptr) return nullptr;
  return known->event.name.c_str();
}

std::optional<eth::Hash32> topic_for_event(std::string_view name) noexcept {
  for (const KnownEvent& known : known_events()) {
    if (known.event.name == name) return known.topic0;
  }
  return std::nullopt;
}

}  // namespace lottery::contract
