// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eth/abi_type.hpp"
#include "eth/abi_value.hpp"
#include "eth/bytes.hpp"
#include "eth/error.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lottery::eth {

/// One event parameter as the contract ABI declares it.
struct AbiEventParam {
  std::string name;
  AbiType type;
  bool indexed = false;
};

/// An event description (what the JSON ABI's "event" entry says).
struct AbiEvent {
  std::string name;
  std::vector<AbiEventParam> inputs;
  bool anonymous = false;

  /// "Name(T1,T2,...)" over all inputs, indexed or not.
  std::string signature() const;
  /// keccak256(signature()); the first topic of a non-anonymous event's logs.
  Hash32 topic0() const noexcept;
};

/// Parses a human-readable event, e.g.
/// "Transfer(address indexed from,address indexed to,uint256 value)".
/// Each parameter is "type [indexed] [name]" separated by single spaces; a trailing
/// " anonymous" marks an anonymous event. Errors: kInvalidType and those of `parse_abi_type`.
Result<AbiEvent> parse_abi_event(std::string_view text) noexcept;

/// One decoded log field, in declaration order.
struct AbiLogField {
  std::string name;
  AbiValue value;
  bool indexed = false;
  /// True for an indexed bytes/string/array/tuple: the topic is keccak256 of the
  /// value's encoding, so `value` holds those 32 hash bytes (as Bytes) instead.
  bool hashed = false;
};

/// Decodes a log of `event`. Indexed value types (uint/int/address/bool/bytes<M>)
/// come from the topics with `abi_decode` range checks; other indexed types are
/// their 32-byte topic hash (`hashed`); non-indexed fields are `abi_decode`d from
/// `data` (strict: canonical, no trailing bytes).
/// Errors: kInvalidType if the event has too many indexed inputs (more than 3, or 4
/// when anonymous) or topic0 is not `event.topic0()`; kWrongLength if the topic
/// count is not 1 (0 when anonymous) plus the indexed count; else as `abi_decode`.
Result<std::vector<AbiLogField>> abi_decode_log(const AbiEvent& event,
                                                std::span<const Hash32> topics,
                                                ByteView data) noexcept;

/// The field called `name`, or nullptr.
const AbiLogField* find_field(const std::vector<AbiLogField>& fields,
                              std::string_view name) noexcept;

}  // namespace lottery::eth
