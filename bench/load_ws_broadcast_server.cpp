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

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <malloc.h>
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
  std::uint16_t port = 0;
  std::size_t threads = 0;
  double rate = 10.0;
  std::uint64_t messages = 100;
  std::size_t wait_clients = 0;
  double wait_timeout_s = 60.0;
  std::size_t participants = 3;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "load_ws_broadcast_server: %s\nusage: load_ws_broadcast_server [--port P] "
               "[--threads T] [--rate HZ] [--messages M] [--wait-clients N] "
               "[--wait-timeout-s S] [--participants K]\n",
               why);
  std::exit(2);
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) usage("missing value");
    const char* value = argv[++i];
    if (flag == "--port")
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
  if (a.rate <= 0) usage("--rate must be positive");
  return a;
}

std::uint64_t unix_micros() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

/// A plausible live round: BETTING, `players` participants, fixed times.
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

/// User + system CPU time of the whole process (all threads).
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto sec = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return sec(usage.ru_utime) + sec(usage.ru_stime);
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
  const double cpu_before = cpu_seconds();
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
    store::Batch batch;
    batch.set_round(make_round(seq, args.participants));
    batch.set_chain_status(chain_at(unix_micros(), 1000 + seq));
    store.commit(std::move(batch));
    const auto spent = Clock::now() - began;
    commit_total += spent;
    commit_max = std::max(commit_max, spent);
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - first).count();
  const struct mallinfo2 heap = mallinfo2();  // the clients are still connected
  // Let the last broadcast drain before reading the CPU time.
  timer.expires_after(std::chrono::milliseconds(500));
  co_await timer.async_wait(asio::use_awaitable);
  const double cpu = cpu_seconds() - cpu_before;
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
      status_kib("VmHWM"), status_kib("VmRSS"));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  // One descriptor per client plus a few.
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  try {
    infra::Runtime runtime(args.threads);
    store::Store store;
    {
      // The initial state: the round with its players, so every later commit
      // changes only the pot (the sequence number) and the chain time.
      store::Batch batch;
      batch.set_round(make_round(0, args.participants));
      std::vector<store::Participant> players(args.participants);
      for (std::size_t i = 0; i < players.size(); ++i) {
        players[i].address.bytes.fill(static_cast<std::uint8_t>(0x11 * (i + 1)));
        players[i].total_wei = 1'000'000'000'000'000;
      }
      batch.set_participants(std::move(players));
      batch.set_chain_status(chain_at(unix_micros(), 1000));
      store.commit(std::move(batch));
    }
    server::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = args.port;
    options.abi_path.clear();
    options.rate_limit_per_minute = 0;  // every client comes from 127.0.0.x
    options.ws_max_clients = std::max<std::size_t>(args.wait_clients + 100, 10000);
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
      store::Batch batch;
      batch.set_round(make_round(std::numeric_limits<std::uint32_t>::max(), args.participants));
      batch.set_chain_status(chain_at(unix_micros(), 1000));
      store.commit(std::move(batch));
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
