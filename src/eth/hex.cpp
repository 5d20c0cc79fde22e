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

namespace {

// Writes two lower-case digits per byte at `out`; callers size the string once.
void write_hex(ByteView bytes, char* out) noexcept {
  for (const std::uint8_t b : bytes) {
    *out++ = detail::kHexDigits[b >> 4];
    *out++ = detail::kHexDigits[b & 0x0f];
  }
}

}  // namespace

std::string hex_encode_bare(ByteView bytes) {
  std::string out(bytes.size() * 2, '0');
  write_hex(bytes, out.data());
  return out;
}

std::string hex_encode(ByteView bytes) {
  std::string out(2 + bytes.size() * 2, '0');
  out[1] = 'x';
  write_hex(bytes, out.data() + 2);
  return out;
}

}  // namespace lottery::eth
