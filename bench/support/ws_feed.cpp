// SPDX-License-Identifier: Apache-2.0
#include "support/ws_feed.hpp"

#include "server/server.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace lottery::bench {

void add_feed_server_flags(Flags& flags, FeedServerArgs& args) {
  flags.add("--port", args.port);
  flags.add("--threads", args.threads);
  flags.add("--rate", args.rate);
  flags.add("--messages", args.messages);
  flags.add("--wait-clients", args.wait_clients);
  flags.add("--wait-timeout-s", args.wait_timeout_s);
  flags.add("--participants", args.participants);
}

std::uint64_t unix_micros() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

store::Round feed_round(std::uint64_t sequence, std::size_t participants) {
  store::Round round;
  round.round_id = 7;
  round.state = store::RoundState::kBetting;
  round.start_time = 1'700'000'000;
  round.end_time = round.start_time + 300;
  round.min_draw_time = round.end_time + 10;
  round.max_draw_time = round.end_time + 3600;
  round.total_pot = sequence;
  round.participant_count = participants;
  return round;
}

store::ChainStatus feed_chain(std::uint64_t micros, std::uint64_t block) {
  store::ChainStatus chain;
  chain.chain_id = 31337;
  chain.latest_block = block;
  chain.head_timestamp = micros;
  chain.reachable = true;
  chain.synced = true;
  return chain;
}

std::vector<store::Participant> feed_participants(std::size_t count) {
  std::vector<store::Participant> players(count);
  for (std::size_t i = 0; i < players.size(); ++i) {
    players[i].address.bytes.fill(static_cast<std::uint8_t>(0x11 * (i + 1)));
    players[i].total_wei = 1'000'000'000'000'000;
  }
  return players;
}

store::Batch feed_update(std::uint64_t sequence, std::size_t participants, std::uint64_t block) {
  store::Batch batch;
  batch.set_round(feed_round(sequence, participants));
  batch.set_chain_status(feed_chain(unix_micros(), block));
  return batch;
}

server::ServerOptions feed_server_options(std::uint16_t port, std::size_t clients) {
  server::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = port;
  options.rate_limit_per_minute = 0;
  options.ws_max_clients = std::max<std::size_t>(clients + 100, 10000);
  return options;
}

}  // namespace lottery::bench
