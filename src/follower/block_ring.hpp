// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eth/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

namespace lottery::follower {

/// The hashes of recently processed canonical blocks, by number, for reorg
/// detection. Holds at most `capacity` entries (the oldest go first). It may
/// be sparse: after a big head jump (backfill) only the blocks the follower
/// actually looked at are in it; the reorg search then checks the entries it
/// has, which finds the same or a lower (safe) common ancestor.
class BlockRing {
 public:
  struct Entry {
    std::uint64_t number = 0;
    eth::Hash32 hash{};
  };

  explicit BlockRing(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  /// Records (or replaces) the hash of block `number`.
  void record(std::uint64_t number, const eth::Hash32& hash);
  /// Forgets every block above `number` (after a reorg to that ancestor).
  void truncate_above(std::uint64_t number);
  void clear() noexcept { blocks_.clear(); }

  std::optional<eth::Hash32> hash_at(std::uint64_t number) const;
  std::optional<Entry> newest() const;
  std::optional<Entry> oldest() const;
  /// The newest entry at or below `number`.
  std::optional<Entry> at_or_below(std::uint64_t number) const;
  std::size_t size() const noexcept { return blocks_.size(); }
  bool empty() const noexcept { return blocks_.empty(); }
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  std::size_t capacity_;
  std::map<std::uint64_t, eth::Hash32> blocks_;
};

}  // namespace lottery::follower
