// SPDX-License-Identifier: Apache-2.0
// W1 server side: the real lottery::server::Server on a real store, with a
// publisher that commits a round change at a fixed rate. Each commit goes
// through the production path (Store::commit → ChangeSet → Broadcaster →
// per-session SendQueue → writer coroutine), so the `round_update` every
// client receives is the message the store serialised once for all of them.
//
// The message carries what the load client (load_ws_client) measures with:
//   "total_pot": "<sequence number>" (1, 2, …) and
//   "timestamp": <send time, microseconds since the Unix epoch> (the chain
//   time field, which the store copies into every message).
//
//   load_ws_broadcast_server [--port 0] [--threads 0] [--rate 10] [--messages 100]
//       [--wait-clients N] [--wait-timeout-s 60] [--participants 3]
//
// Prints "port <n>" once listening, then starts publishing when N WebSocket
// clients are connected (or after the wait timeout), publishes `--messages`
// updates `--rate` per second on absolute deadlines, prints one JSON line with
// what it did, and keeps serving until SIGTERM/SIGINT.

#include "infra/runtime.hpp"
#include "server/server.hpp"
#include "store/store.hpp"
#include "support/flags.hpp"
#include "support/process.hpp"
#include "support/ws_feed.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <utility>

namespace {

namespace asio = boost::asio;
using namespace lottery;
using Clock = std::chrono::steady_clock;

using Args = bench::FeedServerArgs;

Args parse_args(int argc, char** argv) {
  Args a;
  bench::Flags flags("load_ws_broadcast_server",
                     "load_ws_broadcast_server [--port P] [--threads T] [--rate HZ] [--messages M] "
                     "[--wait-clients N] [--wait-timeout-s S] [--participants K]");
  bench::add_feed_server_flags(flags, a);
  flags.parse(argc, argv);
  if (a.rate <= 0) flags.fail("--rate must be positive");
  return a;
}

asio::awaitable<void> publish(store::Store& store, server::Server& server, Args args,
                              std::size_t message_bytes) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex);
  const auto wait_start = Clock::now();
  const auto wait_end = wait_start + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(args.wait_timeout_s));
  while (server.websocket_clients() < args.wait_clients && Clock::now() < wait_end) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::use_awaitable);
  }
  const std::size_t clients_at_start = server.websocket_clients();
  const double cpu_before = bench::own_cpu_seconds();
  const auto period =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / args.rate));
  const auto first = Clock::now() + std::chrono::milliseconds(200);
  Clock::duration max_late{0};
  Clock::duration commit_total{0};
  Clock::duration commit_max{0};
  for (std::uint64_t seq = 1; seq <= args.messages; ++seq) {
    const auto deadline = first + period * static_cast<std::int64_t>(seq - 1);
    timer.expires_at(deadline);
    co_await timer.async_wait(asio::use_awaitable);
    const auto began = Clock::now();
    max_late = std::max(max_late, began - deadline);
    store.commit(bench::feed_update(seq, args.participants, 1000 + seq));
    const auto spent = Clock::now() - began;
    commit_total += spent;
    commit_max = std::max(commit_max, spent);
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - first).count();
  const struct mallinfo2 heap = mallinfo2();  // the clients are still connected
  // Let the last broadcast drain before reading the CPU time.
  timer.expires_after(std::chrono::milliseconds(500));
  co_await timer.async_wait(asio::use_awaitable);
  const double cpu = bench::own_cpu_seconds() - cpu_before;
  const double sends = static_cast<double>(args.messages) *
                       static_cast<double>(std::max<std::size_t>(clients_at_start, 1));
  const auto us = [](Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  };
  std::printf(
      "{\"published\":%llu,\"rate_hz\":%.3f,\"achieved_hz\":%.3f,\"max_tick_late_us\":%lld,"
      "\"commit_mean_us\":%lld,\"commit_max_us\":%lld,\"clients_at_start\":%zu,"
      "\"wait_s\":%.3f,\"message_bytes\":%zu,\"cpu_s\":%.3f,\"cpu_us_per_send\":%.3f,"
      "\"heap_in_use_kib\":%zu,\"heap_arena_kib\":%zu,\"vm_hwm_kib\":%ld,\"vm_rss_kib\":%ld}\n",
      static_cast<unsigned long long>(args.messages), args.rate,
      args.messages > 1 ? static_cast<double>(args.messages - 1) / elapsed : 0.0,
      static_cast<long long>(us(max_late)),
      static_cast<long long>(us(commit_total) /
                             static_cast<std::int64_t>(std::max<std::uint64_t>(args.messages, 1))),
      static_cast<long long>(us(commit_max)), clients_at_start,
      std::chrono::duration<double>(first - wait_start).count(), message_bytes, cpu,
      cpu * 1e6 / sends, heap.uordblks / 1024, (heap.arena + heap.hblkhd) / 1024,
      bench::own_status_kib("VmHWM"), bench::own_status_kib("VmRSS"));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  // One descriptor per client plus a few.
  bench::raise_open_file_limit();
  try {
    infra::Runtime runtime(args.threads);
    store::Store store;
    {
      // The initial state: the round with its players, so every later commit
      // changes only the pot (the sequence number) and the chain time.
      store::Batch batch = bench::feed_update(0, args.participants, 1000);
      batch.set_participants(bench::feed_participants(args.participants));
      store.commit(std::move(batch));
    }
    const server::ServerOptions options = bench::feed_server_options(args.port, args.wait_clients);
    server::ServerContext context;
    context.store = &store;
    server::Server server(runtime.executor(), options, context);
    server.start();
    std::printf("port %u\n", static_cast<unsigned>(server.port()));
    std::fflush(stdout);

    std::size_t message_bytes = 0;
    {
      // The size of one round_update as the clients will see it.
      auto sub = store.subscribe([&](const store::ChangeSet& set) {
        for (const auto& change : set.changes) {
          if (change.kind == store::ChangeKind::kRound && change.message)
            message_bytes = change.message->size();
        }
      });
      // A pot no later message uses, so the first real one still changes the round.
      store.commit(
          bench::feed_update(std::numeric_limits<std::uint32_t>::max(), args.participants, 1000));
    }
    runtime.on_stop(
        [&](int) { asio::co_spawn(runtime.executor(), server.stop(), asio::detached); });
    asio::co_spawn(runtime.executor(), publish(store, server, args, message_bytes),
                   [](const std::exception_ptr& e) {
                     if (!e) return;
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& ex) {
                       std::fprintf(stderr, "publisher failed: %s\n", ex.what());
                     }
                   });
    runtime.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "load_ws_broadcast_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
