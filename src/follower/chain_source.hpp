// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the follower needs from a node, as a small interface: the real one
// (`RpcChainSource`) talks JSON-RPC through `rpc::RpcClient`; unit tests use
// an in-memory chain. Errors are exceptions: `rpc::RpcException` for node and
// transport failures (kRangeTooLarge / kResponseTooLarge from `get_logs` make
// the follower shrink its range), `ChainDataError` for answers that parse but
// make no sense.

#include "eth/address.hpp"
#include "infra/task.hpp"
#include "rpc/eth_types.hpp"
#include "rpc/transport.hpp"
#include "store/types.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lottery::follower {

/// A node answer that is well-formed JSON-RPC but unusable: undecodable view
/// data, a log of another contract or outside the asked range, a header that
/// is not the one asked for. The message says what and where.
class ChainDataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The contract's views read at one block.
struct ContractState {
  store::Round round;
  std::vector<store::Participant> participants;  ///< contract (first-bet) order
  std::optional<store::ContractConfig> config;   ///< only when asked for
  /// `refundProgress(roundId)` by round id, for the rounds asked for (`refund_progress`).
  std::map<std::uint64_t, std::uint64_t> refund_progress;
};

class ChainSource {
 public:
  virtual ~ChainSource() = default;

  /// eth_chainId.
  virtual infra::Task<std::uint64_t> chain_id() = 0;
  /// The node's latest block header.
  virtual infra::Task<rpc::BlockHeader> latest_header() = 0;
  /// The canonical header at `number`; nullopt when the node has no such block.
  virtual infra::Task<std::optional<rpc::BlockHeader>> header_at(std::uint64_t number) = 0;
  /// Canonical headers `from..to` (inclusive, ascending), in one round trip
  /// where possible. Throws ChainDataError when one is missing.
  virtual infra::Task<std::vector<rpc::BlockHeader>> headers(std::uint64_t from,
                                                             std::uint64_t to) = 0;
  /// getRound + getParticipantsWithBets (+ getConfig and maxParticipants when
  /// `with_config`) at block `number`, in one batch.
  virtual infra::Task<ContractState> read_state(std::uint64_t number, bool with_config) = 0;
  /// `refundProgress(roundId)` of each of `round_ids` at block `number`, in one batch: how many
  /// stakes of that refunded round were returned so far.
  virtual infra::Task<std::map<std::uint64_t, std::uint64_t>> refund_progress(
      std::uint64_t number, std::vector<std::uint64_t> round_ids) = 0;
  /// The contract's logs in blocks `from..to` (inclusive), as the node returns them.
  virtual infra::Task<std::vector<rpc::Log>> get_logs(std::uint64_t from, std::uint64_t to) = 0;
  /// True when the contract has code at block `number`.
  virtual infra::Task<bool> has_code(std::uint64_t number) = 0;
  /// True when `subscribe_new_heads` can work (a ws(s) endpoint exists).
  virtual bool supports_new_heads() const = 0;
  /// eth_subscribe("newHeads"). The follower only uses notifications as a
  /// wake-up signal and reads the head itself.
  virtual infra::Task<std::shared_ptr<rpc::Subscription>> subscribe_new_heads() = 0;
};

}  // namespace lottery::follower
