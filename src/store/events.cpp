// SPDX-License-Identifier: Apache-2.0
#include "store/events.hpp"

#include <cstring>

namespace lottery::store {

namespace {

struct NameOf {
  std::string_view operator()(const RoundCreated&) const noexcept { return "RoundCreated"; }
  std::string_view operator()(const BetPlaced&) const noexcept { return "BetPlaced"; }
  std::string_view operator()(const EndTimeExtended&) const noexcept { return "EndTimeExtended"; }
  std::string_view operator()(const RoundStateChanged&) const noexcept {
    return "RoundStateChanged";
  }
  std::string_view operator()(const RoundCompleted&) const noexcept { return "RoundCompleted"; }
  std::string_view operator()(const RoundRefunded&) const noexcept { return "RoundRefunded"; }
  std::string_view operator()(const ConfigUpdated& e) const noexcept {
    switch (e.param) {
      case ConfigParam::kMinBetAmount:
        return "MinBetAmountUpdated";
      case ConfigParam::kBettingDuration:
        return "BettingDurationUpdated";
      case ConfigParam::kMinParticipants:
        return "MinParticipantsUpdated";
      case ConfigParam::kMaxParticipants:
        return "MaxParticipantsUpdated";
    }
    return "ConfigUpdated";
  }
  std::string_view operator()(const OperatorUpdated&) const noexcept { return "OperatorUpdated"; }
  std::string_view operator()(const Withdrawn&) const noexcept { return "Withdrawn"; }
  std::string_view operator()(const WithdrawalCredited&) const noexcept {
    return "WithdrawalCredited";
  }
  std::string_view operator()(const RefundsPending&) const noexcept { return "RefundsPending"; }
};

}  // namespace

std::string_view event_name(const EventBody& body) noexcept {
  return std::visit(NameOf{}, body);
}

}  // namespace lottery::store

std::size_t std::hash<lottery::store::EventKey>::operator()(
    const lottery::store::EventKey& key) const noexcept {
  // Block hashes are uniformly random, so their first bytes are a good hash.
  std::size_t h = 0;
  std::memcpy(&h, key.block_hash.data(), sizeof(h));
  return h ^ (key.log_index * 0x9E3779B97F4A7C15ULL);
}
