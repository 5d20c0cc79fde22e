// SPDX-License-Identifier: Apache-2.0
// Chain-backed benchmark harness: a real Anvil with the real Lottery contract
// (tests/integration/support) and the real `lottery serve` binary.
//
//   load_chain env --out FILE [--bets N]
//       Anvil + contract + N bets (a live round); writes one JSON line
//       {rpc_url, ws_url, contract, anvil_pid} to FILE and runs until
//       SIGTERM/SIGINT, then stops Anvil. Used by run-h1.sh and run-startup.sh.
//   load_chain startup --lottery BIN [--runs N] [--rpc-url URL --contract ADDR]
//       [--idle-s S]
//       S1/M1: exec → first 200 on /health, N times; idle RSS after S seconds.
//       Without --rpc-url the node is unreachable (a closed port).
//   load_chain e1 --lottery BIN [--transport ws|http] [--bets N] [--poll-s P]
//       E1: a bet mined on Anvil → `participants_update` on a WebSocket client.
//   load_chain o1 --lottery BIN [--rounds N]
//       O1: the first block whose timestamp opens the draw window → the
//       operator's draw transaction seen by the node (newPendingTransactions).
//
// --cpu C pins the harness (and the Anvil it starts) to core C, --server-cpu S
// starts `lottery serve` through `taskset -c S`. Each mode prints a human line per figure and one
// JSON line `{"figure":…}`. Every child (Anvil, lottery) is stopped by its PID when the mode ends.

#include "support/http_test_client.hpp"
#include "support/lottery_chain.hpp"
#include "support/process_runner.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>

#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace lottery::integration;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

using Flags = std::map<std::string, std::string>;

Flags parse_flags(int argc, char** argv, int first) {
  Flags flags;
  for (int i = first; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag.rfind("--", 0) != 0 || i + 1 >= argc) {
      throw std::invalid_argument("expected --flag value, got '" + flag + "'");
    }
    flags[flag.substr(2)] = argv[++i];
  }
  return flags;
}

std::string flag_or(const Flags& flags, const std::string& name, const std::string& fallback) {
  const auto it = flags.find(name);
  return it == flags.end() ? fallback : it->second;
}

std::uint16_t free_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct Summary {
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
  std::size_t n = 0;
};

Summary summarise(std::vector<double> v) {
  Summary s;
  s.n = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  // Nearest rank: with fewer than 100 samples p99 is the maximum.
  auto rank = [&](double p) {
    const auto r = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, r == 0 ? 0 : r - 1)];
  };
  s.p50 = rank(50);
  s.p90 = rank(90);
  s.p99 = rank(99);
  s.max = v.back();
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  return s;
}

std::string summary_json(const Summary& s) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"n\":%zu,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
                "\"mean_ms\":%.3f}",
                s.n, s.p50, s.p90, s.p99, s.max, s.mean);
  return buf;
}

long status_kib(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  const std::string prefix = std::string(field) + ':';
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::atol(line.c_str() + prefix.size());
  }
  return -1;
}

/// Environment of `lottery serve` for the benchmarks (set in this process,
/// inherited by the child).
void set_service_env(const std::string& rpc_url, const std::string& contract, std::uint16_t port,
                     const std::string& key, const std::string& poll_s) {
  ::setenv("BLOCKCHAIN_RPC_URL", rpc_url.c_str(), 1);
  ::setenv("BLOCKCHAIN_CONTRACT_ADDRESS", contract.c_str(), 1);
  if (key.empty())
    ::unsetenv("BLOCKCHAIN_OPERATOR_PRIVATE_KEY");
  else
    ::setenv("BLOCKCHAIN_OPERATOR_PRIVATE_KEY", key.c_str(), 1);
  ::setenv("EVENTMGR_CONFIRMATIONS", "0", 1);
  ::setenv("EVENTMGR_POLL_INTERVAL_SECONDS", poll_s.c_str(), 1);
  ::setenv("SERVER_HOST", "127.0.0.1", 1);
  ::setenv("SERVER_PORT", std::to_string(port).c_str(), 1);
  ::setenv("SERVER_STATIC_DIR", "/nonexistent-lottery-bench-static", 1);
  ::setenv("APP_LOG_LEVEL", "warn", 1);
}

/// Waits until GET `target` satisfies `ok`; throws after `timeout`.
HttpReply get_until(std::uint16_t port, const std::string& target,
                    const std::function<bool(const HttpReply&)>& ok,
                    std::chrono::milliseconds timeout, BackgroundProcess* child) {
  const auto end = Clock::now() + timeout;
  HttpReply last;
  while (Clock::now() < end) {
    last = http_request(port, "GET", target, {}, {}, 2s);
    if (ok(last)) return last;
    if (child != nullptr && !child->running()) {
      throw std::runtime_error("lottery serve exited:\n" + child->read_log());
    }
    std::this_thread::sleep_for(20ms);
  }
  throw std::runtime_error("timed out waiting for " + target +
                           " (last: " + std::to_string(last.status) + " " + last.body + last.error +
                           ")" + (child != nullptr ? "\n" + child->read_log() : std::string()));
}

std::uint64_t json_u64(const json::value& v) {
  if (v.is_uint64()) return v.as_uint64();
  if (v.is_int64()) return static_cast<std::uint64_t>(v.as_int64());
  if (v.is_string()) return std::stoull(std::string(v.as_string()));
  throw std::runtime_error("not a number: " + json::serialize(v));
}

/// `lottery serve`, started through taskset when --server-cpu is given (the
/// harness, Anvil and the client stay on --cpu).
std::vector<std::string> serve_argv(const Flags& flags, const std::string& lottery) {
  const auto cpu = flags.find("server-cpu");
  if (cpu == flags.end()) return {lottery, "serve"};
  return {"/usr/bin/taskset", "-c", cpu->second, lottery, "serve"};
}

void pin_to(const Flags& flags) {
  const auto cpu = flags.find("cpu");
  if (cpu == flags.end()) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(std::stoi(cpu->second), &set);
  ::sched_setaffinity(0, sizeof set, &set);
}

// ------------------------------------------------------------------ env

volatile sig_atomic_t g_stop = 0;
extern "C" void on_signal(int) {
  g_stop = 1;
}

int run_env(const Flags& flags) {
  const std::string out = flag_or(flags, "out", "");
  if (out.empty()) throw std::invalid_argument("env: --out FILE is required");
  const int bets = std::stoi(flag_or(flags, "bets", "3"));
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  LotteryChain chain;
  for (int i = 0; i < bets; ++i) {
    chain.bet(static_cast<std::size_t>(2 + i % 8), kMinBetWei);
  }
  json::object doc{{"rpc_url", chain.http_url()},
                   {"ws_url", chain.ws_url()},
                   {"contract", chain.contract_address()},
                   {"anvil_pid", chain.anvil().pid()}};
  {
    const std::string tmp = out + ".tmp";
    std::ofstream file(tmp);
    file << json::serialize(doc) << '\n';
    file.close();
    fs::rename(tmp, out);
  }
  while (g_stop == 0) ::pause();
  return 0;
}

// -------------------------------------------------------------- startup

int run_startup(const Flags& flags) {
  const std::string lottery = flag_or(flags, "lottery", "");
  if (lottery.empty()) throw std::invalid_argument("startup: --lottery BIN is required");
  const int runs = std::stoi(flag_or(flags, "runs", "20"));
  const double idle_s = std::stod(flag_or(flags, "idle-s", "3"));
  std::string rpc_url = flag_or(flags, "rpc-url", "");
  const bool reachable = !rpc_url.empty();
  if (!reachable) rpc_url = "http://127.0.0.1:" + std::to_string(free_port());
  const std::string contract =
      flag_or(flags, "contract", "0x5fbdb2315678afecb367f032d93f642f64180aa3");
  const std::string label = reachable ? "reachable" : "unreachable";
  const fs::path dir =
      fs::temp_directory_path() / ("lottery-bench-startup-" + std::to_string(::getpid()));
  fs::create_directories(dir);

  std::vector<double> times;
  long idle_rss = -1;
  long idle_hwm = -1;
  for (int run = 0; run < runs; ++run) {
    const std::uint16_t port = free_port();
    set_service_env(rpc_url, contract, port, "", "1");
    const auto t0 = Clock::now();
    BackgroundProcess child(serve_argv(flags, lottery), (dir / "serve.log").string());
    std::optional<double> first_ok;
    while (Clock::now() - t0 < 10s) {
      const HttpReply reply = http_request(port, "GET", "/health", {}, {}, 1s);
      if (reply.status == 200) {
        first_ok = ms_since(t0);
        break;
      }
      if (!child.running()) break;
      std::this_thread::sleep_for(100us);
    }
    if (!first_ok) {
      throw std::runtime_error("startup: no 200 on /health within 10 s:\n" + child.read_log());
    }
    times.push_back(*first_ok);
    if (run == 0) {
      // M1: the idle process after its first sync (or its first failures).
      std::this_thread::sleep_for(std::chrono::duration<double>(idle_s));
      idle_rss = status_kib(child.pid(), "VmRSS");
      idle_hwm = status_kib(child.pid(), "VmHWM");
    }
    child.stop();
  }
  fs::remove_all(dir);
  const Summary s = summarise(times);
  std::printf(
      "S1 (%s node): exec -> first 200 on /health: p50 %.2f ms, p99 %.2f ms, max %.2f ms "
      "(%zu runs)\n",
      label.c_str(), s.p50, s.p99, s.max, s.n);
  std::printf("M1 (%s node): idle RSS after %.0f s: %.1f MB (VmHWM %.1f MB)\n", label.c_str(),
              idle_s, static_cast<double>(idle_rss) / 1024.0,
              static_cast<double>(idle_hwm) / 1024.0);
  std::printf(
      "{\"figure\":\"S1\",\"node\":\"%s\",\"startup\":%s,\"idle_rss_kib\":%ld,"
      "\"idle_hwm_kib\":%ld}\n",
      label.c_str(), summary_json(s).c_str(), idle_rss, idle_hwm);
  return 0;
}

// ------------------------------------------------------------------- e1

int run_e1(const Flags& flags) {
  const std::string lottery = flag_or(flags, "lottery", "");
  if (lottery.empty()) throw std::invalid_argument("e1: --lottery BIN is required");
  const std::string transport = flag_or(flags, "transport", "ws");
  const int bets = std::stoi(flag_or(flags, "bets", "30"));
  const std::string poll_s = flag_or(flags, "poll-s", "1");
  const fs::path dir =
      fs::temp_directory_path() / ("lottery-bench-e1-" + std::to_string(::getpid()));
  fs::create_directories(dir);

  LotteryChain chain;
  const std::uint16_t port = free_port();
  set_service_env(transport == "ws" ? chain.ws_url() : chain.http_url(), chain.contract_address(),
                  port, "", poll_s);
  BackgroundProcess serve(serve_argv(flags, lottery), (dir / "serve.log").string());
  get_until(
      port, "/api/ready", [](const HttpReply& r) { return r.status == 200; }, 20s, &serve);

  WsTestClient ws;
  if (!ws.connect(port)) throw std::runtime_error("e1: WebSocket connect failed: " + ws.error());
  if (!ws.next_of_type("snapshot", 5s)) throw std::runtime_error("e1: no snapshot");

  chain.set_automine(false);
  // A bet lands at a random point of the poll period (uniform), so the http
  // figure shows the whole distribution, not only the worst case.
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> jitter_ms(
      0, std::max(250, static_cast<int>(std::stod(poll_s) * 1000.0)));
  std::vector<double> from_request;
  std::vector<double> from_mined;
  const auto wait = std::chrono::milliseconds(static_cast<long>(std::stod(poll_s) * 1000.0) + 5000);
  for (int i = 0; i < bets; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(jitter_ms(rng)));
    const std::size_t account = static_cast<std::size_t>(2 + i % 8);
    chain.send(account, LotteryChain::kPlaceBet, kMinBetWei);
    while (ws.pending() > 0) ws.next(0ms);  // nothing stale counts
    const auto t0 = Clock::now();
    chain.mine();
    const auto t_mined = Clock::now();
    const auto update = ws.next_of_type("participants_update", wait);
    const auto t1 = Clock::now();
    if (!update)
      throw std::runtime_error("e1: no participants_update for bet " + std::to_string(i) + "\n" +
                               serve.read_log());
    from_request.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    from_mined.push_back(std::chrono::duration<double, std::milli>(t1 - t_mined).count());
  }
  serve.stop();
  fs::remove_all(dir);
  const Summary a = summarise(from_request);
  const Summary b = summarise(from_mined);
  std::printf(
      "E1 (%s RPC%s): evm_mine sent -> participants_update: p50 %.2f ms, p99 %.2f ms, "
      "max %.2f ms (%zu bets); from the mined block's reply: p50 %.2f ms, p99 %.2f ms\n",
      transport.c_str(), transport == "ws" ? "" : (", poll " + poll_s + " s").c_str(), a.p50, a.p99,
      a.max, a.n, b.p50, b.p99);
  std::printf(
      "{\"figure\":\"E1\",\"transport\":\"%s\",\"poll_s\":%s,\"from_mine_request\":%s,"
      "\"from_mine_reply\":%s}\n",
      transport.c_str(), poll_s.c_str(), summary_json(a).c_str(), summary_json(b).c_str());
  return 0;
}

// ------------------------------------------------------------------- o1

int run_o1(const Flags& flags) {
  const std::string lottery = flag_or(flags, "lottery", "");
  if (lottery.empty()) throw std::invalid_argument("o1: --lottery BIN is required");
  const int rounds = std::stoi(flag_or(flags, "rounds", "20"));
  const fs::path dir =
      fs::temp_directory_path() / ("lottery-bench-o1-" + std::to_string(::getpid()));
  fs::create_directories(dir);

  LotteryChain chain;
  const std::uint16_t port = free_port();
  set_service_env(chain.ws_url(), chain.contract_address(), port,
                  std::string(LotteryChain::private_key(1)), "1");
  BackgroundProcess serve(serve_argv(flags, lottery), (dir / "serve.log").string());
  get_until(
      port, "/api/ready", [](const HttpReply& r) { return r.status == 200; }, 20s, &serve);
  const HttpReply config_reply = get_until(
      port, "/api/contract/config",
      [](const HttpReply& r) { return r.status == 200 && r.json().is_object(); }, 10s, &serve);
  const std::uint64_t min_players =
      std::max<std::uint64_t>(2, json_u64(config_reply.json().at("config").at("minParticipants")));

  // The node's view of new transactions: eth_subscribe newPendingTransactions.
  WsTestClient node;
  if (!node.connect(chain.anvil().port(), "/")) {
    throw std::runtime_error("o1: cannot open a WebSocket to Anvil: " + node.error());
  }
  node.send(
      R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newPendingTransactions"]})");
  if (!node.next(5s)) throw std::runtime_error("o1: no subscription reply from Anvil");

  std::vector<double> reaction;
  for (int round = 0; round < rounds; ++round) {
    chain.set_automine(true);
    for (std::uint64_t p = 0; p < min_players; ++p) {
      chain.bet(static_cast<std::size_t>(2 + p % 8), kMinBetWei);
    }
    // The service's view of the round (after it saw the bets).
    const HttpReply status = get_until(
        port, "/api/round/status",
        [&](const HttpReply& r) {
          const json::value doc = r.json();
          return r.status == 200 && doc.is_object() &&
                 json_u64(doc.at("participant_count")) >= min_players &&
                 doc.at("state_name") == "betting";
        },
        10s, &serve);
    const std::uint64_t min_draw = json_u64(status.json().at("min_draw_time"));
    chain.set_automine(false);
    while (node.pending() > 0) node.next(0ms);
    chain.rpc("evm_setNextBlockTimestamp", json::array{min_draw});
    const auto t0 = Clock::now();
    chain.mine();  // the first block inside the draw window
    const auto seen = node.next(5s);
    const auto t1 = Clock::now();
    if (!seen || seen->find("eth_subscription") == std::string::npos) {
      throw std::runtime_error("o1: no draw transaction within 5 s in round " +
                               std::to_string(round) + "\n" + serve.read_log());
    }
    reaction.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    // Include the draw. Anvil can announce a transaction a moment before a
    // mined block would include it, so mine again until the round is over.
    bool finished = false;
    for (int attempt = 0; attempt < 20 && !finished; ++attempt) {
      chain.mine();
      try {
        get_until(
            port, "/api/round/status",
            [&](const HttpReply& r) {
              const json::value doc = r.json();
              return r.status == 200 && doc.is_object() && doc.at("state_name") != "betting";
            },
            1s, &serve);
        finished = true;
      } catch (const std::runtime_error&) {
        // not yet: mine another block
      }
    }
    if (!finished) {
      throw std::runtime_error("o1: the round was not drawn in round " + std::to_string(round) +
                               "\n" + serve.read_log());
    }
  }
  serve.stop();
  fs::remove_all(dir);
  const Summary s = summarise(reaction);
  std::printf(
      "O1 (ws RPC): window-opening block mined -> draw transaction at the node: p50 %.2f "
      "ms, p99 %.2f ms, max %.2f ms (%zu rounds)\n",
      s.p50, s.p99, s.max, s.n);
  std::printf("{\"figure\":\"O1\",\"reaction\":%s}\n", summary_json(s).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: load_chain env|startup|e1|o1 [--flag value]...\n");
    return 2;
  }
  try {
    const std::string mode = argv[1];
    const Flags flags = parse_flags(argc, argv, 2);
    pin_to(flags);
    if (mode == "env") return run_env(flags);
    if (mode == "startup") return run_startup(flags);
    if (mode == "e1") return run_e1(flags);
    if (mode == "o1") return run_o1(flags);
    std::fprintf(stderr, "load_chain: unknown mode '%s'\n", mode.c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "load_chain: %s\n", e.what());
    return 1;
  }
}
