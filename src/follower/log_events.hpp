// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "rpc/eth_types.hpp"
#include "store/events.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace lottery::follower {

/// The store events of a list of logs, and what was left out.
struct DecodedLogs {
  std::vector<store::ChainEvent> events;  ///< chain order (block number, then log index)
  std::size_t removed = 0;  ///< `removed: true` logs (from a reorged-out block), skipped
  std::size_t unknown = 0;  ///< logs of events the store does not follow, skipped
  /// One line per log that claims to be a Lottery event but does not decode,
  /// with its block, transaction and index. Such logs are skipped.
  std::vector<std::string> malformed;
  /// A config or operator event was seen: the config must be re-read.
  bool config_changed = false;
};

/// Decodes the contract's logs with `contract::decode_event` and attaches
/// each one's position (`EventMeta`). Never throws for bad log contents.
DecodedLogs decode_logs(std::span<const rpc::Log> logs);

}  // namespace lottery::follower
