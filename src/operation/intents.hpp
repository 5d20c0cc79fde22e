// SPDX-License-Identifier: Apache-2.0
#pragma once

// The operator's intents (SPEC §4): a round action is recorded before anything is signed, so that
// a later head never sends a duplicate while one is in flight, and a landed action is remembered
// (and watched for reorgs) so that it is not sent again either.

#include "eth/bytes.hpp"
#include "operation/decision.hpp"
#include "operation/fees.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace lottery::operation {

/// Where an intent is in its life:
///
///   kPending ──receipt status 1──> kMined ──reorg removed it──> kPending (same nonce,
///   re-evaluated)
///      │ ├──receipt status 0──> kReverted
///      │ └──cancel landed────> kCancelled
///      └──rejected / superseded──> kAbandoned
enum class IntentState : std::uint8_t { kPending, kMined, kReverted, kCancelled, kAbandoned };

/// "pending", "mined", "reverted", "cancelled", "abandoned".
std::string_view intent_state_name(IntentState state) noexcept;

/// One signed transaction sent (or attempted) for an intent.
struct Attempt {
  eth::Hash32 hash{};
  Fees fees;
  std::uint64_t sent_at_block = 0;  ///< the head number when it was sent
  bool cancel = false;              ///< a 0-value self-transfer that frees the nonce
};

struct Intent {
  std::uint64_t id = 0;  ///< increases by one per intent
  std::uint64_t round_id = 0;
  Action action = Action::kNone;
  std::uint64_t stage = 0;  ///< `Decision::stage` (refund progress for kContinueRefund)
  std::uint64_t nonce = 0;
  std::uint64_t gas_limit = 0;
  /// Every transaction sent for this intent, oldest first; all share `nonce`, so at most one of
  /// them can ever land.
  std::vector<Attempt> attempts;
  /// The fees the next replacement must beat by 12.5%: those of the newest attempt, or of a
  /// replacement the node refused as underpriced.
  std::optional<Fees> last_fees;
  /// Head number of the latest send (or of the reorg that reopened the intent).
  std::uint64_t last_send_block = 0;
  IntentState state = IntentState::kPending;
  /// Re-evaluate (and re-send) at the next head without waiting `replace_after_blocks`; set when
  /// a reorg removed the mined transaction.
  bool resend_now = false;
  /// Set when mined.
  eth::Hash32 mined_hash{};
  std::uint64_t mined_block = 0;
  eth::Hash32 mined_block_hash{};

  /// The newest attempt's hash, if any was made.
  std::optional<eth::Hash32> newest_hash() const;
  /// True when `hash` is one of the attempts.
  bool owns(const eth::Hash32& hash) const;
};

/// The intent in flight plus the recently mined ones. Not thread-safe (the operator's strand).
class IntentBook {
 public:
  /// Mined intents are watched for reorgs for `watch_blocks` blocks after the block they landed in.
  explicit IntentBook(std::uint64_t watch_blocks = 64) : watch_blocks_(watch_blocks) {}

  /// The intent in flight, if any (at most one at a time).
  Intent* pending() noexcept { return pending_ ? &*pending_ : nullptr; }
  const Intent* pending() const noexcept { return pending_ ? &*pending_ : nullptr; }

  /// True when (round_id, action) must not be sent now: an intent for it is pending, or one for
  /// the same `stage` landed and has not been removed by a reorg. (A landed continueRefund covers
  /// only the batch it paid: once the follower sees the progress move, the next batch is new.)
  bool covers(std::uint64_t round_id, Action action, std::uint64_t stage = 0) const noexcept;

  /// Records a new intent (before signing). Precondition: `pending() == nullptr`.
  Intent& open(std::uint64_t round_id, Action action, std::uint64_t nonce, std::uint64_t gas_limit,
               std::uint64_t head, std::uint64_t stage = 0);

  /// The pending intent ended with the given state (kMined needs the mined fields set first;
  /// kMined intents move to the watch list, the others are dropped).
  void close(IntentState state);

  /// Mined intents still inside the watch window at `head` (older ones are dropped).
  std::vector<Intent*> watched(std::uint64_t head);

  /// A reorg removed the mined intent `id`: it becomes the pending one again (same nonce and
  /// attempts), sent "at" `head`. Precondition: no intent is pending.
  Intent& reopen(std::uint64_t id, std::uint64_t head);

  std::uint64_t opened() const noexcept { return next_id_ - 1; }

 private:
  std::uint64_t watch_blocks_;
  std::uint64_t next_id_ = 1;
  std::optional<Intent> pending_;
  std::vector<Intent> mined_;
};

}  // namespace lottery::operation
