// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the operator needs from a node, as a small interface: `RpcNode` talks JSON-RPC through
// `rpc::EthApi`; unit tests use an in-memory fake. Errors are `rpc::RpcException`, with the node's
// verdict classified (kExecutionReverted with revert data, kNonceTooLow, kReplacementUnderpriced…).

#include "eth/address.hpp"
#include "eth/bytes.hpp"
#include "eth/u256.hpp"
#include "infra/task.hpp"
#include "rpc/eth_api.hpp"
#include "rpc/eth_types.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace lottery::operation {

class Node {
 public:
  virtual ~Node() = default;

  /// eth_chainId.
  virtual infra::Task<std::uint64_t> chain_id() = 0;
  /// eth_getTransactionCount(address, "pending"): the nonce of the next new transaction.
  virtual infra::Task<std::uint64_t> pending_nonce(const eth::Address& address) = 0;
  /// eth_getBalance(address, "latest").
  virtual infra::Task<eth::U256> balance(const eth::Address& address) = 0;
  /// eth_feeHistory(block_count, "latest", percentiles).
  virtual infra::Task<rpc::FeeHistory> fee_history(std::uint64_t block_count,
                                                   std::vector<double> percentiles) = 0;
  /// eth_gasPrice (legacy chains).
  virtual infra::Task<eth::U256> gas_price() = 0;
  /// eth_call at "latest"; a revert throws kExecutionReverted.
  virtual infra::Task<eth::Bytes> call(const rpc::CallRequest& request) = 0;
  /// eth_estimateGas; a revert throws kExecutionReverted.
  virtual infra::Task<std::uint64_t> estimate_gas(const rpc::CallRequest& request) = 0;
  /// eth_sendRawTransaction; returns the hash the node reports.
  virtual infra::Task<eth::Hash32> send_raw_transaction(eth::Bytes raw) = 0;
  /// eth_getTransactionReceipt; nullopt while not mined (or unknown).
  virtual infra::Task<std::optional<rpc::Receipt>> receipt(const eth::Hash32& txn_hash) = 0;
  /// The hash of the canonical block `number`; nullopt when the node has no such block.
  virtual infra::Task<std::optional<eth::Hash32>> block_hash(std::uint64_t number) = 0;
};

/// `Node` over JSON-RPC. Holds a reference: the client must outlive it.
class RpcNode final : public Node {
 public:
  explicit RpcNode(rpc::RpcClient& client) : api_(client) {}

  infra::Task<std::uint64_t> chain_id() override;
  infra::Task<std::uint64_t> pending_nonce(const eth::Address& address) override;
  infra::Task<eth::U256> balance(const eth::Address& address) override;
  infra::Task<rpc::FeeHistory> fee_history(std::uint64_t block_count,
                                           std::vector<double> percentiles) override;
  infra::Task<eth::U256> gas_price() override;
  infra::Task<eth::Bytes> call(const rpc::CallRequest& request) override;
  infra::Task<std::uint64_t> estimate_gas(const rpc::CallRequest& request) override;
  infra::Task<eth::Hash32> send_raw_transaction(eth::Bytes raw) override;
  infra::Task<std::optional<rpc::Receipt>> receipt(const eth::Hash32& txn_hash) override;
  infra::Task<std::optional<eth::Hash32>> block_hash(std::uint64_t number) override;

 private:
  rpc::EthApi api_;
};

}  // namespace lottery::operation
