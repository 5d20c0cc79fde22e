// SPDX-License-Identifier: Apache-2.0
#include "rpc/eth_api.hpp"

namespace lottery::rpc {

namespace json = boost::json;
using infra::Task;

Task<json::value> EthApi::run(Call call) {
  co_return co_await client_.call(std::move(call.method), std::move(call.params));
}

Task<std::uint64_t> EthApi::chain_id() {
  co_return eth_json::parse_u64(co_await run(eth_json::chain_id_request()), "eth_chainId result");
}

Task<std::uint64_t> EthApi::block_number() {
  co_return eth_json::parse_u64(co_await run(eth_json::block_number_request()),
                                "eth_blockNumber result");
}

Task<std::optional<BlockHeader>> EthApi::block_header(BlockTag tag) {
  co_return eth_json::parse_block_header(co_await run(eth_json::block_by_number_request(tag)));
}

Task<std::vector<Log>> EthApi::get_logs(const LogFilter& filter) {
  co_return eth_json::parse_logs(co_await run(eth_json::get_logs_request(filter)));
}

Task<eth::Bytes> EthApi::call(const CallRequest& request, BlockTag tag) {
  co_return eth_json::parse_data(co_await run(eth_json::eth_call_request(request, tag)),
                                 "eth_call result");
}

Task<std::uint64_t> EthApi::estimate_gas(const CallRequest& request) {
  co_return eth_json::parse_u64(co_await run(eth_json::estimate_gas_request(request)),
                                "eth_estimateGas result");
}

Task<std::uint64_t> EthApi::transaction_count(const eth::Address& address, BlockTag tag) {
  co_return eth_json::parse_u64(co_await run(eth_json::transaction_count_request(address, tag)),
                                "eth_getTransactionCount result");
}

Task<FeeHistory> EthApi::fee_history(std::uint64_t block_count, BlockTag newest,
                                     std::vector<double> percentiles) {
  co_return eth_json::parse_fee_history(
      co_await run(eth_json::fee_history_request(block_count, newest, percentiles)));
}

Task<eth::U256> EthApi::gas_price() {
  co_return eth_json::parse_quantity(co_await run(eth_json::gas_price_request()),
                                     "eth_gasPrice result");
}

Task<eth::U256> EthApi::max_priority_fee_per_gas() {
  co_return eth_json::parse_quantity(co_await run(eth_json::max_priority_fee_request()),
                                     "eth_maxPriorityFeePerGas result");
}

Task<eth::Hash32> EthApi::send_raw_transaction(eth::Bytes raw) {
  co_return eth_json::parse_hash(co_await run(eth_json::send_raw_transaction_request(raw)),
                                 "eth_sendRawTransaction result");
}

Task<std::optional<Receipt>> EthApi::transaction_receipt(eth::Hash32 txn_hash) {
  co_return eth_json::parse_receipt(co_await run(eth_json::transaction_receipt_request(txn_hash)));
}

Task<eth::U256> EthApi::balance(const eth::Address& address, BlockTag tag) {
  co_return eth_json::parse_quantity(co_await run(eth_json::balance_request(address, tag)),
                                     "eth_getBalance result");
}

Task<eth::Bytes> EthApi::code(const eth::Address& address, BlockTag tag) {
  co_return eth_json::parse_data(co_await run(eth_json::code_request(address, tag)),
                                 "eth_getCode result");
}

Task<std::shared_ptr<Subscription>> EthApi::subscribe_new_heads() {
  // Built outside a braced list: g++ 12 mis-compiles initializer lists in coroutines.
  json::array params;
  params.emplace_back("newHeads");
  co_return co_await client_.subscribe(std::move(params));
}

Task<BlockHeader> EthApi::next_head(Subscription& subscription) {
  auto header = eth_json::parse_block_header(co_await subscription.next());
  if (!header)
    throw RpcException(make_error(RpcErrc::kMalformedResponse, "newHeads notification is null"));
  co_return *header;
}

}  // namespace lottery::rpc
