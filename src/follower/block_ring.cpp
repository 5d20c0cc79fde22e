// SPDX-License-Identifier: Apache-2.0
#include "follower/block_ring.hpp"

namespace lottery::follower {

void BlockRing::record(std::uint64_t number, const eth::Hash32& hash) {
  blocks_[number] = hash;
  while (blocks_.size() > capacity_) blocks_.erase(blocks_.begin());
}

void BlockRing::truncate_above(std::uint64_t number) {
  blocks_.erase(blocks_.upper_bound(number), blocks_.end());
}

std::optional<eth::Hash32> BlockRing::hash_at(std::uint64_t number) const {
  auto it = blocks_.find(number);
  if (it == blocks_.end()) return std::nullopt;
  return it->second;
}

std::optional<BlockRing::Entry> BlockRing::newest() const {
  if (blocks_.empty()) return std::nullopt;
  auto it = std::prev(blocks_.end());
  return Entry{it->first, it->second};
}

std::optional<BlockRing::Entry> BlockRing::oldest() const {
  if (blocks_.empty()) return std::nullopt;
  return Entry{blocks_.begin()->first, blocks_.begin()->second};
}

std::optional<BlockRing::Entry> BlockRing::at_or_below(std::uint64_t number) const {
  auto it = blocks_.upper_bound(number);
  if (it == blocks_.begin()) return std::nullopt;
  --it;
  return Entry{it->first, it->second};
}

}  // namespace lottery::follower
