// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal helpers shared by hex, u256 and address parsing; not part of the public API.

#include <string_view>

namespace lottery::eth::detail {

inline constexpr char kHexDigits[] = "0123456789abcdef";

/// Value of one hex digit (either case), or -1 if `c` is not a hex digit.
constexpr int hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// True if `text` starts with the lower-case "0x" prefix (the only one Ethereum JSON uses).
constexpr bool has_hex_prefix(std::string_view text) noexcept {
  return text.size() >= 2 && text[0] == '0' && text[1] == 'x';
}

}  // namespace lottery::eth::detail
