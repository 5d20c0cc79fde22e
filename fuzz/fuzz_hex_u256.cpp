// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: arbitrary text into the strict hex, u256 and address parsers. Every
// accepted input must print back to its canonical spelling, and printed forms must parse
// back to the same value; any mismatch aborts.
#include "eth/address.hpp"
#include "eth/hex.hpp"
#include "eth/u256.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace lottery::eth;

void require(bool ok) {
  if (!ok) std::abort();
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool mixed_case(std::string_view s) {
  bool lower = false;
  bool upper = false;
  for (char c : s) {
    lower = lower || (c >= 'a' && c <= 'f');
    upper = upper || (c >= 'A' && c <= 'F');
  }
  return lower && upper;
}

void check_hex(std::string_view text) {
  const auto bytes = hex_decode(text);
  if (!bytes) return;
  require(hex_encode(*bytes) == lower_ascii(text));
  const auto again = hex_decode(hex_encode(*bytes));
  require(again && *again == *bytes);
}

void check_dec(std::string_view text) {
  const auto value = u256_from_dec(text);
  if (!value) return;
  // The parser is strict, so the only accepted spelling is the canonical one.
  require(u256_to_dec(*value) == text);
}

void check_quantity(std::string_view text) {
  const auto value = u256_from_quantity(text);
  if (!value) return;
  require(u256_to_quantity(*value) == lower_ascii(text));
  const auto dec = u256_from_dec(u256_to_dec(*value));
  require(dec && *dec == *value);
}

void check_hex_word(std::string_view text) {
  const auto value = u256_from_hex(text);
  if (!value) return;
  const Hash32 be = u256_to_be32(*value);
  const auto from_be = u256_from_be(be);
  require(from_be && *from_be == *value);
  const auto from_minimal = u256_from_be(u256_to_be_minimal(*value));
  require(from_minimal && *from_minimal == *value);
  const auto word = u256_from_hex(hex_encode(be));
  require(word && *word == *value);
  const auto qty = u256_from_quantity(u256_to_quantity(*value));
  require(qty && *qty == *value);
}

void check_address(std::string_view text) {
  const auto address = parse_address(text);
  if (!address) return;
  require(to_lower_hex(*address) == lower_ascii(text));
  const std::string checksummed = to_checksum(*address);
  if (mixed_case(text.substr(2))) require(checksummed == text);
  const auto again = parse_address(checksummed);
  require(again && *again == *address);
}

void check_be(const std::uint8_t* data, std::size_t size) {
  const auto value = u256_from_be(ByteView(data, size));
  require(static_cast<bool>(value) == (size <= 32));
  if (!value) return;
  const Hash32 be = u256_to_be32(*value);
  for (std::size_t i = 0; i < 32; ++i) {
    const std::uint8_t want = i < 32 - size ? 0 : data[i - (32 - size)];
    require(be[i] == want);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  check_hex(text);
  check_dec(text);
  check_quantity(text);
  check_hex_word(text);
  check_address(text);
  check_be(data, size);
  return 0;
}
