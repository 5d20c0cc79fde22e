// SPDX-License-Identifier: Apache-2.0
#include "eth/address.hpp"

#include "eth/hex.hpp"
#include "eth/hex_detail.hpp"
#include "eth/keccak.hpp"

#include <algorithm>
#include <cstring>

namespace lottery::eth {

bool Address::is_zero() const noexcept {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

Result<Address> parse_address(std::string_view text) noexcept {
  auto decoded = hex_decode_fixed<20>(text);
  if (!decoded) return decoded.error();
  Address address{*decoded};

  const std::string_view digits = text.substr(2);
  const bool has_lower =
      std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'a' && c <= 'f'; });
  const bool has_upper =
      std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'A' && c <= 'F'; });
  // EIP-55: a single-case address carries no checksum; mixed case must match exactly.
  if (has_lower && has_upper && to_checksum(address) != text) {
    return make_error_code(Errc::kBadChecksum);
  }
  return address;
}

std::string to_lower_hex(const Address& address) {
  return hex_encode(address.bytes);
}

std::string to_checksum(const Address& address) {
  std::string lower = hex_encode_bare(address.bytes);
  const Hash32 hash = keccak256(std::string_view(lower));
  std::string out = "0x";
  out.reserve(42);
  for (std::size_t i = 0; i < lower.size(); ++i) {
    const int nibble = i % 2 == 0 ? hash[i / 2] >> 4 : hash[i / 2] & 0x0f;
    char c = lower[i];
    if (c >= 'a' && c <= 'f' && nibble >= 8) c = static_cast<char>(c - 'a' + 'A');
    out += c;
  }
  return out;
}

Address address_from_public_key(const std::array<std::uint8_t, 64>& xy) noexcept {
  const Hash32 hash = keccak256(ByteView(xy));
  Address address;
  std::copy(hash.begin() + 12, hash.end(), address.bytes.begin());
  return address;
}

}  // namespace lottery::eth

std::size_t std::hash<lottery::eth::Address>::operator()(
    const lottery::eth::Address& a) const noexcept {
  // Addresses are hash outputs, so any 8 of their bytes are already well mixed.
  std::size_t h = 0;
  std::memcpy(&h, a.bytes.data(), std::min(sizeof(h), a.bytes.size()));
  return h;
}
