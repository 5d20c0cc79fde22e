// SPDX-License-Identifier: Apache-2.0
#pragma once
// Refund progress entries for the operator's decision and operator tests.

#include "store/types.hpp"

#include <cstdint>

namespace lottery::operation {

/// A batched refund of `round_id`: `refunded` of `count` stakes returned so far.
inline store::RefundProgress refund_of(std::uint64_t round_id, std::uint64_t count,
                                       std::uint64_t refunded) {
  store::RefundProgress p;
  p.round_id = round_id;
  p.participant_count = count;
  p.refunded = refunded;
  return p;
}

}  // namespace lottery::operation
