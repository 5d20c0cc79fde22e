// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eth/bytes.hpp"
#include "eth/error.hpp"

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace lottery::eth {

/// A 20-byte Ethereum account address.
struct Address {
  std::array<std::uint8_t, 20> bytes{};

  friend auto operator<=>(const Address&, const Address&) = default;
  bool is_zero() const noexcept;
};

/// Parses "0x" + 40 hex digits. All-lower or all-upper case is accepted as is;
/// mixed case must carry a valid EIP-55 checksum (else kBadChecksum).
Result<Address> parse_address(std::string_view text) noexcept;

/// EIP-55 mixed-case checksum form, e.g. "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".
std::string to_checksum(const Address& address);

/// Lower-case "0x…" form (for keys and comparisons in JSON).
std::string to_lower_hex(const Address& address);

/// The address of a public key: last 20 bytes of keccak256(x || y).
Address address_from_public_key(const std::array<std::uint8_t, 64>& xy) noexcept;

}  // namespace lottery::eth

template <>
struct std::hash<lottery::eth::Address> {
  std::size_t operator()(const lottery::eth::Address& a) const noexcept;
};
