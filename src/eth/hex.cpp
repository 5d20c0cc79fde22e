// SPDX-License-Identifier: Apache-2.0
#include "eth/hex.hpp"

#include "eth/hex_detail.hpp"

namespace lottery::eth {

Result<Bytes> hex_decode(std::string_view text) noexcept {
  if (!detail::has_hex_prefix(text)) return make_error_code(Errc::kMissingHexPrefix);
  const std::string_view digits = text.substr(2);
  if (digits.size() % 2 != 0) return make_error_code(Errc::kOddHexLength);
  Bytes out(digits.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = detail::hex_digit_value(digits[2 * i]);
    const int lo = detail::hex_digit_value(digits[2 * i + 1]);
    if (hi < 0 || lo < 0) return make_error_code(Errc::kInvalidHexDigit);
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return out;
}

std::string hex_encode_bare(ByteView bytes) {
  std::string out(bytes.size() * 2, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = detail::kHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = detail::kHexDigits[bytes[i] & 0x0f];
  }
  return out;
}

std::string hex_encode(ByteView bytes) {
  std::string out;
  out.reserve(2 + bytes.size() * 2);
  out += "0x";
  out += hex_encode_bare(bytes);
  return out;
}

}  // namespace lottery::eth
