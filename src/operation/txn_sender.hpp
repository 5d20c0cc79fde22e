// SPDX-License-Identifier: Apache-2.0
#pragma once

// One-shot transactions from one key: simulate, price, sign, send, wait for the
// receipt and the requested confirmations. This is the path `lottery deploy`,
// `lottery set-operator` and the demo's simulated players share. The long-lived
// `Operator` (operator.hpp) does more (intents, replacement of stuck
// transactions, reorg re-evaluation); a command that sends one transaction and
// exits needs none of that, but it does need every failure explained in one
// sentence, which is what `SendError` carries.

#include "eth/address.hpp"
#include "eth/bytes.hpp"
#include "eth/secp256k1.hpp"
#include "eth/u256.hpp"
#include "infra/task.hpp"
#include "operation/fees.hpp"
#include "operation/node.hpp"
#include "rpc/error.hpp"
#include "rpc/eth_types.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lottery::operation {

/// Why a send failed, in terms a command can turn into an exit code or a hint.
enum class SendErrc : std::uint8_t {
  kWrongChain,         ///< the node is on another chain than expected
  kReverted,           ///< the simulation (eth_estimateGas) reverted; the reason is in the message
  kInsufficientFunds,  ///< the balance does not cover value + gas limit × max fee
  kFeeTooHigh,         ///< the market fee is above the configured cap
  kUnreachable,        ///< the node did not answer (connection refused, timeouts, bad replies)
  kRejected,           ///< the node refused the transaction for another reason
  kFailedOnChain,      ///< mined, but with status 0
  kTimeout,            ///< not mined or not confirmed within `SendOptions::timeout`
};

/// Short stable name, e.g. "wrong_chain".
std::string_view to_string(SendErrc kind) noexcept;

/// A failed send. `what()` is one sentence that says what went wrong and what to do;
/// it never contains key material.
class SendError : public std::runtime_error {
 public:
  SendError(SendErrc kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  SendErrc kind() const noexcept { return kind_; }

 private:
  SendErrc kind_;
};

/// What to send.
struct TxnRequest {
  std::optional<eth::Address> to;  ///< nullopt: contract creation (`data` = bytecode + args)
  eth::Bytes data;
  eth::U256 value;    ///< wei
  std::string label;  ///< e.g. "deploy Lottery"; starts every progress line and error
};

struct SendOptions {
  /// When set, a node on another chain is refused (kWrongChain) before anything is signed.
  std::optional<std::uint64_t> expected_chain_id;
  /// Blocks that must contain or follow the mined transaction, the mining block included
  /// (1 = mined is enough). 0 is treated as 1.
  std::uint32_t confirmations = 1;
  double gas_multiplier = 1.2;  ///< gas limit = estimate × this
  FeePolicy fees;
  std::chrono::milliseconds poll_interval{1000};  ///< receipt / block polling
  /// From the first send until the last confirmation.
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  /// Receives one line per step (sent, mined, confirmations); may be empty.
  std::function<void(const std::string& line)> progress;
};

/// A mined (and confirmed) transaction.
struct SendResult {
  eth::Hash32 txn_hash{};
  rpc::Receipt receipt;
};

/// Sends transactions from one key through a `Node`, one at a time.
///
/// Not thread-safe: use one sender per key and await its calls one after
/// another (the nonce is read from the node for each send). The node must
/// outlive the sender.
class TxnSender {
 public:
  TxnSender(Node& node, eth::PrivateKey key, SendOptions options = {});

  const eth::Address& address() const noexcept { return address_; }
  const SendOptions& options() const noexcept { return options_; }

  /// The node's chain id (read once, then cached), checked against
  /// `expected_chain_id`. Throws SendError kWrongChain or kUnreachable.
  infra::Task<std::uint64_t> chain_id();

  /// Estimates the gas of `request` from this key. Throws SendError:
  /// kReverted with the decoded revert reason ("<label> would fail: reverted: Only publisher"),
  /// kInsufficientFunds, kUnreachable, kRejected.
  infra::Task<std::uint64_t> simulate(TxnRequest request);

  /// Checks the chain, simulates, prices (EIP-1559 from eth_feeHistory, legacy
  /// gas price when the chain has no base fee), checks the balance, signs,
  /// sends and waits until the transaction is mined with status 1 and has
  /// `confirmations` blocks. A mined transaction whose block a reorg removed is
  /// waited for again. "nonce too low" at send time is retried once with a
  /// fresh nonce; "already known" counts as sent. Throws SendError.
  infra::Task<SendResult> send(TxnRequest request);

 private:
  void progress(const std::string& line) const;
  infra::Task<rpc::Receipt> wait_confirmed(const TxnRequest& request, const eth::Hash32& hash);

  Node& node_;
  eth::PrivateKey key_;
  eth::Address address_;
  SendOptions options_;
  std::optional<std::uint64_t> chain_id_;
};

/// "1.5 ETH" style rendering (up to 6 decimals, rounded down, trailing zeros dropped).
std::string format_ether(const eth::U256& wei);

/// The one-sentence explanation of an RPC failure during `what` (e.g. "deploy Lottery"),
/// classified as SendError. Exposed for the commands that make their own calls.
SendError send_error_from_rpc(std::string_view what, const rpc::RpcError& error);

}  // namespace lottery::operation
