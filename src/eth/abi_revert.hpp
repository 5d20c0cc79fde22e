// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eth/abi_signature.hpp"
#include "eth/bytes.hpp"
#include "eth/error.hpp"
#include "eth/u256.hpp"

#include <string>

namespace lottery::eth {

/// What a reverted call returned, classified.
struct RevertReason {
  enum class Kind {
    kEmpty,   ///< no return data (require without message, out of gas, ...)
    kError,   ///< Error(string), selector 0x08c379a0: `message` holds the string
    kPanic,   ///< Panic(uint256), selector 0x4e487b71: `panic_code` holds the code
    kCustom,  ///< any other selector (custom error): `selector` holds it
  };
  Kind kind = Kind::kEmpty;
  std::string message;
  U256 panic_code;
  Selector selector{};
};

/// Classifies and decodes revert data. Error(string) and Panic(uint256) bodies are
/// decoded strictly (as `abi_decode`); custom errors are not decoded.
/// Errors: kTruncated when 1-3 bytes (less than a selector), else those of `abi_decode`.
Result<RevertReason> decode_revert(ByteView payload) noexcept;

/// What Solidity's panic code means, e.g. 0x11 -> "arithmetic overflow or underflow";
/// "unknown panic code" for codes Solidity does not define.
const char* panic_description(const U256& code) noexcept;

/// One line for the log, never failing: "reverted: <message>",
/// "panic 0x11: arithmetic overflow or underflow", "reverted without a reason",
/// "custom error 0x12345678 (68 bytes)" or "malformed revert data 0x..." (hex capped).
/// The message of a remote node is untrusted: control characters and invalid UTF-8
/// are escaped as \xNN and it is cut at 256 bytes.
std::string describe_revert(ByteView payload);

}  // namespace lottery::eth
