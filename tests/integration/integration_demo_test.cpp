// SPDX-License-Identifier: Apache-2.0
// The real `lottery demo` end to end, judged from the outside: it runs for a
// bounded time with 10-second rounds; the test reads the chain it printed (and
// the HTTP API) and checks that rounds were drawn by the service, that every
// simulated player's balance is exactly what its bets, gas, prizes and refunds
// say, and that SIGTERM leaves no process behind. Plus the command-line
// checks of `demo`, `deploy` and `set-operator`, and both of those commands
// against a test Anvil (success, wrong chain, not the publisher, no funds,
// unreachable node).

#include "eth/abi_signature.hpp"
#include "eth/hex.hpp"
#include "eth/u256.hpp"
#include "support/anvil_process.hpp"
#include "support/free_port.hpp"
#include "support/http_test_client.hpp"
#include "support/lottery_chain.hpp"
#include "support/process_runner.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace lottery::integration {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using eth::U256;

constexpr std::size_t kPlayers = 3;  // accounts 2, 3, 4
constexpr std::uint64_t kCommissionBps = 500;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "lottery-demo-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

// ---- JSON-RPC against the demo's chain ----

json::value rpc(std::uint16_t port, const std::string& method, const json::array& params = {}) {
  json::object request{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
  const json::value reply = json::parse(http_post(port, json::serialize(request), 10s));
  if (reply.as_object().contains("error"))
    throw std::runtime_error(method + " failed: " + json::serialize(reply.at("error")));
  return reply.at("result");
}

U256 quantity_u256(const json::value& v) {
  return eth::u256_from_quantity(std::string(v.as_string())).value();
}

U256 word_at(const std::string& data_hex, std::size_t index) {
  const auto bytes = eth::hex_decode(data_hex).value();
  return eth::u256_from_be(eth::ByteView(bytes).subspan(index * 32, 32)).value();
}

U256 topic_u256(const json::value& topic) {
  return eth::u256_from_hex(std::string(topic.as_string())).value();
}

std::string topic_address(const json::value& topic) {
  const std::string t(topic.as_string());
  return "0x" + t.substr(t.size() - 40);
}

std::string topic_hex(std::string_view signature) {
  return eth::hex_encode(eth::abi_event_topic(signature).value());
}

U256 balance_at(std::uint16_t port, const std::string& address, std::uint64_t block) {
  return quantity_u256(rpc(port, "eth_getBalance", {address, quantity(block)}));
}

struct Banner {
  pid_t anvil_pid = -1;
  std::uint16_t rpc_port = 0;
  std::string contract;
  fs::path anvil_log;
};

std::optional<Banner> parse_banner(const std::string& log) {
  static const std::regex kAnvil(R"(Anvil:\s+pid (\d+), log (\S+))");
  static const std::regex kRpc(R"(Chain:.*RPC http://127\.0\.0\.1:(\d+))");
  static const std::regex kContract(R"(Contract:\s+(0x[0-9a-fA-F]{40}))");
  std::smatch a;
  std::smatch r;
  std::smatch c;
  if (!std::regex_search(log, a, kAnvil) || !std::regex_search(log, r, kRpc) ||
      !std::regex_search(log, c, kContract))
    return std::nullopt;
  Banner b;
  b.anvil_pid = static_cast<pid_t>(std::stol(a[1].str()));
  b.anvil_log = a[2].str();
  b.rpc_port = static_cast<std::uint16_t>(std::stoul(r[1].str()));
  b.contract = lower(c[1].str());
  return b;
}

json::array contract_logs(std::uint16_t port, const std::string& contract, const std::string& topic,
                          std::uint64_t to_block) {
  json::object filter{{"address", contract},
                      {"fromBlock", "0x0"},
                      {"toBlock", quantity(to_block)},
                      {"topics", json::array{json::value(topic)}}};
  return rpc(port, "eth_getLogs", {filter}).as_array();
}

// ---------------------------------------------------------------- demo end to end

TEST(Demo, DrawsRoundsKeepsBalancesExactAndStopsCleanly) {
  if (!AnvilProcess::available())
    GTEST_SKIP() << "node_modules/.bin/anvil missing: run scripts/setup.sh";
  const fs::path dir = make_temp_dir();
  const std::uint16_t http_port = free_loopback_port();
  // Explicit environment and working directory: nothing leaks in from the shell.
  BackgroundProcess demo(
      {LOTTERY_BIN, "demo", "--port", std::to_string(http_port), "--round-seconds", "10",
       "--players", std::to_string(kPlayers), "--block-time", "1", "--chain-port", "0"},
      (dir / "demo.log").string(),
      SpawnOptions{std::vector<std::string>{"PATH=/usr/bin:/bin", "HOME=" + dir.string(),
                                            "TMPDIR=" + dir.string()},
                   dir.string()});

  // 1. The banner: Anvil's pid, the chain's RPC port, the contract.
  std::optional<Banner> banner;
  for (const auto deadline = Clock::now() + 90s; !banner && Clock::now() < deadline;) {
    ASSERT_FALSE(demo.poll()) << "the demo exited during start-up:\n" << demo.read_log();
    banner = parse_banner(demo.read_log());
    if (!banner) std::this_thread::sleep_for(200ms);
  }
  ASSERT_TRUE(banner) << "no banner within 90 s:\n" << demo.read_log();
  EXPECT_TRUE(process_exists(banner->anvil_pid));
  EXPECT_NE(demo.read_log().find("Anvil's public, well-known dev keys"), std::string::npos);
  const std::uint16_t port = banner->rpc_port;
  EXPECT_EQ(parse_quantity(rpc(port, "eth_chainId")), 31337U);

  // 2. Wait for two rounds drawn by the service (10 s betting + 5 s + a block each).
  const std::string completed_topic =
      topic_hex("RoundCompleted(uint256,address,uint256,uint256,uint256,uint256,uint256,uint256)");
  json::array completed;
  for (const auto deadline = Clock::now() + 150s; Clock::now() < deadline;) {
    ASSERT_FALSE(demo.poll()) << "the demo exited:\n" << demo.read_log();
    completed = contract_logs(port, banner->contract, completed_topic,
                              parse_quantity(rpc(port, "eth_blockNumber")));
    if (completed.size() >= 2) break;
    std::this_thread::sleep_for(1s);
  }
  ASSERT_GE(completed.size(), 2U) << demo.read_log();

  // 3. The HTTP API served by the demo agrees with the chain.
  {
    const HttpReply health = http_request(http_port, "GET", "/api/health");
    ASSERT_EQ(health.status, 200) << health.body;
    EXPECT_EQ(health.json().at("components").at("operator").at("status").as_string(), "running");
    bool api_caught_up = false;
    json::value history;
    for (const auto deadline = Clock::now() + 20s; Clock::now() < deadline && !api_caught_up;) {
      const HttpReply reply = http_request(http_port, "GET", "/api/history?limit=50");
      ASSERT_EQ(reply.status, 200) << reply.body;
      history = reply.json();
      api_caught_up = history.at("summary").at("completed_rounds").to_number<std::uint64_t>() >= 2;
      if (!api_caught_up) std::this_thread::sleep_for(500ms);
    }
    ASSERT_TRUE(api_caught_up) << json::serialize(history);
    std::set<std::string> api_winners;
    for (const auto& round : history.at("rounds").as_array()) {
      if (round.at("event_type").as_string() == "RoundCompleted")
        api_winners.insert(lower(std::string(round.at("winner").as_string())));
    }
    for (const auto& log : completed) {
      EXPECT_TRUE(api_winners.count(topic_address(log.at("topics").at(2))))
          << "the API's history lacks a winner the chain has";
    }
  }

  // 4. Exact accounting at one block: every player's balance is its start
  //    balance minus bets and gas plus prizes and refunds.
  const std::uint64_t at = parse_quantity(rpc(port, "eth_blockNumber"));
  std::set<std::string> players;
  for (std::size_t i = 0; i < kPlayers; ++i) players.insert(LotteryChain::address(2 + i));
  completed = contract_logs(port, banner->contract, completed_topic, at);
  const json::array bets = contract_logs(
      port, banner->contract, topic_hex("BetPlaced(uint256,address,uint256,uint256,uint256)"), at);
  const json::array refunds =
      contract_logs(port, banner->contract,
                    topic_hex("RoundRefunded(uint256,uint256,uint256,string,uint256)"), at);

  std::map<std::string, U256> expected;  // per player: start balance, then adjusted
  for (const auto& p : players) expected[p] = balance_at(port, p, 0);
  std::map<U256, std::map<std::string, U256>> stakes;  // round -> player -> stake
  std::map<U256, U256> pots;
  for (const auto& log : bets) {
    const U256 round = topic_u256(log.at("topics").at(1));
    const std::string player = topic_address(log.at("topics").at(2));
    ASSERT_TRUE(players.count(player)) << "a bet from an account that is not a simulated player";
    const U256 amount = word_at(std::string(log.at("data").as_string()), 0);
    stakes[round][player] += amount;
    pots[round] += amount;
  }
  // Every transaction a player sent (bets, and any that reverted) costs value + gas.
  std::uint64_t player_txns = 0;
  for (std::uint64_t n = 0; n <= at; ++n) {
    const json::value block = rpc(port, "eth_getBlockByNumber", {quantity(n), true});
    for (const auto& txn : block.at("transactions").as_array()) {
      const std::string from = lower(std::string(txn.at("from").as_string()));
      if (!players.count(from)) continue;
      ++player_txns;
      const json::value receipt =
          rpc(port, "eth_getTransactionReceipt", {txn.at("hash").as_string()});
      const U256 fee = U256{parse_quantity(receipt.at("gasUsed"))} *
                       quantity_u256(receipt.at("effectiveGasPrice"));
      const U256 value =
          receipt.at("status").as_string() == "0x1" ? quantity_u256(txn.at("value")) : U256{0};
      expected[from] -= value + fee;
    }
  }
  EXPECT_GE(player_txns, bets.size());
  std::set<U256> drawn_rounds;
  for (const auto& log : completed) {
    const U256 round = topic_u256(log.at("topics").at(1));
    const std::string winner = topic_address(log.at("topics").at(2));
    const std::string data(log.at("data").as_string());
    const U256 pot = word_at(data, 0);
    const U256 participants = word_at(data, 1);
    const U256 prize = word_at(data, 2);
    const U256 commission = word_at(data, 3);
    ASSERT_TRUE(players.count(winner)) << "winner " << winner << " is not a simulated player";
    EXPECT_TRUE(stakes[round].count(winner)) << "the winner did not bet in round " << round;
    EXPECT_EQ(pot, pots[round]) << "round " << round;
    EXPECT_EQ(participants, U256{stakes[round].size()});
    EXPECT_EQ(commission, pot * kCommissionBps / 10'000U);
    EXPECT_EQ(prize + commission, pot);
    expected[winner] += prize;
    drawn_rounds.insert(round);
  }
  for (const auto& log : refunds) {
    const U256 round = topic_u256(log.at("topics").at(1));
    for (const auto& [player, stake] : stakes[round]) expected[player] += stake;
  }
  EXPECT_GE(drawn_rounds.size(), 2U);
  // The first simulated player joins every round; the others join each round with
  // probability 0.75, so one of them may have sat out every round so far.
  std::set<std::string> bettors;
  for (const auto& [round, by_player] : stakes) {
    for (const auto& [player, stake] : by_player) bettors.insert(player);
  }
  EXPECT_TRUE(bettors.count(LotteryChain::address(2))) << "the always-joining player never bet";
  EXPECT_GE(bettors.size(), 2U);
  for (const auto& p : players) {
    EXPECT_EQ(balance_at(port, p, at), expected[p]) << "balance of simulated player " << p;
    if (bettors.count(p)) {
      EXPECT_NE(balance_at(port, p, at), balance_at(port, p, 0)) << p << " bet but paid nothing";
    }
  }

  // 5. SIGTERM stops everything it started.
  demo.signal(SIGTERM);
  const auto status = demo.wait_exit(30s);
  ASSERT_TRUE(status) << "the demo did not exit within 30 s of SIGTERM:\n" << demo.read_log();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << demo.read_log();
  EXPECT_FALSE(process_exists(banner->anvil_pid))
      << "Anvil (pid " << banner->anvil_pid << ") is still running";
  EXPECT_THROW(rpc(port, "eth_blockNumber"), std::exception) << "the chain still answers";
  EXPECT_EQ(http_request(http_port, "GET", "/api/health", {}, {}, 1s).status, 0)
      << "the HTTP port still answers";
  EXPECT_FALSE(fs::exists(banner->anvil_log.parent_path())) << "the demo's temp dir was left";
  EXPECT_NE(demo.read_log().find("demo stopped"), std::string::npos);
  // The operator's key (dev account 1) must not be printed, unlike the wallet keys.
  EXPECT_EQ(demo.read_log().find(std::string(kDevPrivateKeys[1]).substr(2)), std::string::npos);
  fs::remove_all(dir);
}

// ---------------------------------------------------------------- argument checks

ProcessResult run_lottery(std::vector<std::string> args) {
  args.insert(args.begin(), LOTTERY_BIN);
  return run_process(args, 30s);
}

TEST(DemoCli, RefusesValuesOutsideTheContractsAndDemosLimits) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"demo", "--round-seconds", "9"}, "--round-seconds"},  // contract minimum is 10 s
      {{"demo", "--round-seconds", "604801"}, "--round-seconds"},
      {{"demo", "--players", "9"}, "--players"},  // accounts 2..9 only
      {{"demo", "--players", "2", "--no-players"}, "excludes"},
      {{"demo", "--block-time", "0"}, "--block-time"},
      {{"demo", "--port", "70000"}, "--port"},
      {{"demo", "--anvil", "/nonexistent/anvil", "--port", "1"}, "not an executable"},
      {{"deploy", "--rpc-url", "http://127.0.0.1:1", "--commission", "1001"}, "--commission"},
      {{"deploy"}, "--rpc-url"},
      {{"deploy", "--rpc-url", "http://127.0.0.1:1", "--confirmations", "0"}, "--confirmations"},
      {{"set-operator", "--rpc-url", "http://127.0.0.1:1", "--contract", "0x12", "--operator",
        "0x0000000000000000000000000000000000000001"},
       "--contract \"0x12\" is not an address"},
      {{"set-operator", "--rpc-url", "http://127.0.0.1:1", "--contract",
        "0x0000000000000000000000000000000000000001", "--operator",
        "0x0000000000000000000000000000000000000000"},
       "zero address"},
  };
  for (const auto& c : cases) {
    const ProcessResult r = run_lottery(c.args);
    EXPECT_NE(r.exit_code, 0) << format_command(c.args);
    EXPECT_FALSE(r.timed_out) << format_command(c.args);
    EXPECT_NE((r.out + r.err).find(c.message), std::string::npos) << format_command(c.args) << "\n"
                                                                  << r.out << r.err;
  }
}

// ---------------------------------------------------------------- deploy / set-operator

class DeployCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!AnvilProcess::available()) GTEST_SKIP() << "node_modules/.bin/anvil missing";
    anvil_ = std::make_unique<AnvilProcess>();
    key_dir_ = make_temp_dir();
    ::unsetenv("DEPLOYER_PRIVATE_KEY");
    ::unsetenv("DEPLOYER_PRIVATE_KEY_FILE");
  }
  void TearDown() override {
    ::unsetenv("DEPLOYER_PRIVATE_KEY");
    ::unsetenv("DEPLOYER_PRIVATE_KEY_FILE");
    if (!key_dir_.empty()) fs::remove_all(key_dir_);
  }

  std::string key_file(std::string_view key) {
    const fs::path path = key_dir_ / ("key" + std::to_string(++files_));
    std::ofstream(path) << key << "\n";
    return path.string();
  }

  std::unique_ptr<AnvilProcess> anvil_;
  fs::path key_dir_;
  int files_ = 0;
};

TEST_F(DeployCommand, DeploysSetsTheOperatorAndExplainsEveryRefusal) {
  const std::string url = anvil_->http_url();
  const std::string publisher_key = key_file(kDevPrivateKeys[0]);

  // No key at all: exit 2, one line naming the sources.
  ProcessResult r = run_lottery({"deploy", "--rpc-url", url});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no signing key"), std::string::npos) << r.err;

  // Wrong chain: refused before anything is sent.
  r = run_lottery({"deploy", "--rpc-url", url, "--key-file", publisher_key, "--chain-id", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("on chain 31337, not on chain 1"), std::string::npos) << r.err;
  EXPECT_EQ(
      parse_quantity(json::parse(anvil_->rpc("eth_getTransactionCount",
                                             "[\"" + LotteryChain::address(0) + "\",\"latest\"]"))
                         .at("result")),
      0U);

  // Unreachable node.
  r = run_lottery({"deploy", "--rpc-url",
                   "http://127.0.0.1:" + std::to_string(free_loopback_port()), "--key-file",
                   publisher_key});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("did not answer"), std::string::npos) << r.err;

  // An account without funds.
  r = run_lottery({"deploy", "--rpc-url", url, "--key-file",
                   key_file("0x1111111111111111111111111111111111111111111111111111111111111111")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("holds 0 ETH but needs up to"), std::string::npos) << r.err;

  // Success, key from the environment; stdout is the address alone.
  ::setenv("DEPLOYER_PRIVATE_KEY", std::string(kDevPrivateKeys[0]).c_str(), 1);
  r = run_lottery({"deploy", "--rpc-url", anvil_->ws_url(), "--commission", "250", "--operator",
                   LotteryChain::address(1), "--chain-id", "31337"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string contract = lower(r.out.substr(0, r.out.find('\n')));
  ASSERT_EQ(contract.size(), 42U) << r.out;
  EXPECT_NE(r.err.find("mined in block"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(std::string(kDevPrivateKeys[0]).substr(2)), std::string::npos)
      << "the key was printed";
  // getConfig(): publisher, operator, commission.
  const std::string config(
      json::parse(anvil_->rpc("eth_call",
                              "[{\"to\":\"" + contract + "\",\"data\":\"0xc3f909d4\"},\"latest\"]"))
          .at("result")
          .as_string());
  EXPECT_EQ(word_at(config, 0), eth::u256_from_hex(LotteryChain::address(0)).value());
  EXPECT_EQ(word_at(config, 1), eth::u256_from_hex(LotteryChain::address(1)).value());
  EXPECT_EQ(word_at(config, 2), U256{250});

  // Not the publisher: the simulation's revert reason, nothing sent.
  ::unsetenv("DEPLOYER_PRIVATE_KEY");
  r = run_lottery({"set-operator", "--rpc-url", url, "--contract", contract, "--operator",
                   LotteryChain::address(3), "--key-file", key_file(kDevPrivateKeys[1])});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("reverted: Only publisher"), std::string::npos) << r.err;

  // No contract at the address.
  r = run_lottery({"set-operator", "--rpc-url", url, "--contract", LotteryChain::address(5),
                   "--operator", LotteryChain::address(3), "--key-file", publisher_key});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("there is no contract at"), std::string::npos) << r.err;

  // The publisher, key from DEPLOYER_PRIVATE_KEY_FILE, two confirmations (Anvil mines on demand,
  // so a helper mines the confirming block).
  ::setenv("DEPLOYER_PRIVATE_KEY_FILE", publisher_key.c_str(), 1);
  std::atomic<bool> done{false};
  std::thread miner([&] {
    while (!done) {
      std::this_thread::sleep_for(300ms);
      anvil_->rpc("evm_mine");
    }
  });
  r = run_lottery({"set-operator", "--rpc-url", url, "--contract", contract, "--operator",
                   LotteryChain::address(3), "--confirmations", "2"});
  done = true;
  miner.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("2/2 confirmations"), std::string::npos) << r.err;
  const std::string operator_word(
      json::parse(anvil_->rpc("eth_call",
                              "[{\"to\":\"" + contract + "\",\"data\":\"0x570ca735\"},\"latest\"]"))
          .at("result")
          .as_string());
  EXPECT_EQ(word_at(operator_word, 0), eth::u256_from_hex(LotteryChain::address(3)).value());
}

}  // namespace
}  // namespace lottery::integration
