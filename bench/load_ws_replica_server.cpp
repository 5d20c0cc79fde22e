// SPDX-License-Identifier: Apache-2.0
// Replica fan-out benchmark, server side: load_ws_broadcast_server's store and server, plus the
// real scale::Replica parts (Redis lease, fan-out publisher and relay). Run three of them against
// one redis-server; the one started with --role leader takes the lease and commits round changes
// at a fixed rate; every replica (the leader too) relays the leader's frames to its own WebSocket
// clients, exactly as `lottery serve` does with REDIS_URL. load_ws_client measures delivery and
// latency (the message's "timestamp" is the leader's commit time in microseconds).
//
//   load_ws_replica_server --redis redis://127.0.0.1:P --role leader|follower [--prefix bench]
//       [--port 0] [--threads 1] [--rate 10] [--messages 100] [--wait-clients N]
//       [--wait-timeout-s 60] [--participants 3]
//
// Prints "port <n>" once listening; the leader prints one JSON line after publishing.

#include "infra/runtime.hpp"
#include "infra/task_group.hpp"
#include "scale/fanout.hpp"
#include "scale/lease.hpp"
#include "scale/redis_connection.hpp"
#include "server/server.hpp"
#include "server/ws.hpp"
#include "store/store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace lottery;
using Clock = std::chrono::steady_clock;

struct Args {
  std::string redis;
  std::string role = "follower";
  std::string prefix = "bench";
  std::uint16_t port = 0;
  std::size_t threads = 1;
  double rate = 10.0;
  std::uint64_t messages = 100;
  std::size_t wait_clients = 0;
  double wait_timeout_s = 60.0;
  std::size_t participants = 3;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "load_ws_replica_server: %s\nusage: load_ws_replica_server --redis URL --role "
               "leader|follower [--prefix P] [--port P] [--threads T] [--rate HZ] [--messages M] "
               "[--wait-clients N] [--wait-timeout-s S] [--participants K]\n",
               why);
  std::exit(2);
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) usage("missing value");
    const char* value = argv[++i];
    if (flag == "--redis")
      a.redis = value;
    else if (flag == "--role")
      a.role = value;
    else if (flag == "--prefix")
      a.prefix = value;
    else if (flag == "--port")
      a.port = static_cast<std::uint16_t>(std::stoul(value));
    else if (flag == "--threads")
      a.threads = std::stoul(value);
    else if (flag == "--rate")
      a.rate = std::stod(value);
    else if (flag == "--messages")
      a.messages = std::stoull(value);
    else if (flag == "--wait-clients")
      a.wait_clients = std::stoul(value);
    else if (flag == "--wait-timeout-s")
      a.wait_timeout_s = std::stod(value);
    else if (flag == "--participants")
      a.participants = std::stoul(value);
    else
      usage("unknown flag");
  }
  if (a.redis.empty()) usage("--redis is required");
  if (a.role != "leader" && a.role != "follower") usage("--role is leader or follower");
  if (a.rate <= 0) usage("--rate must be positive");
  return a;
}

std::uint64_t unix_micros() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

store::Round make_round(std::uint64_t sequence, std::size_t players) {
  store::Round round;
  round.round_id = 7;
  round.state = store::RoundState::kBetting;
  round.start_time = 1'700'000'000;
  round.end_time = round.start_time + 300;
  round.min_draw_time = round.end_time + 10;
  round.max_draw_time = round.end_time + 3600;
  round.total_pot = sequence;
  round.participant_count = players;
  return round;
}

store::ChainStatus chain_at(std::uint64_t micros, std::uint64_t block) {
  store::ChainStatus chain;
  chain.chain_id = 31337;
  chain.latest_block = block;
  chain.head_timestamp = micros;
  chain.reachable = true;
  chain.synced = true;
  return chain;
}

long status_kib(const char* field) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  long out = -1;
  const std::size_t n = std::strlen(field);
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, field, n) == 0 && line[n] == ':') out = std::atol(line + n + 1);
  }
  std::fclose(f);
  return out;
}

asio::awaitable<void> publish(store::Store& store, server::Server& server,
                              scale::LeaderLease& lease, scale::Fanout& fanout, Args args) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex);
  const auto wait_start = Clock::now();
  const auto wait_end = wait_start + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(args.wait_timeout_s));
  // The lease first (the publisher only publishes as leader), then this replica's clients.
  while ((!lease.token() || !fanout.stats().relaying ||
          server.websocket_clients() < args.wait_clients) &&
         Clock::now() < wait_end) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::use_awaitable);
  }
  // Let the other replicas' clients finish connecting.
  timer.expires_after(std::chrono::seconds(1));
  co_await timer.async_wait(asio::use_awaitable);
  const std::size_t clients_at_start = server.websocket_clients();
  const auto period =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / args.rate));
  const auto first = Clock::now() + std::chrono::milliseconds(200);
  for (std::uint64_t seq = 1; seq <= args.messages; ++seq) {
    timer.expires_at(first + period * static_cast<std::int64_t>(seq - 1));
    co_await timer.async_wait(asio::use_awaitable);
    store::Batch batch;
    batch.set_round(make_round(seq, args.participants));
    batch.set_chain_status(chain_at(unix_micros(), 1000 + seq));
    store.commit(std::move(batch));
  }
  timer.expires_after(std::chrono::milliseconds(500));
  co_await timer.async_wait(asio::use_awaitable);
  const double elapsed = std::chrono::duration<double>(Clock::now() - first).count();
  const scale::FanoutStats stats = fanout.stats();
  std::printf(
      "{\"role\":\"leader\",\"published_commits\":%llu,\"frames_published\":%llu,"
      "\"elapsed_s\":%.3f,\"clients_at_start\":%zu,\"vm_hwm_kib\":%ld}\n",
      static_cast<unsigned long long>(args.messages),
      static_cast<unsigned long long>(stats.published), elapsed, clients_at_start,
      status_kib("VmHWM"));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  try {
    infra::Runtime runtime(args.threads);
    store::Store store;
    {
      store::Batch batch;
      batch.set_round(make_round(std::numeric_limits<std::uint32_t>::max(), args.participants));
      std::vector<store::Participant> players(args.participants);
      for (std::size_t i = 0; i < players.size(); ++i) {
        players[i].address.bytes.fill(static_cast<std::uint8_t>(0x11 * (i + 1)));
        players[i].total_wei = 1'000'000'000'000'000;
      }
      batch.set_participants(std::move(players));
      batch.set_chain_status(chain_at(unix_micros(), 1000));
      store.commit(std::move(batch));
    }
    const scale::Keys keys = scale::Keys::from_prefix(args.prefix);
    scale::RedisClient client(runtime.executor(), scale::parse_redis_url(args.redis),
                              std::chrono::milliseconds(2000));
    scale::LeaderLease lease(
        client, scale::LeaseOptions{std::chrono::milliseconds(5000),
                                    args.role + "-" + std::to_string(::getpid()), keys});
    scale::FanoutOptions fo;
    fo.keys = keys;
    fo.endpoint = client.endpoint();
    auto fanout = std::make_shared<scale::Fanout>(runtime.executor(), client, lease, store, fo);
    lease.on_acquired([&fanout](std::uint64_t) { fanout->request_reset(); });
    fanout->start();

    server::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = args.port;
    options.rate_limit_per_minute = 0;
    options.ws_max_clients = std::max<std::size_t>(args.wait_clients + 100, 10000);
    server::ServerContext context;
    context.store = &store;
    context.ws_feed = fanout;
    server::Server server(runtime.executor(), options, context);
    server.start();
    std::printf("port %u\n", static_cast<unsigned>(server.port()));
    std::fflush(stdout);

    infra::TaskGroup tasks(runtime.executor(), [](std::string_view line) {
      std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
    });
    tasks.spawn("relay", fanout->run_relay());
    if (args.role == "leader") {
      tasks.spawn("lease", lease.run());
      tasks.spawn("publisher", fanout->run_publisher());
      tasks.spawn("bench-publish", publish(store, server, lease, *fanout, args));
    }
    runtime.on_stop([&](int) {
      tasks.cancel_all();
      fanout->stop();
      asio::co_spawn(runtime.executor(), server.stop(), asio::detached);
      // run() returns once every loop has ended, so nothing outlives what it uses.
      asio::co_spawn(
          runtime.executor(), [&]() -> asio::awaitable<void> { co_await tasks.join(); },
          asio::detached);
    });
    runtime.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "load_ws_replica_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
