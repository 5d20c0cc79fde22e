// SPDX-License-Identifier: Apache-2.0
#pragma once

// Typed decoding of the Lottery contract's event logs into the store's event
// structs. Every event of the contract ends with `uint256 timestamp` (block time).

#include "eth/bytes.hpp"
#include "eth/error.hpp"
#include "store/events.hpp"

#include <optional>
#include <span>
#include <string_view>

namespace lottery::contract {

/// A decoded log body and its `timestamp` field.
struct DecodedEvent {
  store::EventBody body;
  std::uint64_t timestamp = 0;
};

/// Decodes one log of the Lottery contract. Returns nullopt (not an error) for
/// a log whose topic0 is not one of the contract's events (another contract's
/// log, or an event added to the contract after this binding).
/// Errors: those of `eth::abi_decode_log` for a known event with malformed
/// topics or data, kOutOfRange for ids/times/counts above 2^64-1 or unknown states.
eth::Result<std::optional<DecodedEvent>> decode_event(std::span<const eth::Hash32> topics,
                                                      eth::ByteView data) noexcept;

/// The event name for a topic0, or nullptr when it is not a Lottery event.
const char* event_name_for_topic(const eth::Hash32& topic0) noexcept;

/// The topic0 of the Lottery event named `name` (e.g. "RoundCompleted"), for
/// log filters; nullopt when the contract has no such event.
std::optional<eth::Hash32> topic_for_event(std::string_view name) noexcept;

}  // namespace lottery::contract
