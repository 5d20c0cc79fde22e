// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "infra/task.hpp"
#include "rpc/client.hpp"
#include "rpc/eth_json.hpp"
#include "rpc/eth_types.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace lottery::rpc {

/// Typed eth_* calls on an `RpcClient`. Every method throws RpcException:
/// node errors keep their classification (e.g. kExecutionReverted with
/// revert data from `call`/`estimate_gas`, kNonceTooLow from
/// `send_raw_transaction`); a result that does not match the spec is
/// kMalformedResponse. To batch several calls, build them with the
/// `eth_json::*_request` functions, send them with `RpcClient::batch`, and
/// parse each outcome with the matching `eth_json::parse_*`.
///
/// Holds a reference: the client must outlive the EthApi.
class EthApi {
 public:
  explicit EthApi(RpcClient& client) : client_(client) {}

  RpcClient& client() noexcept { return client_; }

  infra::Task<std::uint64_t> chain_id();
  infra::Task<std::uint64_t> block_number();
  /// nullopt when the node does not know the block (yet).
  infra::Task<std::optional<BlockHeader>> block_header(BlockTag tag);
  /// Caller keeps ranges small; kRangeTooLarge means: split and retry.
  infra::Task<std::vector<Log>> get_logs(const LogFilter& filter);
  /// Return data of the call; reverts throw kExecutionReverted.
  infra::Task<eth::Bytes> call(const CallRequest& request, BlockTag tag = BlockTag::latest());
  infra::Task<std::uint64_t> estimate_gas(const CallRequest& request);
  /// Nonce for the next transaction (default: counting pending ones).
  infra::Task<std::uint64_t> transaction_count(const eth::Address& address,
                                               BlockTag tag = BlockTag::pending());
  infra::Task<FeeHistory> fee_history(std::uint64_t block_count, BlockTag newest,
                                      std::vector<double> percentiles);
  infra::Task<eth::U256> gas_price();
  infra::Task<eth::U256> max_priority_fee_per_gas();
  /// Returns the transaction hash the node reports.
  infra::Task<eth::Hash32> send_raw_transaction(eth::Bytes raw);
  /// nullopt while the transaction is not mined (or unknown).
  infra::Task<std::optional<Receipt>> transaction_receipt(eth::Hash32 txn_hash);
  infra::Task<eth::U256> balance(const eth::Address& address, BlockTag tag = BlockTag::latest());
  infra::Task<eth::Bytes> code(const eth::Address& address, BlockTag tag = BlockTag::latest());

  /// Subscribes to newHeads (needs a ws(s) endpoint; see RpcClient::subscribe).
  infra::Task<std::shared_ptr<Subscription>> subscribe_new_heads();
  /// Waits for the next head of a newHeads subscription. Throws RpcException
  /// kTransport when the subscription ended (resubscribe and backfill), or
  /// kMalformedResponse for a bad header.
  static infra::Task<BlockHeader> next_head(Subscription& subscription);

 private:
  infra::Task<boost::json::value> run(Call call);

  RpcClient& client_;
};

}  // namespace lottery::rpc
