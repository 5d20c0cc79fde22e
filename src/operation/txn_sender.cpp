// SPDX-License-Identifier: Apache-2.0
#include "operation/txn_sender.hpp"

#include "eth/abi_revert.hpp"
#include "eth/hex.hpp"
#include "eth/transaction.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <variant>

namespace lottery::operation {
namespace {

using Clock = std::chrono::steady_clock;

// Blocks of fee history the price is taken from (as the operator does).
constexpr std::uint64_t kFeeHistoryBlocks = 10;

infra::Task<void> sleep_for(std::chrono::milliseconds duration) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, duration);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

std::string seconds_text(std::chrono::milliseconds duration) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(duration).count()) + " s";
}

// The node's explanation of a revert: the decoded reason when it sent revert data.
std::string revert_text(const rpc::RpcError& error) {
  if (auto data = error.revert_data()) return eth::describe_revert(*data);
  return error.message.empty() ? std::string("reverted") : error.message;
}

bool is_unreachable(rpc::RpcErrc kind) {
  return rpc::is_endpoint_fault(kind);
}

}  // namespace

std::string_view to_string(SendErrc kind) noexcept {
  switch (kind) {
    case SendErrc::kWrongChain:
      return "wrong_chain";
    case SendErrc::kReverted:
      return "reverted";
    case SendErrc::kInsufficientFunds:
      return "insufficient_funds";
    case SendErrc::kFeeTooHigh:
      return "fee_too_high";
    case SendErrc::kUnreachable:
      return "unreachable";
    case SendErrc::kRejected:
      return "rejected";
    case SendErrc::kFailedOnChain:
      return "failed_on_chain";
    case SendErrc::kTimeout:
      return "timeout";
  }
  return "unknown";
}

std::string format_ether(const eth::U256& wei) {
  static const eth::U256 kWeiPerEther{1'000'000'000'000'000'000ULL};
  static const eth::U256 kWeiPerMicroEther{1'000'000'000'000ULL};
  const eth::U256 whole = wei / kWeiPerEther;
  std::string fraction = eth::u256_to_dec((wei % kWeiPerEther) / kWeiPerMicroEther);  // 0..999999
  fraction.insert(0, 6 - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  std::string out = eth::u256_to_dec(whole);
  if (!fraction.empty()) out += "." + fraction;
  return out + " ETH";
}

SendError send_error_from_rpc(std::string_view what, const rpc::RpcError& error) {
  const std::string prefix(what);
  if (is_unreachable(error.kind)) {
    return SendError(SendErrc::kUnreachable,
                     prefix + ": the node did not answer (" + error.describe() +
                         "): check the RPC URL and that the node is running");
  }
  switch (error.kind) {
    case rpc::RpcErrc::kInsufficientFunds:
      return SendError(SendErrc::kInsufficientFunds,
                       prefix + ": the account cannot pay for it (node: " + error.message +
                           "): fund the account and retry");
    case rpc::RpcErrc::kExecutionReverted:
      return SendError(SendErrc::kReverted, prefix + " would fail: " + revert_text(error));
    default:
      return SendError(SendErrc::kRejected, prefix + ": the node refused it: " + error.describe());
  }
}

TxnSender::TxnSender(Node& node, eth::PrivateKey key, SendOptions options)
    : node_(node), key_(std::move(key)), address_(key_.address()), options_(std::move(options)) {
  if (options_.confirmations == 0) options_.confirmations = 1;
  if (options_.poll_interval <= std::chrono::milliseconds::zero())
    options_.poll_interval = std::chrono::milliseconds(1);
}

void TxnSender::progress(const std::string& line) const {
  if (options_.progress) options_.progress(line);
}

infra::Task<std::uint64_t> TxnSender::chain_id() {
  if (!chain_id_) {
    try {
      chain_id_ = co_await node_.chain_id();
    } catch (const rpc::RpcException& e) {
      throw send_error_from_rpc("reading the chain id", e.error());
    }
  }
  if (options_.expected_chain_id && *options_.expected_chain_id != *chain_id_) {
    throw SendError(SendErrc::kWrongChain, "the node is on chain " + std::to_string(*chain_id_) +
                                               ", not on chain " +
                                               std::to_string(*options_.expected_chain_id) +
                                               " as expected: check the RPC URL and the chain id");
  }
  co_return *chain_id_;
}

infra::Task<std::uint64_t> TxnSender::simulate(TxnRequest request) {
  rpc::CallRequest call;
  call.from = address_;
  call.to = request.to;
  call.data = request.data;
  if (request.value != 0) call.value = request.value;
  try {
    co_return co_await node_.estimate_gas(call);
  } catch (const rpc::RpcException& e) {
    throw send_error_from_rpc(request.label, e.error());
  }
}

infra::Task<SendResult> TxnSender::send(TxnRequest request) {
  const std::uint64_t chain = co_await chain_id();
  const std::uint64_t estimate = co_await simulate(request);
  const std::uint64_t gas_limit = gas_limit_from_estimate(estimate, options_.gas_multiplier);

  FeeQuote quote;
  try {
    const rpc::FeeHistory history = co_await node_.fee_history(
        kFeeHistoryBlocks, std::vector<double>(1, options_.fees.reward_percentile));
    if (has_base_fee(history)) {
      quote = fees_from_history(history, options_.fees);
    } else {
      quote = legacy_fees(co_await node_.gas_price(), options_.fees);
    }
  } catch (const rpc::RpcException& e) {
    throw send_error_from_rpc(request.label + " (reading fees)", e.error());
  }
  if (const auto* refusal = std::get_if<FeeRefusal>(&quote)) {
    throw SendError(SendErrc::kFeeTooHigh, request.label + ": " + refusal->message);
  }
  const Fees fees = std::get<Fees>(quote);

  eth::U256 balance;
  try {
    balance = co_await node_.balance(address_);
  } catch (const rpc::RpcException& e) {
    throw send_error_from_rpc(request.label + " (reading the balance)", e.error());
  }
  const eth::U256 cost = max_cost(gas_limit, fees) + request.value;
  if (balance < cost) {
    throw SendError(SendErrc::kInsufficientFunds,
                    request.label + ": account " + eth::to_checksum(address_) + " holds " +
                        format_ether(balance) + " but needs up to " + format_ether(cost) +
                        " (value + gas limit × max fee): fund the account and retry");
  }

  eth::Transaction txn;
  txn.type = fees.legacy ? eth::TxType::kLegacy : eth::TxType::kDynamicFee;
  txn.chain_id = chain;
  txn.gas_price = fees.gas_price;
  txn.max_fee_per_gas = fees.max_fee;
  txn.max_priority_fee_per_gas = fees.priority_fee;
  txn.gas_limit = gas_limit;
  txn.to = request.to;
  txn.value = request.value;
  txn.data = request.data;

  eth::Hash32 hash{};
  for (int attempt = 0;; ++attempt) {
    try {
      txn.nonce = co_await node_.pending_nonce(address_);
    } catch (const rpc::RpcException& e) {
      throw send_error_from_rpc(request.label + " (reading the nonce)", e.error());
    }
    auto signed_txn = eth::sign_transaction(txn, key_);
    if (!signed_txn) {
      throw SendError(SendErrc::kRejected,
                      request.label + ": signing failed: " + signed_txn.error().message());
    }
    hash = eth::transaction_hash(*signed_txn);
    try {
      co_await node_.send_raw_transaction(eth::encode_transaction(*signed_txn));
    } catch (const rpc::RpcException& e) {
      const rpc::RpcErrc kind = e.kind();
      if (kind == rpc::RpcErrc::kNonceTooLow && attempt == 0) {
        // Another sender used this account's nonce between our read and our send.
        progress(request.label + ": nonce " + std::to_string(txn.nonce) +
                 " was taken meanwhile; signing again with a fresh nonce");
        continue;
      }
      if (kind == rpc::RpcErrc::kAlreadyKnown) {
        // A retried request reached a node that already had it: it is sent.
      } else if (is_unreachable(kind)) {
        // The request may have reached the node before the failure: look for it.
        progress(request.label + ": sending may have failed (" + e.error().describe() +
                 "); waiting for transaction " + eth::hex_encode(hash) + " anyway");
      } else {
        throw send_error_from_rpc(request.label, e.error());
      }
    }
    break;
  }
  progress(request.label + ": sent transaction " + eth::hex_encode(hash) + " (nonce " +
           std::to_string(txn.nonce) + ", gas limit " + std::to_string(gas_limit) + ", max fee " +
           format_gwei(fees.max_fee) + ")");
  SendResult result;
  result.txn_hash = hash;
  result.receipt = co_await wait_confirmed(request, hash);
  co_return result;
}

infra::Task<rpc::Receipt> TxnSender::wait_confirmed(const TxnRequest& request,
                                                    const eth::Hash32& hash) {
  const auto deadline = Clock::now() + options_.timeout;
  const std::uint64_t needed = options_.confirmations;
  std::optional<eth::Hash32> reported_block;  // the block last announced as "mined in"
  bool reported_unreachable = false;
  std::uint64_t confirmed = 0;  // blocks seen so far, the mining block included

  for (;;) {
    if (Clock::now() > deadline) {
      throw SendError(SendErrc::kTimeout,
                      request.label + ": transaction " + eth::hex_encode(hash) +
                          " was not mined and confirmed within " + seconds_text(options_.timeout) +
                          "; it may still be pending: check it on the node before sending again");
    }
    try {
      const std::optional<rpc::Receipt> receipt = co_await node_.receipt(hash);
      if (receipt) {
        if (!reported_block || *reported_block != receipt->block_hash) {
          reported_block = receipt->block_hash;
          confirmed = 1;
          progress(request.label + ": mined in block " + std::to_string(receipt->block_number) +
                   " (gas used " + std::to_string(receipt->gas_used) + ")");
        }
        if (!receipt->status) {
          throw SendError(SendErrc::kFailedOnChain,
                          request.label + ": transaction " + eth::hex_encode(hash) +
                              " was mined in block " + std::to_string(receipt->block_number) +
                              " but failed (status 0); nothing changed on chain");
        }
        // Count the blocks on top, then make sure the mining block is still canonical.
        while (confirmed < needed) {
          const auto next = co_await node_.block_hash(receipt->block_number + confirmed);
          if (!next) break;
          ++confirmed;
          progress(request.label + ": " + std::to_string(confirmed) + "/" + std::to_string(needed) +
                   " confirmations");
        }
        if (confirmed >= needed) {
          const auto canonical = co_await node_.block_hash(receipt->block_number);
          if (canonical && *canonical == receipt->block_hash) co_return *receipt;
          progress(request.label + ": block " + std::to_string(receipt->block_number) +
                   " was replaced by a reorg; waiting for the transaction again");
          reported_block.reset();
          confirmed = 0;
        }
      }
    } catch (const rpc::RpcException& e) {
      if (!is_unreachable(e.kind())) throw send_error_from_rpc(request.label, e.error());
      // A passing outage: keep polling until the deadline, saying so once.
      if (!reported_unreachable) {
        reported_unreachable = true;
        progress(request.label + ": the node did not answer (" + e.error().describe() +
                 "); still waiting");
      }
    }
    co_await sleep_for(options_.poll_interval);
  }
}

}  // namespace lottery::operation
