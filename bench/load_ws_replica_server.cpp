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
#include "support/flags.hpp"
#include "support/process.hpp"
#include "support/ws_feed.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

namespace {

namespace asio = boost::asio;
using namespace lottery;
using Clock = std::chrono::steady_clock;

struct Args : bench::FeedServerArgs {
  Args() { threads = 1; }  // one thread each: run-replicas.sh puts all three on one core
  std::string redis;
  std::string role = "follower";
  std::string prefix = "bench";
};

Args parse_args(int argc, char** argv) {
  Args a;
  bench::Flags flags("load_ws_replica_server",
                     "load_ws_replica_server --redis URL --role leader|follower [--prefix P] "
                     "[--port P] [--threads T] [--rate HZ] [--messages M] [--wait-clients N] "
                     "[--wait-timeout-s S] [--participants K]");
  flags.add("--redis", a.redis);
  flags.add("--role", a.role);
  flags.add("--prefix", a.prefix);
  bench::add_feed_server_flags(flags, a);
  flags.parse(argc, argv);
  if (a.redis.empty()) flags.fail("--redis is required");
  if (a.role != "leader" && a.role != "follower") flags.fail("--role is leader or follower");
  if (a.rate <= 0) flags.fail("--rate must be positive");
  return a;
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
    store.commit(bench::feed_update(seq, args.participants, 1000 + seq));
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
      bench::own_status_kib("VmHWM"));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  bench::raise_open_file_limit();
  try {
    infra::Runtime runtime(args.threads);
    store::Store store;
    {
      store::Batch batch =
          bench::feed_update(std::numeric_limits<std::uint32_t>::max(), args.participants, 1000);
      batch.set_participants(bench::feed_participants(args.participants));
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

    const server::ServerOptions options = bench::feed_server_options(args.port, args.wait_clients);
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
