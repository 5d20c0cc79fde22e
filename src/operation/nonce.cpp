// SPDX-License-Identifier: Apache-2.0
#include "operation/nonce.hpp"

namespace lottery::operation {

infra::Task<std::uint64_t> NonceManager::acquire(Node& node, const eth::Address& address) {
  if (next_) co_return *next_;
  co_return co_await resync(node, address);
}

infra::Task<std::uint64_t> NonceManager::resync(Node& node, const eth::Address& address) {
  const std::uint64_t pending = co_await node.pending_nonce(address);
  ++syncs_;
  next_ = pending;
  co_return pending;
}

void NonceManager::consumed(std::uint64_t nonce) noexcept {
  if (!next_ || *next_ <= nonce) next_ = nonce + 1;
}

}  // namespace lottery::operation
