// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "follower/chain_source.hpp"
#include "rpc/client.hpp"
#include "rpc/eth_api.hpp"

namespace lottery::follower {

/// `ChainSource` over JSON-RPC. Views are read with eth_call at the block
/// number (plain block tags work on every node; a reorg racing the read is
/// caught by the next head's parent-hash check, which re-reads everything).
/// Every reply is parsed strictly (`rpc::eth_json`); logs must belong to the
/// contract and to the asked range.
///
/// Holds a reference: `client` must outlive the source.
class RpcChainSource final : public ChainSource {
 public:
  RpcChainSource(rpc::RpcClient& client, eth::Address contract);

  infra::Task<std::uint64_t> chain_id() override;
  infra::Task<rpc::BlockHeader> latest_header() override;
  infra::Task<std::optional<rpc::BlockHeader>> header_at(std::uint64_t number) override;
  infra::Task<std::vector<rpc::BlockHeader>> headers(std::uint64_t from, std::uint64_t to) override;
  infra::Task<ContractState> read_state(std::uint64_t number, bool with_config) override;
  infra::Task<std::map<std::uint64_t, std::uint64_t>> refund_progress(
      std::uint64_t number, std::vector<std::uint64_t> round_ids) override;
  infra::Task<std::vector<rpc::Log>> get_logs(std::uint64_t from, std::uint64_t to) override;
  infra::Task<bool> has_code(std::uint64_t number) override;
  bool supports_new_heads() const override;
  infra::Task<std::shared_ptr<rpc::Subscription>> subscribe_new_heads() override;

 private:
  rpc::RpcClient& client_;
  rpc::EthApi api_;
  eth::Address contract_;
};

/// Checks a batch of `headers(from, to)` replies: each present, numbered
/// from..to in order. Throws ChainDataError otherwise. Exposed for tests.
std::vector<rpc::BlockHeader> check_header_range(
    std::vector<std::optional<rpc::BlockHeader>> headers, std::uint64_t from, std::uint64_t to);

/// Checks logs returned for `contract` over `from..to`: right address, block
/// number in range. Throws ChainDataError naming the offending log.
void check_logs(const std::vector<rpc::Log>& logs, const eth::Address& contract, std::uint64_t from,
                std::uint64_t to);

}  // namespace lottery::follower
