// SPDX-License-Identifier: Apache-2.0
#pragma once

// The chain follower (SPEC §3): the only writer of the store.
//
//   start    eth_chainId (checked against the configured id: a mismatch is
//            fatal), contract code present, start block (EVENTMGR_START_BLOCK,
//            else the deployment block by binary search over eth_getCode,
//            else head - EVENTMGR_BACKFILL_BLOCKS).
//   backfill catch up to the head in steps of `backfill_step_blocks`, each
//            processed and committed like a head, with progress in the log.
//   follow   one worker processes heads one at a time. Heads come from a
//            newHeads subscription (ws/wss) or from polling; bursts coalesce:
//            the worker always reads the newest head and covers the gap.
//
// Per processed head H (one store commit, nothing committed on failure):
//   1. link H to the remembered chain (ring of recent hashes): the headers
//      between the last processed block and H must chain by parent hash; if
//      not, walk back to the common ancestor (a reorg) and roll back to it;
//   2. eth_getLogs from the first unread block to H in adaptive chunks;
//   3. one batch of views at H: getRound, getParticipantsWithBets, and
//      getConfig + maxParticipants when a config event was seen, after a
//      reorg, at start, or every `config_refresh_blocks`; then
//      refundProgress(id) of every round with a batched refund still running
//      (RefundsPending seen, not complete; all known ones after a reorg);
//   4. commit: rollback (if any), events (exactly once by block hash + log
//      index, enforced by the store), round, participants, config, chain
//      status, finality at H - confirmations; then the `on_head` hook.
//
// Any failure in an iteration is caught, logged once, the chain status is
// marked unreachable, and the iteration is retried after a jittered backoff.

#include "follower/block_ring.hpp"
#include "follower/chain_source.hpp"
#include "follower/chunk_sizer.hpp"
#include "follower/log_events.hpp"
#include "follower/options.hpp"
#include "infra/task.hpp"
#include "store/store.hpp"

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lottery::follower {

/// An error that retrying cannot fix (wrong chain id). `run()` ends with it;
/// the app should stop with its message.
class FatalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What the operator needs to decide after a head was committed.
struct ChainView {
  std::uint64_t chain_id = 0;
  std::uint64_t head = 0;  ///< block number of the processed head
  eth::Hash32 head_hash{};
  std::uint64_t chain_time = 0;  ///< the head's timestamp: the only clock decisions may use
  store::Round round;            ///< the current round at the head
  bool synced = false;           ///< the head is the newest block the node reported
  /// Set when this head's commit rolled back a reorg to this block.
  std::optional<std::uint64_t> reorg_ancestor;
  /// Refunded rounds whose batched refund is not complete at the head (`continueRefund` due),
  /// oldest first.
  std::vector<store::RefundProgress> pending_refunds;
};

/// Counters for metrics, health and tests.
struct FollowerStats {
  std::uint64_t heads_processed = 0;  ///< commits of heads/backfill steps
  std::uint64_t reorgs = 0;
  std::uint64_t deepest_reorg = 0;  ///< blocks rolled back by the deepest reorg
  std::uint64_t events_applied = 0;
  std::uint64_t malformed_logs = 0;
  std::uint64_t failures = 0;  ///< failed iterations
  std::uint64_t range_shrinks = 0;
  std::uint64_t chunk_blocks = 0;  ///< current eth_getLogs range
  std::uint64_t start_block = 0;
  std::uint64_t next_block = 0;  ///< first block whose logs are not read yet
  std::uint64_t head = 0;        ///< newest block the node reported
  bool subscribed = false;       ///< a newHeads subscription is active
  std::string last_error;        ///< the latest failure, empty after a success
};

class Follower {
 public:
  using HeadCallback = std::function<void(const ChainView&)>;

  /// `store` must outlive the follower; `source` is shared with nobody that
  /// writes the store.
  Follower(std::shared_ptr<ChainSource> source, store::Store& store, FollowerOptions options);
  ~Follower();
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  /// Sets the hook called after every committed new head (on the follower's
  /// strand, after the store's subscribers). It must be quick and must not
  /// throw (an exception is logged and dropped). Call before `run()`.
  void on_head(HeadCallback callback);

  /// start → backfill → follow until cancelled (terminal cancellation, e.g.
  /// TaskGroup::cancel_all). Only `FatalError` (and cancellation) end it;
  /// everything else is retried. Runs on its own strand of the awaiting
  /// coroutine's executor. Call once.
  infra::Task<void> run();

  /// The start phase alone (chain id, contract code, start block). Throws on
  /// failure; `FatalError` for a chain-id mismatch. Idempotent after success.
  infra::Task<void> start();

  /// One iteration without the retry loop: reads the latest head and catches
  /// up to it (backfill steps included), committing each step. Runs
  /// `start()` first if needed. Throws on failure; what was committed before
  /// the failing step stays, the failing step left no trace. Not to be called
  /// concurrently with itself or `run()`.
  infra::Task<void> sync_once();

  /// True once the first sync reached the head and the node is reachable
  /// (GET /api/ready). Any thread.
  bool ready() const noexcept { return ready_.load(std::memory_order_acquire); }

  FollowerStats stats() const;

 private:
  infra::Task<void> run_loop();
  infra::Task<void> worker();
  infra::Task<void> head_watcher();
  infra::Task<void> wait_for_wake();
  void wake();

  infra::Task<std::optional<std::uint64_t>> find_deployment_block(std::uint64_t head);
  infra::Task<std::optional<bool>> probe_code(std::uint64_t number, std::string& error);
  infra::Task<void> process(rpc::BlockHeader head, std::uint64_t latest);
  infra::Task<std::vector<rpc::BlockHeader>> link(const rpc::BlockHeader& head, BlockRing& ring,
                                                  std::optional<std::uint64_t>& ancestor);
  infra::Task<std::vector<rpc::BlockHeader>> tail_headers(const rpc::BlockHeader& head,
                                                          std::optional<std::uint64_t> above);
  infra::Task<std::uint64_t> find_ancestor(BlockRing& ring, std::uint64_t from);
  infra::Task<std::vector<rpc::Log>> fetch_logs(std::uint64_t from, std::uint64_t to);
  infra::Task<std::optional<std::vector<rpc::Log>>> try_get_logs(std::uint64_t from,
                                                                 std::uint64_t to,
                                                                 std::exception_ptr& too_large);

  /// Rounds whose `refundProgress` must be read at this head: the store's unfinished batched
  /// refunds (all of them after a reorg) and those with a `RefundsPending` among `decoded`.
  std::vector<std::uint64_t> refunds_to_read(const DecodedLogs& decoded, bool reorg) const;
  void commit_head(const rpc::BlockHeader& head, std::uint64_t latest, BlockRing ring,
                   const std::vector<rpc::BlockHeader>& linked,
                   std::optional<std::uint64_t> ancestor, DecodedLogs decoded, ContractState state);
  void note_failure(const std::exception_ptr& error);
  void note_recovered();
  void mark_status_only(bool reachable);
  void log_progress(std::uint64_t done_block, std::uint64_t latest, bool force);

  std::shared_ptr<ChainSource> source_;
  store::Store& store_;
  FollowerOptions options_;
  HeadCallback on_head_;

  // Worker state: touched only by the single worker (sync_once).
  bool started_ = false;
  std::uint64_t chain_id_ = 0;
  std::uint64_t start_block_ = 0;
  std::uint64_t next_block_ = 0;
  BlockRing ring_;
  ChunkSizer chunk_;
  std::optional<std::uint64_t> config_block_;  ///< block of the last config read
  store::ChainStatus status_;
  bool backfill_done_ = false;
  bool settled_ = true;  ///< the newest head's logs were read a second time
  std::chrono::steady_clock::time_point backfill_started_{};
  std::chrono::steady_clock::time_point last_progress_log_{};
  std::uint64_t last_progress_block_ = 0;
  std::string last_failure_;
  std::chrono::steady_clock::time_point last_failure_log_{};
  std::uint64_t consecutive_failures_ = 0;

  // Head source state, on the follower's strand.
  std::unique_ptr<boost::asio::steady_timer> wake_timer_;
  bool wake_pending_ = true;

  std::atomic<bool> ready_{false};
  mutable std::mutex stats_mutex_;
  FollowerStats stats_;
};

}  // namespace lottery::follower
