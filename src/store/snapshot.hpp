// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/types.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lottery::store {

/// Finished rounds, oldest first (chain order).
using HistoryList = std::vector<std::shared_ptr<const FinishedRound>>;
/// Activity feed, oldest first (chain order).
using FeedList = std::vector<std::shared_ptr<const Activity>>;
/// Bets per round id (the current round and the rounds still in history).
using BetBook = std::map<std::uint64_t, std::shared_ptr<const RoundBets>>;
/// Batched refunds by round id: the ones still running, and finished ones until their last
/// update is final. A handful at most, so it is copied by value.
using RefundBook = std::map<std::uint64_t, RefundProgress>;

/// Default page sizes of the pre-serialised REST views.
inline constexpr std::size_t kParticipantsViewLimit = 200;
inline constexpr std::size_t kHistoryViewLimit = 50;
inline constexpr std::size_t kActivitiesViewLimit = 50;
/// Sizes of the lists inside the WebSocket `snapshot` message.
inline constexpr std::size_t kWsSnapshotHistory = 10;
inline constexpr std::size_t kWsSnapshotActivities = 20;

/// Response bodies serialised once per change and shared by every reader.
/// Never null in a snapshot obtained from `Store`.
struct Views {
  /// GET /api/round/status (alias /api/draw/current).
  std::shared_ptr<const std::string> round_status;
  /// GET /api/round/participants with the default limit (200).
  std::shared_ptr<const std::string> participants;
  /// GET /api/history with the default limit (50).
  std::shared_ptr<const std::string> history;
  /// GET /api/activities with the default limit (50).
  std::shared_ptr<const std::string> activities;
  /// GET /api/contract/config.
  std::shared_ptr<const std::string> config;
  /// The operator object of /api/health `components.operator`.
  std::shared_ptr<const std::string> operator_status;
  /// The WebSocket `snapshot` message sent to a new client.
  std::shared_ptr<const std::string> ws_snapshot;
};

/// An immutable view of everything the store holds at one commit.
///
/// Snapshots share their large parts: a commit that changes only the round
/// keeps the same `history`, `feed` and `bets` pointers (and the same
/// pre-serialised strings for views that did not change), so it costs what
/// changed, not the size of the store. All pointers are non-null.
struct Snapshot {
  std::uint64_t version = 0;  ///< commit number; 0 before the first commit
  Address contract_address{};

  Round round;
  /// The current round's players with stakes, in the contract's order.
  std::shared_ptr<const std::vector<Participant>> participants;
  /// Null until the follower has read the config once.
  std::shared_ptr<const ContractConfig> config;
  ChainStatus chain;
  OperatorStatus operator_status;

  std::shared_ptr<const HistoryList> history;
  HistorySummary summary;  ///< over `history`
  std::shared_ptr<const FeedList> feed;
  std::shared_ptr<const BetBook> bets;

  RefundBook refunds;

  /// Highest block whose events are final (0: none yet).
  std::uint64_t final_block = 0;
  StoreStats stats;

  Views views;

  /// Chain time: the latest block's timestamp (also every view's `timestamp`).
  std::uint64_t chain_time() const noexcept { return chain.head_timestamp; }

  /// The batched refunds that are not complete yet, oldest round first.
  std::vector<RefundProgress> pending_refunds() const {
    std::vector<RefundProgress> out;
    for (const auto& [id, progress] : refunds) {
      if (!progress.complete()) out.push_back(progress);
    }
    return out;
  }
};

}  // namespace lottery::store
