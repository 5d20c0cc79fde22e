// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

namespace lottery::follower {

/// The eth_getLogs block range: starts at `initial`, halves (down to `min`)
/// each time the node refuses a range or its reply is too large, and doubles
/// (up to `max`) after `grow_after` successes in a row. Nodes differ widely
/// (some allow 10k blocks, hosted ones 500 or a result-count limit), so the
/// follower learns the limit instead of configuring it per provider.
class ChunkSizer {
 public:
  /// Values are clamped so that 1 <= min <= initial <= max.
  ChunkSizer(std::uint64_t initial, std::uint64_t max, std::uint64_t min = 1,
             std::uint32_t grow_after = 2) noexcept;

  std::uint64_t size() const noexcept { return size_; }
  /// A range of `size()` (or less) succeeded.
  void on_success() noexcept;
  /// The node refused the range. Returns false when the size is already at
  /// the minimum and cannot shrink (the caller must give up on this range).
  bool on_too_large() noexcept;

 private:
  std::uint64_t size_;
  std::uint64_t min_;
  std::uint64_t max_;
  std::uint32_t grow_after_;
  std::uint32_t streak_ = 0;
};

}  // namespace lottery::follower
