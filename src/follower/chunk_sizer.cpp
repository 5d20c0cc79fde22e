// SPDX-License-Identifier: Apache-2.0
#include "follower/chunk_sizer.hpp"

#include <algorithm>

namespace lottery::follower {

ChunkSizer::ChunkSizer(std::uint64_t initial, std::uint64_t max, std::uint64_t min,
                       std::uint32_t grow_after) noexcept
    : size_(0),
      min_(std::max<std::uint64_t>(min, 1)),
      max_(0),
      grow_after_(std::max<std::uint32_t>(grow_after, 1)) {
  max_ = std::max(max, min_);
  size_ = std::clamp(initial, min_, max_);
}

void ChunkSizer::on_success() noexcept {
  if (++streak_ < grow_after_) return;
  streak_ = 0;
  size_ = size_ > max_ / 2 ? max_ : size_ * 2;
}

bool ChunkSizer::on_too_large() noexcept {
  streak_ = 0;
  if (size_ <= min_) return false;
  size_ = std::max(min_, size_ / 2);
  return true;
}

}  // namespace lottery::follower
