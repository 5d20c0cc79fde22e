// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: arbitrary bytes into the strict RLP decoder. The decoder admits exactly one
// encoding per value, so every accepted input must re-encode to itself byte for byte; the typed
// views must not crash on any item; and a tighter depth limit may only turn success into kTooDeep.
#include "eth/rlp.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

using namespace lottery::eth;

void require(bool ok) {
  if (!ok) std::abort();
}

std::size_t depth_of(const rlp::Item& item) {
  if (!item.is_list) return 0;
  std::size_t deepest = 0;
  for (const auto& child : item.items) {
    const std::size_t d = depth_of(child);
    if (d > deepest) deepest = d;
  }
  return deepest + 1;
}

void exercise_views(const rlp::Item& item) {
  if (item.is_list) {
    require(rlp::as_list(item).has_value());
    require(!rlp::as_u64(item) && !rlp::as_u256(item) && !rlp::as_bytes(item));
    for (const auto& child : item.items) exercise_views(child);
    return;
  }
  auto small = rlp::as_u64(item);
  auto big = rlp::as_u256(item);
  // Whenever the 64-bit view succeeds the 256-bit view must agree with it.
  if (small) require(big && *big == U256(*small));
  if (big) require(rlp::encode_uint(*big) == rlp::encode(item));
  (void)rlp::as_address(item);
  (void)rlp::as_fixed<32>(item);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  auto item = rlp::decode(input);
  if (!item) return 0;
  require(rlp::encode(*item) == Bytes(input.begin(), input.end()));
  exercise_views(*item);

  const std::size_t depth = depth_of(*item);
  require(depth <= rlp::kDefaultMaxDepth);
  require(rlp::decode(input, depth).has_value());
  if (depth > 0) {
    auto shallow = rlp::decode(input, depth - 1);
    require(!shallow && shallow.error() == make_error_code(Errc::kTooDeep));
  }
  return 0;
}
