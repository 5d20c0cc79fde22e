// SPDX-License-Identifier: Apache-2.0
#include "operation/node.hpp"

namespace lottery::operation {

infra::Task<std::uint64_t> RpcNode::chain_id() {
  co_return co_await api_.chain_id();
}

infra::Task<std::uint64_t> RpcNode::pending_nonce(const eth::Address& address) {
  co_return co_await api_.transaction_count(address, rpc::BlockTag::pending());
}

infra::Task<eth::U256> RpcNode::balance(const eth::Address& address) {
  co_return co_await api_.balance(address, rpc::BlockTag::latest());
}

infra::Task<rpc::FeeHistory> RpcNode::fee_history(std::uint64_t block_count,
                                                  std::vector<double> percentiles) {
  co_return co_await api_.fee_history(block_count, rpc::BlockTag::latest(), std::move(percentiles));
}

infra::Task<eth::U256> RpcNode::gas_price() {
  co_return co_await api_.gas_price();
}

infra::Task<eth::Bytes> RpcNode::call(const rpc::CallRequest& request) {
  co_return co_await api_.call(request, rpc::BlockTag::latest());
}

infra::Task<std::uint64_t> RpcNode::estimate_gas(const rpc::CallRequest& request) {
  co_return co_await api_.estimate_gas(request);
}

infra::Task<eth::Hash32> RpcNode::send_raw_transaction(eth::Bytes raw) {
  co_return co_await api_.send_raw_transaction(std::move(raw));
}

infra::Task<std::optional<rpc::Receipt>> RpcNode::receipt(const eth::Hash32& txn_hash) {
  co_return co_await api_.transaction_receipt(txn_hash);
}

infra::Task<std::optional<eth::Hash32>> RpcNode::block_hash(std::uint64_t number) {
  auto header = co_await api_.block_header(rpc::BlockTag::at(number));
  if (!header) co_return std::nullopt;
  co_return header->hash;
}

}  // namespace lottery::operation
