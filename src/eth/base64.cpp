// SPDX-License-Identifier: Apache-2.0
#include "eth/base64.hpp"

#include <cstdint>

namespace lottery::eth {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::uint32_t octet(std::string_view in, std::size_t i) noexcept {
  return i < in.size() ? static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) : 0U;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t group =
        (octet(bytes, i) << 16) | (octet(bytes, i + 1) << 8) | octet(bytes, i + 2);
    const std::size_t present = bytes.size() - i;  // 1, 2 or 3 (or more)
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
    out += present > 1 ? kAlphabet[(group >> 6) & 63] : '=';
    out += present > 2 ? kAlphabet[group & 63] : '=';
  }
  return out;
}

bool is_base64_of_size(std::string_view text, std::size_t decoded_size) noexcept {
  const std::size_t padding = (3 - decoded_size % 3) % 3;
  if (text.size() != (decoded_size + 2) / 3 * 4) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool pad_position = i >= text.size() - padding;
    if (pad_position) {
      if (text[i] != '=') return false;
    } else if (kAlphabet.find(text[i]) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace lottery::eth
