// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eth/address.hpp"
#include "infra/backoff.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace lottery::follower {

/// Settings of the chain follower. The app maps the EVENTMGR_* / BLOCKCHAIN_*
/// settings onto these fields one to one (names in the comments); the rest
/// are tuning knobs with defaults that suit public and local nodes alike.
struct FollowerOptions {
  /// BLOCKCHAIN_CONTRACT_ADDRESS: whose logs and views are followed.
  eth::Address contract_address{};
  /// BLOCKCHAIN_CHAIN_ID: when set, the node must report this chain id
  /// (a mismatch is fatal: `FatalError`).
  std::optional<std::uint64_t> expected_chain_id;
  /// EVENTMGR_POLL_INTERVAL_SECONDS: how often the head is polled when no
  /// newHeads subscription is active.
  std::chrono::milliseconds poll_interval{1000};
  /// With an active newHeads subscription the head is still checked this
  /// often, so a silently dead subscription cannot stall the follower.
  std::chrono::milliseconds subscription_heartbeat{15'000};
  /// EVENTMGR_CONFIRMATIONS: events at or below head - confirmations are final.
  std::uint64_t confirmations = 2;
  /// EVENTMGR_START_BLOCK: backfill from here. When absent: the contract's
  /// deployment block (if `find_deployment_block`), else head - backfill_blocks.
  std::optional<std::uint64_t> start_block;
  /// EVENTMGR_BACKFILL_BLOCKS.
  std::uint64_t backfill_blocks = 10'000;
  /// Find the deployment block by binary search over eth_getCode (about
  /// log2(head) calls; needs a node that keeps old state, else the follower
  /// falls back to head - backfill_blocks).
  bool find_deployment_block = true;
  /// EVENTMGR_CONFIG_REFRESH_BLOCKS: re-read getConfig/maxParticipants at
  /// least this often (and whenever a config event was seen).
  std::uint64_t config_refresh_blocks = 100;
  /// EVENTMGR_LOG_CHUNK_BLOCKS: first eth_getLogs range; halves (down to 1)
  /// when the node refuses a range, doubles back after successes up to the max.
  std::uint64_t initial_chunk_blocks = 2000;
  std::uint64_t max_chunk_blocks = 10'000;
  /// Backfill advances in steps of at most this many blocks; each step is
  /// committed to the store like one head (state read at the step's block).
  std::uint64_t backfill_step_blocks = 10'000;
  /// EVENTMGR_REORG_DEPTH: recent block hashes remembered for reorg detection.
  std::size_t ring_size = 128;
  /// Head jumps up to this many blocks are checked header by header (one
  /// batch); bigger jumps (backfill) re-check only the last processed block,
  /// then fetch this many headers below the new head (one batch) so the
  /// ring covers the newest blocks again.
  std::uint64_t max_linked_gap = 64;
  /// Logs of the newest this-many blocks are read again with the next head,
  /// and once more when the head stays the same: some nodes (Anvil, load
  /// balanced providers) show a block before its logs are queryable. Re-reading
  /// is free of side effects because events apply exactly once.
  std::uint64_t reread_blocks = 2;
  /// Backfill progress is logged this often.
  std::chrono::milliseconds progress_interval{3000};
  /// Delay between retries after a failed iteration (full jitter).
  infra::BackoffPolicy retry_backoff{std::chrono::milliseconds{500},
                                     std::chrono::milliseconds{15'000}, 2.0};
};

}  // namespace lottery::follower
