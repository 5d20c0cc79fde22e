// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/store.hpp"
#include "store/types.hpp"
#include "support/flags.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lottery::server {
struct ServerOptions;
}  // namespace lottery::server

// The feed the WebSocket load servers (load_ws_broadcast_server, load_ws_replica_server) publish
// and load_ws_client measures: every commit changes one live round, so every client receives a
// `round_update` whose "total_pot" is the sequence number (1, 2, ...) and whose "timestamp" (the
// chain time, which the store copies into every message) is the send time in microseconds since
// the Unix epoch.
namespace lottery::bench {

/// What both load servers are told on their command line: where to listen, how many runtime
/// threads (0: one per CPU of the affinity mask), and the feed: `messages` commits at `rate` per
/// second, started once `wait_clients` WebSocket clients are in (or `wait_timeout_s` passed), with
/// `participants` players in the round.
struct FeedServerArgs {
  std::uint16_t port = 0;
  std::size_t threads = 0;
  double rate = 10.0;
  std::uint64_t messages = 100;
  std::size_t wait_clients = 0;
  double wait_timeout_s = 60.0;
  std::size_t participants = 3;
};

/// Registers --port, --threads, --rate, --messages, --wait-clients, --wait-timeout-s and
/// --participants into `args`.
void add_feed_server_flags(Flags& flags, FeedServerArgs& args);

/// Now, in microseconds since the Unix epoch: the send time servers write, clients subtract.
std::uint64_t unix_micros();

/// A plausible live round: round 7, BETTING, `participants` players, fixed times, the pot
/// `sequence` (in wei).
store::Round feed_round(std::uint64_t sequence, std::size_t participants);

/// An Anvil chain (id 31337), reachable and synced, at `block` with head time `micros`.
store::ChainStatus feed_chain(std::uint64_t micros, std::uint64_t block);

/// `count` distinct players (addresses 0x1111..., 0x2222..., ...) of 0.001 ETH each.
std::vector<store::Participant> feed_participants(std::size_t count);

/// One publish: the round at `sequence` and the chain at `block`, its head time now.
store::Batch feed_update(std::uint64_t sequence, std::size_t participants, std::uint64_t block);

/// The server under load: 127.0.0.1:`port` (0: any free port), no per-IP rate limit (every
/// client comes from 127.0.0.x), room for `clients` + 100 WebSocket clients and at least 10000.
server::ServerOptions feed_server_options(std::uint16_t port, std::size_t clients);

}  // namespace lottery::bench
