// SPDX-License-Identifier: Apache-2.0
#include "eth/u256.hpp"

#include "eth/hex_detail.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>

namespace lottery::eth {
namespace {

namespace mp = boost::multiprecision;

// Wide enough to hold any 78-digit decimal and any product of two U256 values, so
// overflow is detected by one comparison instead of per-step division.
using U512 = mp::number<mp::cpp_int_backend<512, 512, mp::unsigned_magnitude, mp::unchecked, void>>;

// 2^256 - 1 has 78 decimal digits; anything longer (without leading zeros) cannot fit.
constexpr std::size_t kMaxDecDigits = 78;
constexpr std::size_t kMaxHexDigits = 64;

const U256& u256_max() noexcept {
  static const U256 max = ~U256(0);
  return max;
}

U256 from_be32(const Hash32& be) noexcept {
  U256 value;
  mp::import_bits(value, be.begin(), be.end(), 8, true);
  return value;
}

// Parses 1..64 validated-length hex digits; returns kInvalidHexDigit on a bad character.
Result<U256> parse_hex_digits(std::string_view digits) noexcept {
  Hash32 be{};
  // Right-align the digits in a 64-nibble big-endian buffer.
  const std::size_t offset = kMaxHexDigits - digits.size();
  for (std::size_t i = 0; i < digits.size(); ++i) {
    const int v = detail::hex_digit_value(digits[i]);
    if (v < 0) return make_error_code(Errc::kInvalidHexDigit);
    const std::size_t nibble = offset + i;
    const auto bits = static_cast<std::uint8_t>(nibble % 2 == 0 ? v << 4 : v);
    be[nibble / 2] = static_cast<std::uint8_t>(be[nibble / 2] | bits);
  }
  return from_be32(be);
}

bool all_hex_digits(std::string_view digits) noexcept {
  return std::all_of(digits.begin(), digits.end(),
                     [](char c) { return detail::hex_digit_value(c) >= 0; });
}

}  // namespace

Result<U256> u256_from_dec(std::string_view text) noexcept {
  if (text.empty()) return make_error_code(Errc::kEmptyInput);
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return make_error_code(Errc::kInvalidDecimal);
  }
  if (text.size() > 1 && text[0] == '0') return make_error_code(Errc::kLeadingZeros);
  if (text.size() > kMaxDecDigits) return make_error_code(Errc::kOverflow);

  // Accumulate 19 digits at a time in a machine word (10^19 < 2^64), then fold into U512.
  U512 wide = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t chunk = std::min<std::size_t>(19, text.size() - pos);
    std::uint64_t part = 0;
    std::uint64_t scale = 1;
    for (std::size_t i = 0; i < chunk; ++i) {
      part = part * 10 + static_cast<std::uint64_t>(text[pos + i] - '0');
      scale *= 10;
    }
    wide = wide * scale + part;
    pos += chunk;
  }
  if (wide > U512(u256_max())) return make_error_code(Errc::kOverflow);
  return U256(wide);
}

Result<U256> u256_from_quantity(std::string_view text) noexcept {
  if (!detail::has_hex_prefix(text)) return make_error_code(Errc::kMissingHexPrefix);
  const std::string_view digits = text.substr(2);
  if (digits.empty()) return make_error_code(Errc::kEmptyInput);
  if (!all_hex_digits(digits)) return make_error_code(Errc::kInvalidHexDigit);
  if (digits.size() > 1 && digits[0] == '0') return make_error_code(Errc::kLeadingZeros);
  if (digits.size() > kMaxHexDigits) return make_error_code(Errc::kOverflow);
  return parse_hex_digits(digits);
}

Result<U256> u256_from_hex(std::string_view text) noexcept {
  if (!detail::has_hex_prefix(text)) return make_error_code(Errc::kMissingHexPrefix);
  const std::string_view digits = text.substr(2);
  if (digits.empty()) return make_error_code(Errc::kEmptyInput);
  if (!all_hex_digits(digits)) return make_error_code(Errc::kInvalidHexDigit);
  if (digits.size() > kMaxHexDigits) return make_error_code(Errc::kOverflow);
  return parse_hex_digits(digits);
}

Result<U256> u256_from_be(ByteView bytes) noexcept {
  if (bytes.size() > 32) return make_error_code(Errc::kOverflow);
  Hash32 be{};
  std::copy(bytes.begin(), bytes.end(),
            be.begin() + static_cast<std::ptrdiff_t>(32 - bytes.size()));
  return from_be32(be);
}

std::string u256_to_dec(const U256& value) {
  return value.str();
}

std::string u256_to_quantity(const U256& value) {
  const Hash32 be = u256_to_be32(value);
  std::string out = "0x";
  bool started = false;
  for (std::size_t nibble = 0; nibble < kMaxHexDigits; ++nibble) {
    const int v = nibble % 2 == 0 ? be[nibble / 2] >> 4 : be[nibble / 2] & 0x0f;
    if (v == 0 && !started) continue;
    started = true;
    out += detail::kHexDigits[v];
  }
  if (!started) out += '0';
  return out;
}

Hash32 u256_to_be32(const U256& value) noexcept {
  // export_bits writes the minimal big-endian form; right-align it into 32 bytes.
  std::array<std::uint8_t, 33> tmp{};
  auto* end = mp::export_bits(value, tmp.data(), 8, true);
  const auto len = static_cast<std::size_t>(end - tmp.data());
  Hash32 out{};
  const std::size_t n = std::min<std::size_t>(len, 32);
  std::copy(tmp.data() + (len - n), tmp.data() + len,
            out.begin() + static_cast<std::ptrdiff_t>(32 - n));
  return out;
}

Bytes u256_to_be_minimal(const U256& value) {
  const Hash32 be = u256_to_be32(value);
  const auto* first = std::find_if(be.begin(), be.end(), [](std::uint8_t b) { return b != 0; });
  return Bytes(first, be.end());
}

Result<U256> checked_add(const U256& a, const U256& b) noexcept {
  const U256 sum = a + b;  // wraps modulo 2^256
  if (sum < a) return make_error_code(Errc::kOverflow);
  return sum;
}

Result<U256> checked_mul(const U256& a, const U256& b) noexcept {
  const U512 product = U512(a) * U512(b);
  if (product > U512(u256_max())) return make_error_code(Errc::kOverflow);
  return U256(product);
}

Result<std::uint64_t> u256_to_u64(const U256& value) noexcept {
  if (value > std::numeric_limits<std::uint64_t>::max()) return make_error_code(Errc::kOverflow);
  return value.convert_to<std::uint64_t>();
}

}  // namespace lottery::eth
