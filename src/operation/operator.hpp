// SPDX-License-Identifier: Apache-2.0
#pragma once

// The operator (SPEC §4): on every new head it decides from chain time, the current round and the
// batched refunds still running, and sends drawWinner() / refundExpiredRound() exactly when the
// contract allows them, and continueRefund(roundId) after RefundsPending until the refund is done.
//
// Per head (`on_head`), on the operator's own coroutine (never the follower's):
//
//   status     no key → "no_key"; disabled → "stopped"; the send gate (leader lease, SPEC §10)
//              says no → "standby" (receipts are still followed, nothing is sent); else "running".
//   reorgs     every recently mined intent's block is checked against the canonical chain; when a
//              reorg removed it, the intent is pending again (same nonce) and re-evaluated now.
//   pending    the intent in flight: any of its transactions' receipts completes it (status 1:
//              mined; status 0: reverted; a cancel: cancelled). None mined after
//              `replace_after_blocks` heads: the action is re-decided and re-simulated, then the
//              transaction is replaced with the same nonce and fees +12.5% (or, when the action is
//              no longer due, cancelled by a 0-value self-transfer with the same nonce).
//   decide     no intent in flight: `decide(round, pending_refunds, t)`; an action already covered
//              by an intent is not sent again (a continueRefund: the same batch of the same round).
//              Simulate (eth_call + eth_estimateGas from the operator's address; a revert is logged
//              with its reason and nothing is sent), fees (eth_feeHistory, or eth_gasPrice without
//              a base fee; refused above the cap), nonce, then the intent is recorded, the
//              transaction signed and sent.
//   balance    every `balance_check_blocks` heads: below `low_balance_draws` × the cost of a draw
//              → warning and `low_balance` in the store's operator status.
//
// The key is never logged and never part of an error message.

#include "eth/address.hpp"
#include "eth/secp256k1.hpp"
#include "eth/transaction.hpp"
#include "infra/task.hpp"
#include "operation/decision.hpp"
#include "operation/fees.hpp"
#include "operation/intents.hpp"
#include "operation/node.hpp"
#include "operation/nonce.hpp"
#include "store/store.hpp"
#include "store/types.hpp"

#include <boost/asio/experimental/concurrent_channel.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lottery::operation {

/// What the operator needs to know about a new head. The app fills it from the follower's
/// `ChainView` (block number, hash, timestamp, round); `base_fee` is optional (only used to
/// estimate the cost of a draw before the first fee quote).
struct HeadView {
  std::uint64_t block_number = 0;
  eth::Hash32 block_hash{};
  std::uint64_t timestamp = 0;  ///< chain time: the only clock the operator decides with
  std::optional<eth::U256> base_fee;
  store::Round round;  ///< the current round as of this head
  /// Refunded rounds whose batched refund is not complete at this head (the follower's
  /// `ChainView::pending_refunds`): each needs `continueRefund(roundId)`.
  std::vector<store::RefundProgress> pending_refunds;
};

struct OperatorOptions {
  eth::Address contract_address{};         ///< BLOCKCHAIN_CONTRACT_ADDRESS
  std::optional<std::uint64_t> chain_id;   ///< BLOCKCHAIN_CHAIN_ID; asked from the node when absent
  double gas_multiplier = 1.2;             ///< BLOCKCHAIN_GAS_MULTIPLIER
  FeePolicy fees;                          ///< cap from BLOCKCHAIN_MAX_FEE_GWEI
  std::uint64_t replace_after_blocks = 3;  ///< OPERATOR_REPLACE_AFTER_BLOCKS (0 is treated as 1)
  std::uint32_t low_balance_draws = 5;     ///< warn below the cost of this many draws; 0 = never
  std::uint64_t balance_check_blocks =
      10;                                 ///< read the balance every N heads (and after a landing)
  std::uint64_t reorg_watch_blocks = 64;  ///< how long a mined intent is checked for reorgs
  std::uint64_t fee_history_blocks = 10;  ///< eth_feeHistory block count
  std::uint64_t default_draw_gas = 300'000;  ///< draw cost estimate before a real estimate exists
  /// After this many status-0 landings of one round action it is not sent again for that round
  /// (its simulation passes but the chain disagrees; sending again would only burn gas).
  std::uint32_t max_chain_reverts = 2;
  bool enabled = true;  ///< OPERATOR_ENABLED
};

/// Counters for metrics and tests (cumulative).
struct OperatorStats {
  std::uint64_t heads = 0;
  std::uint64_t intents = 0;       ///< intents recorded
  std::uint64_t sent = 0;          ///< transactions accepted by the node (replacements included)
  std::uint64_t replacements = 0;  ///< same-nonce replacements sent
  std::uint64_t cancels = 0;       ///< same-nonce cancels sent
  std::uint64_t mined = 0;         ///< intents that landed with status 1
  std::uint64_t reverted = 0;      ///< intents that landed with status 0
  std::uint64_t abandoned = 0;     ///< intents given up without landing
  std::uint64_t reorged = 0;       ///< mined intents a reorg removed
  std::uint64_t simulation_reverts = 0;  ///< actions not sent because the simulation reverted
  std::uint64_t fee_refusals = 0;        ///< sends refused because of the fee cap
  std::uint64_t send_errors = 0;         ///< eth_sendRawTransaction failures
  std::uint64_t nonce_syncs = 0;         ///< eth_getTransactionCount(pending) reads
  std::uint64_t failures = 0;  ///< heads whose processing failed (logged, retried next head)
};

/// The leader-lease hook (SPEC §10): returns a fencing token when this replica may send now,
/// nullopt when it must stay in standby. Called on the operator's coroutine before sends; must be
/// quick and must not throw. The default always allows (token 0).
using SendGate = std::function<std::optional<std::uint64_t>()>;

/// The pre-send fence (SPEC §10): awaited right before every eth_sendRawTransaction with the token
/// the gate gave at this head; true when this replica still holds that lease (e.g. read back from
/// Redis). May do I/O; a throw counts as false. Unset: only the gate is asked again.
using SendFence = std::function<infra::Task<bool>(std::uint64_t token)>;

class Operator {
 public:
  /// `store` must outlive the operator (it receives the operator status); `node` is the operator's
  /// view of the chain. Starts with status no_key (or stopped when disabled).
  Operator(std::shared_ptr<Node> node, store::Store& store, OperatorOptions options);
  ~Operator();
  Operator(const Operator&) = delete;
  Operator& operator=(const Operator&) = delete;

  /// Installs (or swaps) the signing key; any thread. The status flips to running on the spot.
  /// A swap to another address abandons the intent in flight at the next head (its nonce
  /// belongs to the old account).
  void set_signer(eth::PrivateKey key);
  /// Removes the key: read-only again (status no_key). Any thread.
  void clear_signer();
  /// The signer's address, if a key is installed. Any thread.
  std::optional<eth::Address> address() const;

  /// OPERATOR_ENABLED at run time: disabled means status "stopped" and no sends. Any thread.
  void set_enabled(bool enabled);
  /// Replaces the leader-lease hook (null restores always-allow). Any thread.
  void set_send_gate(SendGate gate);
  /// Replaces the pre-send fence (null: none). Any thread.
  void set_send_fence(SendFence fence);

  /// Hands a new head to `run()`; any thread, never blocks. Heads that arrive while one is being
  /// processed are coalesced: only the newest is processed next.
  void submit_head(HeadView head);

  /// Processes submitted heads one at a time until cancelled. Run it on its own strand (e.g. in
  /// the app's TaskGroup); a failure of one head is logged and the loop goes on.
  infra::Task<void> run();

  /// Processes one head now (what `run()` does per head). Never throws except cancellation:
  /// failures are logged and counted. Must not run concurrently with itself or `run()`.
  infra::Task<void> on_head(HeadView head);

  /// The status as last published to the store. Any thread.
  store::OperatorStatus status() const;
  OperatorStats stats() const;
  /// The intent in flight, if any (a copy, for tests and diagnostics). Not during `on_head`.
  std::optional<Intent> pending_intent() const;

 private:
  enum class SendResult : std::uint8_t { kSent, kRejected, kNonceTooLow, kNonceTooHigh, kFenced };

  infra::Task<void> step(const HeadView& head);
  infra::Task<void> watch_reorgs(const HeadView& head);
  infra::Task<void> follow_pending(const HeadView& head, const eth::PrivateKey& key);
  infra::Task<void> replace(const HeadView& head, const eth::PrivateKey& key);
  infra::Task<void> evaluate(const HeadView& head, const eth::PrivateKey& key);
  infra::Task<bool> simulate(const HeadView& head, const Decision& decision,
                             std::uint64_t& gas_limit);
  /// The market's fees now (eth_feeHistory, or eth_gasPrice without a base fee); remembered in
  /// `last_quote_` when not refused.
  infra::Task<FeeQuote> market_fees();
  /// `market_fees`, with a refusal logged and counted.
  infra::Task<std::optional<Fees>> quote_fees();
  void refused(const FeeRefusal& refusal, std::string_view what);
  infra::Task<SendResult> send_attempt(const HeadView& head, Intent& intent,
                                       const eth::PrivateKey& key, const Fees& fees, bool cancel);
  infra::Task<void> check_balance(const HeadView& head);
  /// Right before a send: the gate still gives this head's token and the fence agrees.
  infra::Task<bool> still_leader();
  infra::Task<std::uint64_t> chain_id();

  /// stopped > no_key > standby > running, from the controls. Caller holds `mutex_`.
  store::OperatorRunState run_state_locked() const;
  void abandon(const std::string& why);
  void publish();
  void update_status(const std::function<void(store::OperatorStatus&)>& change);

  std::shared_ptr<Node> node_;
  store::Store& store_;
  OperatorOptions options_;

  // Shared with other threads (setters, status readers): guarded by mutex_.
  mutable std::mutex mutex_;
  std::shared_ptr<const eth::PrivateKey> signer_;
  std::optional<eth::Address> signer_address_;
  bool enabled_;
  SendGate gate_;
  SendFence fence_;
  bool standby_ = false;  ///< the gate said no at the latest head
  store::OperatorStatus status_;
  OperatorStats stats_;
  std::optional<HeadView> next_head_;
  /// The wake-up channel of the running `run()` loop. Weak: the channel lives in the loop's
  /// coroutine frame, so it never outlives the io_context that runs the loop.
  std::weak_ptr<boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>>
      wake_;

  // Serialises store commits of the status so an older status never overwrites a newer one.
  std::mutex publish_mutex_;
  std::optional<store::OperatorStatus> published_;

  // Owned by the processing coroutine (run / on_head).
  std::optional<std::uint64_t> chain_id_;
  std::optional<eth::Address> active_address_;
  NonceManager nonces_;
  IntentBook book_;
  std::optional<std::uint64_t> gate_token_;
  std::optional<Fees> last_quote_;
  std::uint64_t draw_gas_limit_ = 0;
  std::uint64_t heads_since_balance_ = 0;
  bool balance_due_ = true;
  std::string last_simulation_failure_;
  std::map<std::pair<std::uint64_t, Action>, std::uint32_t>
      chain_reverts_;  ///< status-0 landings per action
};

}  // namespace lottery::operation
