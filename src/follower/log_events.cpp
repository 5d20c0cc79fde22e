// SPDX-License-Identifier: Apache-2.0
#include "follower/log_events.hpp"

#include "contract/events.hpp"
#include "eth/hex.hpp"

#include <algorithm>
#include <string>
#include <type_traits>
#include <variant>

namespace lottery::follower {

namespace {

bool changes_config(const store::EventBody& body) {
  return std::holds_alternative<store::ConfigUpdated>(body) ||
         std::holds_alternative<store::OperatorUpdated>(body);
}

std::string describe_log(const rpc::Log& log) {
  return "block " + std::to_string(log.block_number) + " tx " +
         eth::hex_encode(log.transaction_hash) + " log index " + std::to_string(log.log_index);
}

}  // namespace

DecodedLogs decode_logs(std::span<const rpc::Log> logs) {
  DecodedLogs out;
  for (const auto& log : logs) {
    if (log.removed) {
      ++out.removed;
      continue;
    }
    auto decoded = contract::decode_event(log.topics, log.data);
    if (!decoded) {
      const char* name =
          log.topics.empty() ? nullptr : contract::event_name_for_topic(log.topics.front());
      out.malformed.push_back(std::string(name == nullptr ? "log" : name) + " at " +
                              describe_log(log) + " does not decode: " + decoded.error().message());
      continue;
    }
    if (!decoded->has_value()) {
      ++out.unknown;
      continue;
    }
    store::ChainEvent event;
    event.meta.block_number = log.block_number;
    event.meta.block_hash = log.block_hash;
    event.meta.log_index = log.log_index;
    event.meta.tx_hash = log.transaction_hash;
    event.meta.timestamp = (*decoded)->timestamp;
    event.body = std::move((*decoded)->body);
    if (changes_config(event.body)) out.config_changed = true;
    out.events.push_back(std::move(event));
  }
  std::stable_sort(out.events.begin(), out.events.end(),
                   [](const store::ChainEvent& a, const store::ChainEvent& b) {
                     if (a.meta.block_number != b.meta.block_number)
                       return a.meta.block_number < b.meta.block_number;
                     return a.meta.log_index < b.meta.log_index;
                   });
  return out;
}

}  // namespace lottery::follower
