// SPDX-License-Identifier: Apache-2.0
#include "eth/abi_revert.hpp"

#include "eth/abi_codec.hpp"
#include "eth/hex.hpp"

#include <algorithm>
#include <utility>

namespace lottery::eth {
namespace {

constexpr Selector kErrorSelector{0x08, 0xc3, 0x79, 0xa0};
constexpr Selector kPanicSelector{0x4e, 0x48, 0x7b, 0x71};
constexpr std::size_t kMaxMessage = 256;
constexpr std::size_t kMaxHexBytes = 64;

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid
// (overlong forms, surrogates and values above U+10FFFF are invalid).
std::size_t utf8_sequence_length(const std::string& s, std::size_t i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  unsigned min_second = 0x80;
  unsigned max_second = 0xbf;
  if (b0 < 0x80) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    len = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3;
    if (b0 == 0xe0) min_second = 0xa0;
    if (b0 == 0xed) max_second = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4;
    if (b0 == 0xf0) min_second = 0x90;
    if (b0 == 0xf4) max_second = 0x8f;
  } else {
    return 0;
  }
  if (s.size() - i < len) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    const unsigned lo = k == 1 ? min_second : 0x80;
    const unsigned hi = k == 1 ? max_second : 0xbf;
    if (b < lo || b > hi) return 0;
  }
  return len;
}

std::string sanitize(const std::string& text) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  std::size_t i = 0;
  while (i < text.size() && i < kMaxMessage) {
    const auto b = static_cast<unsigned char>(text[i]);
    const std::size_t len = utf8_sequence_length(text, i);
    if (len == 0 || b < 0x20 || b == 0x7f || b == '\\') {
      out += '\\';
      if (b == '\\') {
        out += '\\';
      } else {
        out += 'x';
        out += kDigits[b >> 4];
        out += kDigits[b & 0x0f];
      }
      ++i;
      continue;
    }
    out.append(text, i, len);
    i += len;
  }
  if (i < text.size()) out += "...";
  return out;
}

std::string short_hex(ByteView payload) {
  std::string out = hex_encode(payload.first(std::min(payload.size(), kMaxHexBytes)));
  if (payload.size() > kMaxHexBytes) out += "...";
  return out;
}

}  // namespace

Result<RevertReason> decode_revert(ByteView payload) noexcept {
  RevertReason reason;
  if (payload.empty()) return reason;
  if (payload.size() < reason.selector.size()) return make_error_code(Errc::kTruncated);
  std::copy_n(payload.begin(), reason.selector.size(), reason.selector.begin());
  const ByteView body = payload.subspan(reason.selector.size());
  if (reason.selector == kErrorSelector) {
    static const AbiType kString = AbiType::string();
    auto values = abi_decode(std::span<const AbiType>(&kString, 1), body);
    if (!values) return values.error();
    reason.kind = RevertReason::Kind::kError;
    reason.message = std::move(std::get<std::string>(values->front().data));
    return reason;
  }
  if (reason.selector == kPanicSelector) {
    static const AbiType kUint = AbiType::uint_n(256);
    auto values = abi_decode(std::span<const AbiType>(&kUint, 1), body);
    if (!values) return values.error();
    reason.kind = RevertReason::Kind::kPanic;
    reason.panic_code = *values->front().as_u256();
    return reason;
  }
  reason.kind = RevertReason::Kind::kCustom;
  return reason;
}

const char* panic_description(const U256& code) noexcept {
  if (code > 0xff) return "unknown panic code";
  switch (code.convert_to<unsigned>()) {
    case 0x00:
      return "generic compiler panic";
    case 0x01:
      return "assertion failed";
    case 0x11:
      return "arithmetic overflow or underflow";
    case 0x12:
      return "division or modulo by zero";
    case 0x21:
      return "invalid enum value";
    case 0x22:
      return "incorrectly encoded storage byte array";
    case 0x31:
      return "pop() on an empty array";
    case 0x32:
      return "array index out of bounds";
    case 0x41:
      return "too much memory allocated";
    case 0x51:
      return "call to a zero-initialized internal function";
    default:
      return "unknown panic code";
  }
}

std::string describe_revert(ByteView payload) {
  auto reason = decode_revert(payload);
  if (!reason) return "malformed revert data " + short_hex(payload);
  switch (reason->kind) {
    case RevertReason::Kind::kEmpty:
      return "reverted without a reason";
    case RevertReason::Kind::kError:
      return "reverted: " + sanitize(reason->message);
    case RevertReason::Kind::kPanic:
      return "panic " + u256_to_quantity(reason->panic_code) + ": " +
             panic_description(reason->panic_code);
    case RevertReason::Kind::kCustom:
      return "custom error " + hex_encode(reason->selector) + " (" +
             std::to_string(payload.size()) + " bytes)";
  }
  return "reverted";
}

}  // namespace lottery::eth
