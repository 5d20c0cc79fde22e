// SPDX-License-Identifier: Apache-2.0
// W1 load client: many WebSocket clients on one thread (pin it with taskset
// to the core the server does not use). Every client counts the
// `round_update` messages it receives; the sequence number ("total_pot") and
// the send time ("timestamp", microseconds since the Unix epoch, written by
// load_ws_broadcast_server) give loss and delivery latency.
//
//   load_ws_client --port P --clients N --messages M [--host 127.0.0.1]
//       [--sources K] [--connect-concurrency C] [--timeout-s S]
//       [--server-pid PID] [--target /ws/lottery]
//
// Connects N clients (source addresses 127.0.0.1 … 127.0.0.K, round robin,
// so more than one address's worth of ephemeral ports is possible), then
// waits until every client has M updates or S seconds passed without a new
// update (counted from the last connection), and prints one JSON line: connect time,
// delivered/expected, latency percentiles, the observed broadcast rate, and the server's RSS (from
// /proc/PID/status) while all clients are still connected. Only 127.0.0.0/8 is allowed as the
// target.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "support/flags.hpp"
#include "support/process.hpp"
#include "support/ws_feed.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace bench = lottery::bench;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

struct Args {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::size_t clients = 100;
  std::uint64_t messages = 100;
  unsigned sources = 1;
  std::size_t concurrency = 256;
  double timeout_s = 15.0;
  long server_pid = 0;
  std::string target = "/ws/lottery";
};

Args parse_args(int argc, char** argv) {
  Args a;
  bench::Flags flags(
      "load_ws_client",
      "load_ws_client --port P --clients N --messages M [--host 127.0.0.1] "
      "[--sources K] [--connect-concurrency C] [--timeout-s S] [--server-pid PID] "
      "[--target PATH]\n  --timeout-s: give up after S seconds without a new update");
  flags.add("--host", a.host);
  flags.add("--port", a.port);
  flags.add("--clients", a.clients);
  flags.add("--messages", a.messages);
  flags.add("--sources", a.sources);
  flags.add("--connect-concurrency", a.concurrency);
  flags.add("--timeout-s", a.timeout_s);
  flags.add("--server-pid", a.server_pid);
  flags.add("--target", a.target);
  flags.parse(argc, argv);
  if (a.port == 0) flags.fail("--port is required");
  if (a.sources < 1 || a.sources > 250) flags.fail("--sources must be 1..250");
  if (a.concurrency < 1) a.concurrency = 1;
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address_v4(a.host, ec);
  if (ec || (addr.to_uint() >> 24) != 127) flags.fail("only 127.0.0.0/8 targets are allowed");
  return a;
}

/// The unsigned integer after `key` in `text` (searching from the back when
/// `last`), or nullopt.
std::optional<std::uint64_t> number_after(std::string_view text, std::string_view key, bool last) {
  const auto at = last ? text.rfind(key) : text.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  const char* begin = text.data() + at + key.size();
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), value);
  if (ec != std::errc{} || ptr == begin) return std::nullopt;
  return value;
}

struct Stats {
  explicit Stats(const Args& a)
      : per_client(a.clients, 0), per_seq(a.messages + 1, 0), first_arrival(a.messages + 1, 0) {
    latencies_us.reserve(a.clients * a.messages);
  }
  std::vector<std::uint32_t> per_client;
  std::vector<std::uint32_t> per_seq;
  std::vector<std::int64_t> first_arrival;  ///< unix µs when seq first arrived anywhere
  std::vector<std::int64_t> latencies_us;
  std::uint64_t delivered = 0;
  std::uint64_t unexpected = 0;  ///< out-of-range or unparsable updates
  std::uint64_t other_messages = 0;
  std::size_t connected = 0;
  std::size_t failed = 0;
  std::size_t closed_early = 0;
  std::string first_error;
  Clock::time_point all_connected{};
};

asio::awaitable<void> reader(std::shared_ptr<websocket::stream<beast::tcp_stream>> ws,
                             std::size_t index, Stats& stats, const Args& args) {
  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await ws->async_read(buffer, kUseTuple);
    if (ec) {
      ++stats.closed_early;
      if (stats.first_error.empty()) stats.first_error = "read: " + ec.message();
      co_return;
    }
    const auto now = static_cast<std::int64_t>(bench::unix_micros());
    const auto data = buffer.cdata();
    const std::string_view text(static_cast<const char*>(data.data()), data.size());
    if (text.find("\"type\":\"round_update\"") == std::string_view::npos) {
      ++stats.other_messages;
    } else {
      const auto seq = number_after(text, "\"total_pot\":\"", false);
      const auto sent = number_after(text, "\"timestamp\":", true);
      if (!seq || !sent || *seq == 0 || *seq > args.messages) {
        ++stats.unexpected;
      } else {
        ++stats.delivered;
        ++stats.per_client[index];
        ++stats.per_seq[*seq];
        if (stats.first_arrival[*seq] == 0) stats.first_arrival[*seq] = now;
        stats.latencies_us.push_back(now - static_cast<std::int64_t>(*sent));
      }
    }
    buffer.consume(buffer.size());
  }
}

asio::awaitable<void> connector(
    std::size_t worker, std::vector<std::shared_ptr<websocket::stream<beast::tcp_stream>>>& streams,
    Stats& stats, const Args& args, std::size_t& next_index) {
  auto ex = co_await asio::this_coro::executor;
  const auto server = asio::ip::make_address_v4(args.host);
  const tcp::endpoint endpoint(server, args.port);
  const std::string host = args.host + ':' + std::to_string(args.port);
  (void)worker;
  while (next_index < args.clients) {
    const std::size_t index = next_index++;
    auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(ex);
    auto& socket = beast::get_lowest_layer(*ws).socket();
    boost::system::error_code ec;
    socket.open(tcp::v4(), ec);
    if (!ec && args.sources > 1) {
      const auto source =
          asio::ip::address_v4((127u << 24) | static_cast<std::uint32_t>(1 + index % args.sources));
      socket.bind(tcp::endpoint(source, 0), ec);
    }
    if (!ec) std::tie(ec) = co_await socket.async_connect(endpoint, kUseTuple);
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
      std::tie(ec) = co_await ws->async_handshake(host, args.target, kUseTuple);
    }
    if (ec) {
      ++stats.failed;
      if (stats.first_error.empty()) stats.first_error = "connect: " + ec.message();
      continue;
    }
    streams[index] = ws;
    ++stats.connected;
    if (stats.connected + stats.failed == args.clients) stats.all_connected = Clock::now();
    asio::co_spawn(ex, reader(ws, index, stats, args), asio::detached);
  }
}

double percentile(const std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1));
  return static_cast<double>(sorted[rank]) / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  const std::uint64_t open_files = bench::raise_open_file_limit();
  if (open_files != 0 && open_files < args.clients + 16) {
    std::fprintf(stderr, "load_ws_client: RLIMIT_NOFILE %llu is too low for %zu clients\n",
                 static_cast<unsigned long long>(open_files), args.clients);
    return 2;
  }
  asio::io_context ioc(1);
  Stats stats(args);
  std::vector<std::shared_ptr<websocket::stream<beast::tcp_stream>>> streams(args.clients);
  std::size_t next_index = 0;
  const auto start = Clock::now();
  for (std::size_t w = 0; w < std::min(args.concurrency, args.clients); ++w) {
    asio::co_spawn(ioc, connector(w, streams, stats, args, next_index), asio::detached);
  }
  long hwm = -1;
  long rss = -1;
  // Watchdog: ends the run when everything arrived or the timeout passed.
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(ioc);
        const std::uint64_t expected_total = args.clients * args.messages;
        const auto idle = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(args.timeout_s));
        Clock::time_point deadline = Clock::time_point::max();
        std::uint64_t seen = 0;
        for (;;) {
          timer.expires_after(std::chrono::milliseconds(20));
          co_await timer.async_wait(kUseTuple);
          // The timeout counts from the last connection or the last update.
          if (stats.connected + stats.failed == args.clients &&
              (deadline == Clock::time_point::max() || stats.delivered != seen)) {
            seen = stats.delivered;
            deadline = Clock::now() + idle;
          }
          const bool done = stats.delivered >= expected_total && stats.connected == args.clients;
          if (done || Clock::now() > deadline || Clock::now() - start > std::chrono::seconds(600)) {
            hwm = bench::process_status_kib(args.server_pid, "VmHWM");
            rss = bench::process_status_kib(args.server_pid, "VmRSS");
            ioc.stop();
            co_return;
          }
        }
      },
      asio::detached);
  ioc.run();

  std::sort(stats.latencies_us.begin(), stats.latencies_us.end());
  const std::uint64_t expected = static_cast<std::uint64_t>(args.clients) * args.messages;
  std::size_t complete_clients = 0;
  std::uint32_t min_per_client = args.clients > 0 ? UINT32_MAX : 0;
  for (const auto c : stats.per_client) {
    if (c >= args.messages) ++complete_clients;
    min_per_client = std::min(min_per_client, c);
  }
  double rate = 0.0;
  std::int64_t first = 0;
  std::int64_t last = 0;
  std::uint64_t seen_seqs = 0;
  for (std::uint64_t s = 1; s <= args.messages; ++s) {
    if (stats.first_arrival[s] == 0) continue;
    ++seen_seqs;
    if (first == 0) first = stats.first_arrival[s];
    last = stats.first_arrival[s];
  }
  if (seen_seqs > 1 && last > first) {
    rate = static_cast<double>(seen_seqs - 1) / (static_cast<double>(last - first) / 1e6);
  }
  const double connect_s = stats.all_connected == Clock::time_point{}
                               ? -1.0
                               : std::chrono::duration<double>(stats.all_connected - start).count();
  std::printf(
      "{\"clients\":%zu,\"connected\":%zu,\"connect_failed\":%zu,\"connect_s\":%.3f,"
      "\"messages\":%llu,\"expected\":%llu,\"delivered\":%llu,\"delivered_pct\":%.3f,"
      "\"complete_clients\":%zu,\"min_per_client\":%u,\"closed_early\":%zu,"
      "\"unexpected\":%llu,\"observed_rate_hz\":%.3f,"
      "\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f},"
      "\"server_vm_hwm_kib\":%ld,\"server_vm_rss_kib\":%ld,\"first_error\":\"%s\"}\n",
      args.clients, stats.connected, stats.failed, connect_s,
      static_cast<unsigned long long>(args.messages), static_cast<unsigned long long>(expected),
      static_cast<unsigned long long>(stats.delivered),
      expected ? 100.0 * static_cast<double>(stats.delivered) / static_cast<double>(expected) : 0.0,
      complete_clients, min_per_client, stats.closed_early,
      static_cast<unsigned long long>(stats.unexpected), rate, percentile(stats.latencies_us, 50),
      percentile(stats.latencies_us, 90), percentile(stats.latencies_us, 99),
      percentile(stats.latencies_us, 99.9), percentile(stats.latencies_us, 100), hwm, rss,
      stats.first_error.c_str());
  std::fflush(stdout);
  // Skip destructors of 10k streams: the process exit closes the sockets.
  std::_Exit(stats.delivered == expected && stats.connected == args.clients ? 0 : 1);
}
