// SPDX-License-Identifier: Apache-2.0
#pragma once

// The operator account's nonce, kept locally between sends (SPEC §4).

#include "eth/address.hpp"
#include "infra/task.hpp"
#include "operation/node.hpp"

#include <cstdint>
#include <optional>

namespace lottery::operation {

/// The next nonce of one account. Learned from eth_getTransactionCount(addr, "pending") when not
/// known, advanced locally after every accepted send, and forgotten (so the next `acquire`
/// re-syncs from the node) after a nonce error, a reorg that removed one of our transactions, an
/// abandoned transaction or a key change. Not thread-safe: the operator uses it on its strand.
class NonceManager {
 public:
  /// The nonce for the next new transaction: the local value, or (first use, after
  /// `invalidate`) the node's pending count. Throws what `Node::pending_nonce` throws.
  infra::Task<std::uint64_t> acquire(Node& node, const eth::Address& address);

  /// Re-reads the node's pending count now and returns it.
  infra::Task<std::uint64_t> resync(Node& node, const eth::Address& address);

  /// The node accepted a transaction with `nonce`: the next one is `nonce + 1` (or stays higher).
  void consumed(std::uint64_t nonce) noexcept;

  /// Forgets the local value; the next `acquire` asks the node.
  void invalidate() noexcept { next_.reset(); }

  /// The local value, if known.
  std::optional<std::uint64_t> peek() const noexcept { return next_; }

  /// How often the node was asked (start and re-syncs).
  std::uint64_t syncs() const noexcept { return syncs_; }

 private:
  std::optional<std::uint64_t> next_;
  std::uint64_t syncs_ = 0;
};

}  // namespace lottery::operation
