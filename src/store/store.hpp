// SPDX-License-Identifier: Apache-2.0
#pragma once

// The in-memory state the REST API and the WebSocket feed serve.
//
// Shape (DESIGN "Runtime shape"):
// - One writer, the chain follower, builds a `Batch` per new head (views it
//   read, events it fetched, finality, a reorg rollback) and commits it. A
//   commit is atomic: readers see the state before or after it, never half.
// - Readers (HTTP handlers on any thread) call `snapshot()` and get an
//   immutable `Snapshot`. Publication is a shared_ptr swap under a tiny mutex
//   (held only to copy the pointer): std::atomic<std::shared_ptr> would work
//   too, but a mutex is portable across our compilers and clean under TSan.
// - Subscribers (WebSocket broadcaster, operator) get the list of changes of
//   each commit, each with its WebSocket message serialised once.
//
// Event-derived entries (history, feed, bets) carry their block number and
// are kept in chain order, so a reorg rollback pops them from the back.

#include "store/events.hpp"
#include "store/snapshot.hpp"
#include "store/types.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <variant>
#include <vector>

namespace lottery::store {

inline constexpr std::size_t kDefaultHistoryCapacity = 1000;
inline constexpr std::size_t kDefaultFeedCapacity = 1000;
/// How many event keys are remembered for exactly-once application. Keys of
/// the oldest events are forgotten first; the follower never re-fetches that
/// far back (it re-reads at most from a reorg's common ancestor).
inline constexpr std::size_t kDefaultDedupCapacity = 65536;

struct StoreOptions {
  std::size_t history_capacity = kDefaultHistoryCapacity;  ///< EVENTMGR_HISTORY_CAPACITY
  std::size_t feed_capacity = kDefaultFeedCapacity;        ///< EVENTMGR_FEED_CAPACITY
  std::size_t dedup_capacity = kDefaultDedupCapacity;
  Address contract_address{};  ///< shown in the config view
};

/// The changes of one commit, built by the writer and applied by `Store::commit`.
///
/// `set_*` replace whole values (the last call wins). Event operations
/// (`apply`, `mark_final`, `rollback_to`) run in the order they were added,
/// so "roll back to the ancestor, then apply the new branch's events" is one
/// batch.
class Batch {
 public:
  void set_round(Round round);
  /// Players in the contract's order (`getParticipantsWithBets`).
  void set_participants(std::vector<Participant> participants);
  void set_config(ContractConfig config);
  void set_chain_status(ChainStatus status);
  void set_operator_status(OperatorStatus status);
  /// New capacities; history and feed are trimmed (oldest first) at commit.
  /// Zero is treated as one.
  void set_capacities(std::size_t history_capacity, std::size_t feed_capacity);

  /// What `refundProgress(round_id)` returned at `block_number` (the follower reads it for every
  /// round with a batched refund still running, see `Snapshot::refunds`). Applied after this
  /// batch's events; ignored for a round without a `RefundsPending` in the store, or when the
  /// store already knows a later figure.
  void set_refund_progress(std::uint64_t round_id, std::uint64_t refunded,
                           std::uint64_t block_number);

  /// Applies a decoded event exactly once, keyed by (block_hash, log_index);
  /// a key already applied is ignored and counted in `StoreStats::duplicate_events`.
  /// Events should come in chain order; one that does not is still placed in
  /// chain order (by block number, then log index).
  void apply(ChainEvent event);
  /// Marks every event at or below `block_number` final (confirmations reached).
  void mark_final(std::uint64_t block_number);
  /// Removes every event-derived entry (history, feed, bets, exactly-once keys,
  /// batched refunds first seen) above `ancestor_block` and publishes a
  /// `reorg` change. A refund's progress learnt above the ancestor is kept
  /// until the next `set_refund_progress` (the follower re-reads every
  /// refund after a reorg, in the same batch).
  void rollback_to(std::uint64_t ancestor_block);

  bool empty() const noexcept;

 private:
  friend class Store;
  struct MarkFinal {
    std::uint64_t block_number;
  };
  struct Rollback {
    std::uint64_t ancestor_block;
  };
  using Op = std::variant<ChainEvent, MarkFinal, Rollback>;

  std::optional<Round> round_;
  std::optional<std::vector<Participant>> participants_;
  std::optional<ContractConfig> config_;
  std::optional<ChainStatus> chain_;
  std::optional<OperatorStatus> operator_;
  std::optional<std::pair<std::size_t, std::size_t>> capacities_;
  std::vector<Op> ops_;
  struct RefundRead {
    std::uint64_t round_id;
    std::uint64_t refunded;
    std::uint64_t block_number;
  };
  std::vector<RefundRead> refund_reads_;
};

/// What kind of thing changed in a commit.
enum class ChangeKind : std::uint8_t {
  kReorg,           ///< WS "reorg", payload {from_block, to_block}
  kConfig,          ///< WS "config_update", payload = GET /api/contract/config body
  kRound,           ///< WS "round_update", payload = GET /api/round/status body
  kParticipants,    ///< WS "participants_update", payload = participants body (all players)
  kHistory,         ///< WS "history_update", payload {rounds: [new, newest first], summary}
  kActivity,        ///< WS "activity", payload = one activity object
  kOperatorStatus,  ///< WS "operator_status", payload = the operator object
  kChainHead,       ///< internal (no WS message): chain status changed (new head)
  kFinality,        ///< internal (no WS message): more events became final
};

/// The WebSocket `type` ("round_update", …), or "" for internal kinds.
std::string_view change_type_name(ChangeKind kind) noexcept;

/// One change of a commit.
struct Change {
  ChangeKind kind = ChangeKind::kRound;
  /// `{"type": T, "payload": …, "timestamp": chain time}`, serialised once;
  /// null for internal kinds (kChainHead, kFinality).
  std::shared_ptr<const std::string> message;
  /// The new item for kActivity, else null.
  std::shared_ptr<const Activity> activity;
  /// For kReorg: the head before the rollback and the common ancestor.
  std::uint64_t from_block = 0;
  std::uint64_t to_block = 0;
};

/// Everything one commit changed, in this order: reorgs, config, round,
/// participants, history, activities (chain order), operator, chain head, finality.
struct ChangeSet {
  std::shared_ptr<const Snapshot> snapshot;  ///< the state after the commit
  std::vector<Change> changes;
};

/// What a commit did.
struct CommitResult {
  std::uint64_t version = 0;
  std::size_t events_applied = 0;
  std::size_t duplicates_ignored = 0;
  std::size_t events_rolled_back = 0;
  std::size_t changes = 0;
};

class Store;

/// Keeps a subscription alive; unsubscribes when destroyed or reset.
class Subscription {
 public:
  Subscription() = default;
  Subscription(Subscription&& other) noexcept;
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription();

  /// Unsubscribes now. A callback already running on the writer thread may
  /// still finish after this returns.
  void reset() noexcept;

 private:
  friend class Store;
  struct Slot;
  explicit Subscription(std::shared_ptr<Slot> slot) : slot_(std::move(slot)) {}
  std::shared_ptr<Slot> slot_;
};

class Store {
 public:
  using Callback = std::function<void(const ChangeSet&)>;

  explicit Store(StoreOptions options = {});
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();

  /// The latest committed state; cheap (one shared_ptr copy), any thread.
  std::shared_ptr<const Snapshot> snapshot() const;

  /// Applies `batch` atomically and then notifies subscribers (on this thread,
  /// in commit order) when anything changed. Commits are serialised, so a
  /// second writer (e.g. the operator's status) is safe. Throws only
  /// std::bad_alloc; the store is then still consistent but may have
  /// recorded some of the batch's event keys.
  CommitResult commit(Batch batch);

  /// Registers `callback` for every later commit that changed something.
  /// The callback runs on the committing thread while commits are held, so it
  /// must be quick (post work elsewhere), must not throw and must not commit.
  Subscription subscribe(Callback callback);

 private:
  struct Writer;
  struct Subscribers;

  void publish(std::shared_ptr<const Snapshot> next);

  mutable std::mutex snapshot_mutex_;
  std::shared_ptr<const Snapshot> current_;

  std::mutex write_mutex_;
  std::unique_ptr<Writer> writer_;  ///< guarded by write_mutex_
  std::shared_ptr<Subscribers> subscribers_;
};

}  // namespace lottery::store
