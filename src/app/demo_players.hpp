// SPDX-License-Identifier: Apache-2.0
#pragma once
// Simulated players for `lottery demo`: each one watches the current round and
// bets a random amount (at least the contract's minimum) through its own
// signed placeBet transactions, so rounds keep starting and being drawn, and
// now and then refunded when too few joined.

#include "eth/address.hpp"
#include "eth/secp256k1.hpp"
#include "eth/u256.hpp"
#include "infra/task.hpp"
#include "infra/task_group.hpp"
#include "rpc/client.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

namespace lottery::app {

struct DemoPlayersOptions {
  eth::Address contract;
  /// How often each player looks at the round (each wait is jittered ±50%).
  std::chrono::milliseconds tick{1500};
  /// The first player joins every round (so every round starts); each other
  /// player joins a given round with this probability, so a round sometimes
  /// ends with too few players and is refunded.
  double join_probability = 0.75;
  /// Bets are the minimum plus a random 0..`max_extra_percent`% of it.
  std::uint32_t max_extra_percent = 900;
  /// Seed of the players' random choices; 0 = from std::random_device.
  std::uint64_t seed = 0;
};

/// Picks the amount of one bet: `min_bet` + `min_bet` × k / 100 with
/// k uniform in 0..`max_extra_percent`. Exact wei arithmetic.
eth::U256 pick_bet_amount(const eth::U256& min_bet, std::uint32_t max_extra_percent,
                          std::mt19937_64& rng);

/// A handful of simulated players on one RPC client.
class DemoPlayers {
 public:
  /// `keys` are the players' accounts (their balances pay for bets and gas).
  /// The client must outlive the players.
  DemoPlayers(rpc::RpcClient& client, std::vector<eth::PrivateKey> keys,
              DemoPlayersOptions options);

  /// Starts one loop per player in `group`; they run until the group is cancelled.
  /// Failed bets (betting closed meanwhile, node hiccups) are logged and the
  /// loop goes on.
  void start(infra::TaskGroup& group);

  std::size_t size() const noexcept { return keys_.size(); }
  /// Bets mined successfully so far (all players).
  std::uint64_t bets_placed() const noexcept { return bets_placed_.load(); }

 private:
  infra::Task<void> play(std::size_t index, std::uint64_t seed);

  rpc::RpcClient& client_;
  std::vector<eth::PrivateKey> keys_;
  DemoPlayersOptions options_;
  std::atomic<std::uint64_t> bets_placed_{0};
};

}  // namespace lottery::app
