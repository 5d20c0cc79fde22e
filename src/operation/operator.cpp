// SPDX-License-Identifier: Apache-2.0
#include "operation/operator.hpp"

#include "eth/abi_revert.hpp"
#include "eth/hex.hpp"
#include "logging/log.hpp"
#include "rpc/error.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <utility>

namespace lottery::operation {

namespace {

constexpr std::string_view kComponent = "operator";
/// Gas of a plain value transfer: what a cancel (0-value self-transfer) needs.
constexpr std::uint64_t kTransferGas = 21'000;

using WakeChannel = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;

std::string hex(const eth::Hash32& hash) {
  return eth::hex_encode(hash);
}

/// The node's explanation of a failed simulation: the decoded revert reason when it sent revert
/// data, else its message.
std::string revert_text(const rpc::RpcError& error) {
  if (auto data = error.revert_data()) return eth::describe_revert(*data);
  return error.message.empty() ? std::string(rpc::to_string(error.kind)) : error.message;
}

bool is_ambiguous(rpc::RpcErrc kind) {
  // The request may have reached a node before the failure: the transaction might be in a pool.
  return rpc::is_retriable(kind) || kind == rpc::RpcErrc::kMalformedResponse ||
         kind == rpc::RpcErrc::kResponseTooLarge;
}

}  // namespace

Operator::Operator(std::shared_ptr<Node> node, store::Store& store, OperatorOptions options)
    : node_(std::move(node)),
      store_(store),
      options_(std::move(options)),
      enabled_(options_.enabled),
      book_(options_.reorg_watch_blocks) {
  if (options_.replace_after_blocks == 0) options_.replace_after_blocks = 1;
  if (options_.balance_check_blocks == 0) options_.balance_check_blocks = 1;
  status_.status = enabled_ ? store::OperatorRunState::kNoKey : store::OperatorRunState::kStopped;
  publish();
}

Operator::~Operator() = default;

// ---------------------------------------------------------------- thread-safe controls

void Operator::set_signer(eth::PrivateKey key) {
  const eth::Address address = key.address();
  auto shared = std::make_shared<const eth::PrivateKey>(std::move(key));
  {
    std::lock_guard lock(mutex_);
    signer_ = std::move(shared);
    signer_address_ = address;
    status_.address = address;
    status_.status = run_state_locked();
  }
  logging::log_info(kComponent, "operator key installed", {{"address", eth::to_checksum(address)}});
  publish();
}

void Operator::clear_signer() {
  {
    std::lock_guard lock(mutex_);
    signer_.reset();
    signer_address_.reset();
    status_.address.reset();
    status_.pending_tx.reset();
    status_.status = run_state_locked();
  }
  logging::log_warn(kComponent, "operator key removed; read-only");
  publish();
}

std::optional<eth::Address> Operator::address() const {
  std::lock_guard lock(mutex_);
  return signer_address_;
}

void Operator::set_enabled(bool enabled) {
  {
    std::lock_guard lock(mutex_);
    enabled_ = enabled;
    if (!enabled) status_.pending_tx.reset();
    status_.status = run_state_locked();
  }
  logging::log_info(kComponent, enabled ? "operator enabled" : "operator disabled");
  publish();
}

void Operator::set_send_gate(SendGate gate) {
  std::lock_guard lock(mutex_);
  gate_ = std::move(gate);
}

void Operator::set_send_fence(SendFence fence) {
  std::lock_guard lock(mutex_);
  fence_ = std::move(fence);
}

store::OperatorRunState Operator::run_state_locked() const {
  if (!enabled_) return store::OperatorRunState::kStopped;
  if (!signer_) return store::OperatorRunState::kNoKey;
  return standby_ ? store::OperatorRunState::kStandby : store::OperatorRunState::kRunning;
}

store::OperatorStatus Operator::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

OperatorStats Operator::stats() const {
  std::lock_guard lock(mutex_);
  OperatorStats out = stats_;
  out.nonce_syncs = nonces_.syncs();
  return out;
}

std::optional<Intent> Operator::pending_intent() const {
  const Intent* intent = book_.pending();
  if (intent == nullptr) return std::nullopt;
  return *intent;
}

void Operator::update_status(const std::function<void(store::OperatorStatus&)>& change) {
  std::lock_guard lock(mutex_);
  change(status_);
}

void Operator::publish() {
  std::lock_guard publish_lock(publish_mutex_);
  const store::OperatorStatus current = status();
  if (published_ && *published_ == current) return;
  store::Batch batch;
  batch.set_operator_status(current);
  store_.commit(std::move(batch));
  published_ = current;
}

// ---------------------------------------------------------------- head loop

void Operator::submit_head(HeadView head) {
  std::shared_ptr<WakeChannel> wake;
  {
    std::lock_guard lock(mutex_);
    next_head_ = std::move(head);
    wake = wake_.lock();
  }
  // A full channel means the loop is already due to wake up and will read the newest head.
  if (wake) wake->try_send(boost::system::error_code{});
}

infra::Task<void> Operator::run() {
  auto executor = co_await boost::asio::this_coro::executor;
  auto wake = std::make_shared<WakeChannel>(executor, 1);
  {
    std::lock_guard lock(mutex_);
    wake_ = wake;
  }
  for (;;) {
    std::optional<HeadView> head;
    {
      std::lock_guard lock(mutex_);
      head = std::exchange(next_head_, std::nullopt);
    }
    if (head) {
      co_await on_head(std::move(*head));
      continue;
    }
    boost::system::error_code ec;
    co_await wake->async_receive(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (ec) break;
  }
}

infra::Task<void> Operator::on_head(HeadView head) {
  try {
    co_await step(head);
  } catch (const rpc::RpcException& e) {
    {
      std::lock_guard lock(mutex_);
      ++stats_.failures;
    }
    logging::log_warn(kComponent, "head processing failed; retrying at the next head",
                      {{"block", head.block_number}, {"error", e.error().describe()}});
  } catch (const boost::system::system_error& e) {
    if (e.code() == boost::asio::error::operation_aborted) throw;
    {
      std::lock_guard lock(mutex_);
      ++stats_.failures;
    }
    logging::log_warn(kComponent, "head processing failed; retrying at the next head",
                      {{"block", head.block_number}, {"error", e.what()}});
  } catch (const std::exception& e) {
    {
      std::lock_guard lock(mutex_);
      ++stats_.failures;
    }
    logging::log_warn(kComponent, "head processing failed; retrying at the next head",
                      {{"block", head.block_number}, {"error", e.what()}});
  }
  // Also after a failure: whatever was sent before it is in flight.
  const Intent* pending = book_.pending();
  update_status([&](store::OperatorStatus& s) {
    const bool active = s.status == store::OperatorRunState::kRunning ||
                        s.status == store::OperatorRunState::kStandby;
    s.pending_tx = active && pending != nullptr ? pending->newest_hash() : std::nullopt;
  });
  publish();
}

infra::Task<void> Operator::step(const HeadView& head) {
  std::shared_ptr<const eth::PrivateKey> key;
  bool enabled = false;
  SendGate gate;
  {
    std::lock_guard lock(mutex_);
    ++stats_.heads;
    key = signer_;
    enabled = enabled_;
    gate = gate_;
  }
  if (!key || !enabled) co_return;  // the control that caused it has set the status

  const eth::Address address = key->address();
  if (active_address_ != address) {
    // A new key (or the first one): nonces and any intent in flight belong to the old account.
    if (active_address_ && book_.pending() != nullptr) abandon("the operator key changed");
    nonces_.invalidate();
    active_address_ = address;
    balance_due_ = true;
  }

  gate_token_ = gate ? gate() : std::optional<std::uint64_t>{0};
  {
    // Re-read the controls under the lock: a concurrent set_enabled / clear_signer wins.
    std::lock_guard lock(mutex_);
    standby_ = !gate_token_;
    status_.status = run_state_locked();
  }

  co_await watch_reorgs(head);
  if (book_.pending() != nullptr) co_await follow_pending(head, *key);
  if (book_.pending() == nullptr) co_await evaluate(head, *key);

  if (++heads_since_balance_ >= options_.balance_check_blocks) balance_due_ = true;
  if (balance_due_) co_await check_balance(head);
}

// ---------------------------------------------------------------- reorgs

infra::Task<void> Operator::watch_reorgs(const HeadView& head) {
  for (Intent* intent : book_.watched(head.block_number)) {
    if (intent->mined_block > head.block_number) continue;  // the node is ahead of this head
    const auto canonical = co_await node_->block_hash(intent->mined_block);
    if (canonical && *canonical == intent->mined_block_hash) continue;

    const std::uint64_t id = intent->id;
    const std::uint64_t round_id = intent->round_id;
    const std::string action(action_name(intent->action));
    const std::string txn_hex = hex(intent->mined_hash);
    logging::log_warn(kComponent,
                      "a reorg removed the block of our mined transaction; re-evaluating",
                      {{"round", round_id},
                       {"action", action},
                       {"txn", txn_hex},
                       {"block", intent->mined_block}});
    {
      std::lock_guard lock(mutex_);
      ++stats_.reorged;
    }
    // A later intent's nonce follows the removed transaction's: it cannot land before it.
    if (book_.pending() != nullptr) abandon("an earlier transaction was removed by a reorg");
    book_.reopen(id, head.block_number);
    nonces_.invalidate();
    // One reopened intent per head: the rest are looked at on the next head.
    break;
  }
}

// ---------------------------------------------------------------- the intent in flight

infra::Task<void> Operator::follow_pending(const HeadView& head, const eth::PrivateKey& key) {
  Intent& intent = *book_.pending();
  // Newest first: after a replacement the newest is the likeliest to have landed.
  for (auto it = intent.attempts.rbegin(); it != intent.attempts.rend(); ++it) {
    const auto receipt = co_await node_->receipt(it->hash);
    if (!receipt) continue;
    const bool cancel = it->cancel;
    intent.mined_hash = receipt->transaction_hash;
    intent.mined_block = receipt->block_number;
    intent.mined_block_hash = receipt->block_hash;
    nonces_.consumed(intent.nonce);
    balance_due_ = true;
    const std::string txn_hex = hex(receipt->transaction_hash);
    const logging::Fields fields = {
        {"round", intent.round_id},       {"action", action_name(intent.action)},
        {"nonce", intent.nonce},          {"txn", txn_hex},
        {"block", receipt->block_number}, {"gas_used", receipt->gas_used}};
    std::lock_guard lock(mutex_);
    if (cancel) {
      logging::log_info(kComponent, "cancel landed; the action will be re-evaluated", fields);
      book_.close(IntentState::kCancelled);
    } else if (receipt->status) {
      logging::log_info(kComponent, "transaction landed", fields);
      ++stats_.mined;
      if (intent.action == Action::kDrawWinner)
        draw_gas_limit_ = std::max(draw_gas_limit_, intent.gas_limit);
      book_.close(IntentState::kMined);
    } else {
      logging::log_warn(kComponent, "transaction reverted on chain (status 0); re-evaluating",
                        fields);
      ++stats_.reverted;
      ++chain_reverts_[{intent.round_id, intent.action}];
      book_.close(IntentState::kReverted);
    }
    co_return;
  }

  const bool due = intent.resend_now || intent.attempts.empty() ||
                   head.block_number >= intent.last_send_block + options_.replace_after_blocks;
  if (!due) co_return;
  co_await replace(head, key);
}

infra::Task<void> Operator::replace(const HeadView& head, const eth::PrivateKey& key) {
  if (!gate_token_) co_return;  // standby: only the leader sends
  Intent& intent = *book_.pending();

  // Re-evaluate against the state at this head: the action must still be due and still simulate.
  // (A continueRefund whose batch someone else paid meanwhile pays the next one: same call.)
  const Decision due = decide(head.round, head.pending_refunds, head.timestamp);
  bool still_due = due.action == intent.action && due.round_id == intent.round_id;
  std::uint64_t gas_limit = intent.gas_limit;
  if (still_due) still_due = co_await simulate(head, due, gas_limit);
  if (!still_due && intent.attempts.empty()) {
    abandon("the action is no longer due");
    co_return;
  }

  const FeeQuote market = co_await market_fees();
  const auto* current = std::get_if<Fees>(&market);
  Fees fees;
  if (intent.last_fees) {
    const std::optional<Fees> now =
        current != nullptr ? std::optional<Fees>(*current) : std::nullopt;
    const FeeQuote quote = replacement_fees(*intent.last_fees, now, options_.fees);
    if (const auto* refusal = std::get_if<FeeRefusal>(&quote)) {
      refused(*refusal, "cannot replace the stuck transaction: fee above the cap");
      co_return;
    }
    fees = std::get<Fees>(quote);
  } else if (current != nullptr) {
    fees = *current;
  } else {
    refused(std::get<FeeRefusal>(market), "fee above the cap; not sending");
    co_return;
  }

  if (still_due) intent.gas_limit = gas_limit;
  const bool cancel = !still_due;
  if (cancel) {
    logging::log_warn(kComponent,
                      "action no longer due; cancelling the stuck transaction with the same nonce",
                      {{"round", intent.round_id},
                       {"action", action_name(intent.action)},
                       {"nonce", intent.nonce}});
  }
  const bool replacing = !intent.attempts.empty();
  const SendResult result = co_await send_attempt(head, intent, key, fees, cancel);
  if (result == SendResult::kSent) {
    std::lock_guard lock(mutex_);
    if (cancel) {
      ++stats_.cancels;
    } else if (replacing) {
      ++stats_.replacements;
    }
    co_return;
  }
  if (result == SendResult::kNonceTooLow || result == SendResult::kNonceTooHigh) {
    // The nonce was consumed: by one of our attempts (its receipt will show up), or by a
    // transaction of someone else holding the key. Look once more, else give the intent up.
    for (const auto& attempt : intent.attempts) {
      if (co_await node_->receipt(attempt.hash)) co_return;  // handled at the next head
    }
    abandon(result == SendResult::kNonceTooLow ? "its nonce was used by another transaction"
                                               : "the node reports a nonce gap");
    nonces_.invalidate();
  }
}

// ---------------------------------------------------------------- new intents

infra::Task<void> Operator::evaluate(const HeadView& head, const eth::PrivateKey& key) {
  const Decision decision = decide(head.round, head.pending_refunds, head.timestamp);
  const Action action = decision.action;
  if (action == Action::kNone) {
    last_simulation_failure_.clear();
    co_return;
  }
  // Already landed or in flight.
  if (book_.covers(decision.round_id, action, decision.stage)) co_return;
  // Forget the counts of rounds that are over: older than the current one and not refunding.
  std::erase_if(chain_reverts_, [&](const auto& entry) {
    const std::uint64_t round_id = entry.first.first;
    return round_id < head.round.round_id &&
           std::none_of(head.pending_refunds.begin(), head.pending_refunds.end(),
                        [&](const store::RefundProgress& p) { return p.round_id == round_id; });
  });
  if (const auto it = chain_reverts_.find({decision.round_id, action});
      it != chain_reverts_.end() && it->second >= options_.max_chain_reverts) {
    // Simulations pass but the chain keeps reverting (e.g. a gas estimate that is too low): stop
    // paying for it; an operator has to look.
    if (it->second == options_.max_chain_reverts) {
      logging::log_error(
          kComponent, "action reverted on chain repeatedly; not sending it again for this round",
          {{"round", decision.round_id}, {"action", action_name(action)}, {"reverts", it->second}});
      ++it->second;  // logged once
    }
    co_return;
  }
  if (!gate_token_) co_return;

  std::uint64_t gas_limit = 0;
  if (!co_await simulate(head, decision, gas_limit)) co_return;
  const std::optional<Fees> fees = co_await quote_fees();
  if (!fees) co_return;
  const eth::Address address = key.address();
  std::uint64_t nonce = co_await nonces_.acquire(*node_, address);

  Intent& intent =
      book_.open(decision.round_id, action, nonce, gas_limit, head.block_number, decision.stage);
  {
    std::lock_guard lock(mutex_);
    ++stats_.intents;
  }
  logging::log_info(kComponent, "intent recorded",
                    {{"intent", intent.id},
                     {"round", intent.round_id},
                     {"action", action_name(action)},
                     {"stage", decision.stage},
                     {"nonce", nonce},
                     {"chain_time", head.timestamp},
                     {"block", head.block_number}});

  SendResult result = co_await send_attempt(head, intent, key, *fees, false);
  if (result == SendResult::kNonceTooLow || result == SendResult::kNonceTooHigh) {
    nonce = co_await nonces_.resync(*node_, address);
    logging::log_info(kComponent, "nonce re-synced from the node", {{"nonce", nonce}});
    intent.nonce = nonce;
    result = co_await send_attempt(head, intent, key, *fees, false);
    if (result != SendResult::kSent) nonces_.invalidate();
  }
  if (intent.attempts.empty()) {
    abandon(result == SendResult::kFenced ? "the leader lease was lost before sending"
                                          : "the node refused the transaction");
  }
}

infra::Task<bool> Operator::simulate(const HeadView& head, const Decision& decision,
                                     std::uint64_t& gas_limit) {
  const Action action = decision.action;
  rpc::CallRequest request;
  request.from = active_address_;
  request.to = options_.contract_address;
  request.data = action_call_data(action, decision.round_id);
  try {
    co_await node_->call(request);
    const std::uint64_t estimate = co_await node_->estimate_gas(request);
    gas_limit = gas_limit_from_estimate(estimate, options_.gas_multiplier);
    if (action == Action::kDrawWinner) draw_gas_limit_ = gas_limit;
    co_return true;
  } catch (const rpc::RpcException& e) {
    if (e.kind() != rpc::RpcErrc::kExecutionReverted) throw;
    const std::string reason = revert_text(e.error());
    const std::string memo =
        std::to_string(decision.round_id) + "/" + std::string(action_name(action)) + "/" + reason;
    {
      std::lock_guard lock(mutex_);
      ++stats_.simulation_reverts;
    }
    const logging::Fields fields = {{"round", decision.round_id},
                                    {"action", action_name(action)},
                                    {"block", head.block_number},
                                    {"chain_time", head.timestamp},
                                    {"reason", reason}};
    // The same verdict is repeated on every head until the state changes: warn once.
    if (memo != last_simulation_failure_) {
      logging::log_warn(kComponent, "simulation reverted; not sending", fields);
      last_simulation_failure_ = memo;
    } else {
      logging::log_debug(kComponent, "simulation reverted; not sending", fields);
    }
    co_return false;
  }
}

infra::Task<FeeQuote> Operator::market_fees() {
  std::vector<double> percentiles(1, options_.fees.reward_percentile);
  const rpc::FeeHistory history =
      co_await node_->fee_history(options_.fee_history_blocks, std::move(percentiles));
  FeeQuote quote;
  if (has_base_fee(history)) {
    quote = fees_from_history(history, options_.fees);
  } else {
    quote = legacy_fees(co_await node_->gas_price(), options_.fees);
  }
  if (const auto* fees = std::get_if<Fees>(&quote)) last_quote_ = *fees;
  co_return quote;
}

void Operator::refused(const FeeRefusal& refusal, std::string_view what) {
  {
    std::lock_guard lock(mutex_);
    ++stats_.fee_refusals;
  }
  logging::log_warn(kComponent, what, {{"reason", refusal.message}});
}

infra::Task<std::optional<Fees>> Operator::quote_fees() {
  const FeeQuote quote = co_await market_fees();
  if (const auto* refusal = std::get_if<FeeRefusal>(&quote)) {
    refused(*refusal, "fee above the cap; not sending");
    co_return std::nullopt;
  }
  co_return std::get<Fees>(quote);
}

// ---------------------------------------------------------------- signing and sending

infra::Task<Operator::SendResult> Operator::send_attempt(const HeadView& head, Intent& intent,
                                                         const eth::PrivateKey& key,
                                                         const Fees& fees, bool cancel) {
  eth::Transaction txn;
  txn.type = fees.legacy ? eth::TxType::kLegacy : eth::TxType::kDynamicFee;
  txn.chain_id = co_await chain_id();
  txn.nonce = intent.nonce;
  if (fees.legacy) {
    txn.gas_price = fees.gas_price;
  } else {
    txn.max_fee_per_gas = fees.max_fee;
    txn.max_priority_fee_per_gas = fees.priority_fee;
  }
  if (cancel) {
    txn.to = key.address();
    txn.gas_limit = kTransferGas;
  } else {
    txn.to = options_.contract_address;
    txn.data = action_call_data(intent.action, intent.round_id);
    txn.gas_limit = intent.gas_limit;
  }
  auto signed_txn = eth::sign_transaction(txn, key);
  if (!signed_txn)
    throw std::runtime_error("signing the operator transaction failed: " +
                             signed_txn.error().message());
  const eth::Hash32 hash = eth::transaction_hash(*signed_txn);
  // The bump base of the next replacement, also when the node refuses this one as underpriced.
  intent.last_fees = fees;

  const std::string txn_hex = hex(hash);
  const std::string max_fee_text = format_gwei(fees.max_fee);
  const std::string priority_text = format_gwei(fees.priority_fee);
  const logging::Fields fields = {
      {"round", intent.round_id},
      {"action", cancel ? std::string_view("cancel") : action_name(intent.action)},
      {"nonce", intent.nonce},
      {"txn", txn_hex},
      {"gas_limit", txn.gas_limit},
      {"max_fee", max_fee_text},
      {"priority_fee", priority_text},
      {"legacy", fees.legacy},
      {"attempt", intent.attempts.size() + 1},
      {"fencing_token", gate_token_.value_or(0)}};
  const std::string_view what = intent.attempts.empty() ? "transaction sent"
                                : intent.resend_now     ? "re-sent after a reorg removed it"
                                : cancel                ? "cancel sent"
                                                        : "replacement sent";
  // A leader may have been deposed since this head began (lease expired, Redis moved on): the
  // token is checked once more right before the send, so a stale leader never sends.
  if (!co_await still_leader()) {
    logging::log_warn(kComponent, "the leader lease was lost before sending; not sending", fields);
    co_return SendResult::kFenced;
  }
  bool accepted = true;
  try {
    co_await node_->send_raw_transaction(eth::encode_transaction(*signed_txn));
  } catch (const rpc::RpcException& e) {
    const rpc::RpcErrc kind = e.kind();
    const std::string error = e.error().describe();
    {
      std::lock_guard lock(mutex_);
      ++stats_.send_errors;
    }
    if (kind == rpc::RpcErrc::kAlreadyKnown) {
      // A retried send reached a node that already had it: it is in the pool.
      logging::log_info(kComponent, "node already knows the transaction", fields);
    } else if (is_ambiguous(kind)) {
      logging::log_warn(kComponent, "send outcome unknown; following the transaction as if sent",
                        fields);
    } else {
      accepted = false;
      const logging::Fields error_fields = {
          {"round", intent.round_id}, {"nonce", intent.nonce}, {"txn", txn_hex}, {"error", error}};
      switch (kind) {
        case rpc::RpcErrc::kNonceTooLow:
          logging::log_warn(kComponent, "nonce too low", error_fields);
          co_return SendResult::kNonceTooLow;
        case rpc::RpcErrc::kNonceTooHigh:
          logging::log_warn(kComponent, "nonce too high", error_fields);
          co_return SendResult::kNonceTooHigh;
        case rpc::RpcErrc::kInsufficientFunds:
          update_status([](store::OperatorStatus& s) { s.low_balance = true; });
          logging::log_error(kComponent,
                             "the operator account cannot pay for the transaction; fund it",
                             error_fields);
          break;
        case rpc::RpcErrc::kExecutionReverted:
          logging::log_warn(
              kComponent,
              "node refused the transaction: it would revert: " + revert_text(e.error()),
              error_fields);
          break;
        default:
          logging::log_warn(kComponent, "node refused the transaction", error_fields);
          break;
      }
    }
  }
  if (!accepted) co_return SendResult::kRejected;

  intent.attempts.push_back(Attempt{hash, fees, head.block_number, cancel});
  intent.last_send_block = head.block_number;
  intent.resend_now = false;
  nonces_.consumed(intent.nonce);
  {
    std::lock_guard lock(mutex_);
    ++stats_.sent;
  }
  logging::log_info(kComponent, what, fields);
  co_return SendResult::kSent;
}

infra::Task<bool> Operator::still_leader() {
  SendGate gate;
  SendFence fence;
  {
    std::lock_guard lock(mutex_);
    gate = gate_;
    fence = fence_;
  }
  const std::optional<std::uint64_t> now = gate ? gate() : std::optional<std::uint64_t>{0};
  if (!now || now != gate_token_) co_return false;
  if (!fence) co_return true;
  bool ok = false;
  try {
    ok = co_await fence(*now);
  } catch (const std::exception& e) {
    logging::log_warn(kComponent, "the pre-send lease check failed", {{"error", e.what()}});
  }
  co_return ok;
}

void Operator::abandon(const std::string& why) {
  const Intent* intent = book_.pending();
  if (intent == nullptr) return;
  logging::log_warn(kComponent, "intent abandoned: " + why,
                    {{"intent", intent->id},
                     {"round", intent->round_id},
                     {"action", action_name(intent->action)},
                     {"nonce", intent->nonce}});
  {
    std::lock_guard lock(mutex_);
    ++stats_.abandoned;
  }
  book_.close(IntentState::kAbandoned);
}

infra::Task<std::uint64_t> Operator::chain_id() {
  if (!chain_id_) chain_id_ = options_.chain_id ? *options_.chain_id : co_await node_->chain_id();
  co_return *chain_id_;
}

// ---------------------------------------------------------------- balance

infra::Task<void> Operator::check_balance(const HeadView& head) {
  if (!active_address_) co_return;
  const eth::U256 balance = co_await node_->balance(*active_address_);
  balance_due_ = false;
  heads_since_balance_ = 0;

  // A draw's worst-case cost at the latest fee quote (asked for now if there was none yet).
  if (!last_quote_) co_await market_fees();
  eth::U256 fee_per_gas = options_.fees.min_priority_fee_wei;
  if (last_quote_) {
    fee_per_gas = last_quote_->legacy ? last_quote_->gas_price : last_quote_->max_fee;
  } else if (head.base_fee) {
    fee_per_gas += *head.base_fee * 2;
  }
  const std::uint64_t gas = draw_gas_limit_ != 0 ? draw_gas_limit_ : options_.default_draw_gas;
  const eth::U256 threshold = eth::U256{options_.low_balance_draws} * gas * fee_per_gas;
  const bool low = options_.low_balance_draws != 0 && balance < threshold;

  bool was_low = false;
  update_status([&](store::OperatorStatus& s) {
    was_low = s.low_balance;
    s.balance_wei = balance;
    s.low_balance = low;
  });
  if (low && !was_low) {
    logging::log_warn(kComponent, "operator balance is low; fund the operator account",
                      {{"address", eth::to_checksum(*active_address_)},
                       {"balance_wei", eth::u256_to_dec(balance)},
                       {"needed_wei", eth::u256_to_dec(threshold)},
                       {"draws", options_.low_balance_draws}});
  }
}

}  // namespace lottery::operation
