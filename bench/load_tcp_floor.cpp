// SPDX-License-Identifier: Apache-2.0
// The kernel's floor under W1: what one core spends to send a message over
// loopback TCP to each of N connections, with no WebSocket, no server and no
// user-space work beyond one send() per connection. On loopback the sending
// core also runs the receiver's side of the TCP stack (the packet is
// delivered in the sender's softirq), so this is the least time any
// single-core server can take to hand one broadcast to N local clients.
//
//   load_tcp_floor [--clients 1000] [--bytes 523] [--rate 10] [--messages 30]
//       [--send-cpu 0] [--receive-cpu 1]
//
// A sender process (pinned to --send-cpu) accepts N connections from a
// receiver process (pinned to --receive-cpu, reading with epoll like the W1
// load client), then sends `--messages` rounds at `--rate`: one message of
// `--bytes` to every connection in turn, stamped with the send time. Prints
// one JSON line: the sender's time per send and per round, and the delivery
// latency percentiles the receiver saw (the best p50/p99 a one-core server
// could reach with sequential sends).

#include "support/flags.hpp"
#include "support/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::size_t clients = 1000;
  std::size_t bytes = 523;
  double rate = 10.0;
  std::size_t messages = 30;
  int send_cpu = 0;
  int receive_cpu = 1;
};

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "load_tcp_floor: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

void pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) die("sched_setaffinity");
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

double percentile(std::vector<std::int64_t>& values, double p) {
  if (values.empty()) return 0.0;
  const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank),
                   values.end());
  return static_cast<double>(values[rank]);
}

/// The receiver: connects every client, reports ready, reads until each
/// connection has all messages, then writes its latencies (ns) to `out`.
int run_receiver(const Args& args, std::uint16_t port, int ready_fd, int out_fd) {
  pin_to(args.receive_cpu);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int poller = epoll_create1(0);
  std::vector<int> sockets;
  for (std::size_t i = 0; i < args.clients; ++i) {
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) die("socket");
    if (connect(s, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      die("connect");  // NOLINT
    fcntl(s, F_SETFL, O_NONBLOCK);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = i;
    epoll_ctl(poller, EPOLL_CTL_ADD, s, &event);
    sockets.push_back(s);
  }
  const char ready = 'r';
  if (write(ready_fd, &ready, 1) != 1) die("write ready");
  std::vector<std::size_t> partial(args.clients, 0);  // bytes of the current message read
  std::vector<std::size_t> received(args.clients, 0);
  std::vector<std::int64_t> latencies;
  latencies.reserve(args.clients * args.messages);
  std::vector<char> buffer(args.bytes * 16);
  std::vector<epoll_event> events(1024);
  std::size_t complete = 0;
  const auto give_up =
      Clock::now() +
      std::chrono::seconds(static_cast<long>(static_cast<double>(args.messages) / args.rate + 30));
  while (complete < args.clients && Clock::now() < give_up) {
    const int n = epoll_wait(poller, events.data(), static_cast<int>(events.size()), 100);
    for (int k = 0; k < n; ++k) {
      const auto i = static_cast<std::size_t>(events[static_cast<std::size_t>(k)].data.u64);
      for (;;) {
        const ssize_t got = read(sockets[i], buffer.data(), buffer.size());
        if (got <= 0) break;
        const std::int64_t arrived = now_ns();
        // Messages are fixed-size; the stamp is in each message's first 8 bytes.
        for (std::size_t at = 0; at < static_cast<std::size_t>(got);) {
          if (partial[i] == 0 && static_cast<std::size_t>(got) - at >= sizeof(std::int64_t)) {
            std::int64_t stamp = 0;
            std::memcpy(&stamp, buffer.data() + at, sizeof stamp);
            latencies.push_back(arrived - stamp);
          }
          const std::size_t take =
              std::min(args.bytes - partial[i], static_cast<std::size_t>(got) - at);
          partial[i] += take;
          at += take;
          if (partial[i] == args.bytes) {
            partial[i] = 0;
            if (++received[i] == args.messages) ++complete;
          }
        }
      }
    }
  }
  const std::size_t count = latencies.size();
  if (write(out_fd, &count, sizeof count) != sizeof count) die("write results");
  const auto* data = reinterpret_cast<const char*>(latencies.data());  // NOLINT
  std::size_t left = count * sizeof(std::int64_t);
  while (left > 0) {
    const ssize_t w = write(out_fd, data, left);
    if (w <= 0) die("write results");
    data += w;
    left -= static_cast<std::size_t>(w);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  lottery::bench::Flags flags("load_tcp_floor",
                              "load_tcp_floor [--clients N] [--bytes B] [--rate HZ] "
                              "[--messages M] [--send-cpu C] [--receive-cpu C]");
  flags.add("--clients", args.clients);
  flags.add("--bytes", args.bytes);
  flags.add("--rate", args.rate);
  flags.add("--messages", args.messages);
  flags.add("--send-cpu", args.send_cpu);
  flags.add("--receive-cpu", args.receive_cpu);
  flags.parse(argc, argv);
  if (args.clients == 0 || args.bytes < sizeof(std::int64_t) || args.rate <= 0 ||
      args.messages == 0) {
    flags.fail("--clients and --messages must be positive, --bytes at least 8, --rate above 0");
  }
  lottery::bench::raise_open_file_limit();

  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||  // NOLINT
      getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||  // NOLINT
      listen(listener, 4096) != 0) {
    die("listen on 127.0.0.1");
  }
  int ready_pipe[2];
  int result_pipe[2];
  if (pipe(ready_pipe) != 0 || pipe(result_pipe) != 0) die("pipe");
  const pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    close(listener);
    std::_Exit(run_receiver(args, ntohs(address.sin_port), ready_pipe[1], result_pipe[1]));
  }
  pin_to(args.send_cpu);
  std::vector<int> connections;
  for (std::size_t i = 0; i < args.clients; ++i) {
    const int s = accept(listener, nullptr, nullptr);
    if (s < 0) die("accept");
    const int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // as the server does
    connections.push_back(s);
  }
  char ready = 0;
  if (read(ready_pipe[0], &ready, 1) != 1) die("receiver did not start");

  std::string message(args.bytes, 'x');
  std::vector<std::int64_t> round_ns;
  std::size_t failed_sends = 0;
  const auto period =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / args.rate));
  auto next = Clock::now() + period;
  for (std::size_t m = 0; m < args.messages; ++m) {
    std::this_thread::sleep_until(next);
    next += period;
    // Every copy carries the round's start, as a broadcast's timestamp does.
    const std::int64_t began = now_ns();
    std::memcpy(message.data(), &began, sizeof began);
    for (const int s : connections) {
      if (send(s, message.data(), message.size(), MSG_NOSIGNAL) !=
          static_cast<ssize_t>(message.size())) {
        ++failed_sends;
      }
    }
    round_ns.push_back(now_ns() - began);
  }
  std::size_t count = 0;
  if (read(result_pipe[0], &count, sizeof count) != sizeof count) die("read results");
  std::vector<std::int64_t> latencies(count);
  auto* data = reinterpret_cast<char*>(latencies.data());  // NOLINT
  std::size_t left = count * sizeof(std::int64_t);
  while (left > 0) {
    const ssize_t r = read(result_pipe[0], data, left);
    if (r <= 0) die("read results");
    data += r;
    left -= static_cast<std::size_t>(r);
  }
  int status = 0;
  waitpid(child, &status, 0);
  const double round_ms = percentile(round_ns, 50) / 1e6;
  std::printf(
      "{\"clients\":%zu,\"bytes\":%zu,\"messages\":%zu,\"failed_sends\":%zu,"
      "\"delivered\":%zu,\"expected\":%zu,\"send_us\":%.2f,\"round_ms\":{\"p50\":%.2f,\"max\":%.2f}"
      ","
      "\"latency_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f}}\n",
      args.clients, args.bytes, args.messages, failed_sends, count, args.clients * args.messages,
      round_ms * 1000.0 / static_cast<double>(args.clients), round_ms,
      percentile(round_ns, 100) / 1e6, percentile(latencies, 50) / 1e6,
      percentile(latencies, 99) / 1e6, percentile(latencies, 100) / 1e6);
  return failed_sends == 0 && count == args.clients * args.messages ? 0 : 1;
}
