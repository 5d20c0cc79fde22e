// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eth/bytes.hpp"
#include "eth/error.hpp"

#include <array>
#include <string>
#include <string_view>

namespace lottery::eth {

/// Decodes "0x"-prefixed hex of even length (upper or lower case digits).
/// "0x" alone decodes to no bytes. Errors: kMissingHexPrefix, kOddHexLength,
/// kInvalidHexDigit.
Result<Bytes> hex_decode(std::string_view text) noexcept;

/// Like `hex_decode`, and the result must be exactly `N` bytes (else kWrongLength).
template <std::size_t N>
Result<std::array<std::uint8_t, N>> hex_decode_fixed(std::string_view text) noexcept {
  auto bytes = hex_decode(text);
  if (!bytes) return bytes.error();
  if (bytes->size() != N) return make_error_code(Errc::kWrongLength);
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = (*bytes)[i];
  return out;
}

/// Lower-case hex with "0x" prefix; empty input gives "0x".
std::string hex_encode(ByteView bytes);

/// Lower-case hex without prefix (for places like the ECIES public key).
std::string hex_encode_bare(ByteView bytes);

}  // namespace lottery::eth
