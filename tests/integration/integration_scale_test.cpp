// SPDX-License-Identifier: Apache-2.0
// Replicas end to end (SPEC §10): three real `lottery serve` processes sharing one redis-server
// (REDIS_URL, a 2 s lease) and one Anvil with the real contract, all with the same operator key.
//
//   1. one leader, the others followers (/api/health components.replica);
//   2. WebSocket clients spread over the replicas get the same sequence of messages, each once,
//      also across a leader failover;
//   3. rounds are drawn while the leader is SIGKILLed mid-round (another replica takes over within
//      lease × 2) and exactly one draw transaction lands per round;
//   4. Redis stopped (SIGSTOP) for longer than the lease: nobody sends, every replica keeps
//      serving what it follows itself; after Redis returns a leader draws the waiting round;
//   5. a replica that joins late shows the whole history (from the chain) and the leader's
//      stream (from the stored snapshot).

#include "eth/hex.hpp"
#include "eth/keccak.hpp"
#include "support/free_port.hpp"
#include "support/http_test_client.hpp"
#include "support/lottery_chain.hpp"
#include "support/redis_process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace lottery::integration {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kOperator = 1;
constexpr int kLeaseSeconds = 2;
constexpr auto kLease = std::chrono::seconds(kLeaseSeconds);
constexpr std::string_view kRoundCompleted =
    "RoundCompleted(uint256,address,uint256,uint256,uint256,uint256,uint256,uint256)";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t count_of(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

/// One `lottery serve` replica as a child process (explicit environment, own log file).
class ReplicaProcess {
 public:
  ReplicaProcess(std::string name, const std::vector<std::string>& env, const fs::path& dir)
      : name_(std::move(name)), port_(free_loopback_port()), log_(dir / (name_ + ".log")) {
    std::vector<std::string> full = env;
    full.push_back("SERVER_PORT=" + std::to_string(port_));
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_.c_str(),
                                       O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    ::posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
    const std::string bin = LOTTERY_BIN;
    std::vector<char*> args = {const_cast<char*>(bin.c_str()), const_cast<char*>("serve"), nullptr};
    std::vector<char*> envp;
    for (const auto& e : full) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, bin.c_str(), &actions, nullptr, args.data(), envp.data());
    ::posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("posix_spawn lottery failed: " + std::to_string(rc));
  }
  ~ReplicaProcess() { kill(); }
  ReplicaProcess(const ReplicaProcess&) = delete;
  ReplicaProcess& operator=(const ReplicaProcess&) = delete;

  /// SIGKILL (no graceful release of the lease) and reap. Idempotent.
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  /// SIGTERM (graceful stop) and wait up to `timeout`; the exit code, or -1 (killed then).
  int terminate(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + timeout;
    int status = 0;
    while (Clock::now() < deadline) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(20ms);
    }
    kill();
    return -1;
  }
  bool alive() const { return pid_ > 0; }
  const std::string& name() const { return name_; }
  std::uint16_t port() const { return port_; }
  std::string log() const { return read_file(log_); }

 private:
  std::string name_;
  pid_t pid_ = -1;
  std::uint16_t port_;
  fs::path log_;
};

json::object health_of(std::uint16_t port) {
  const HttpReply r = http_request(port, "GET", "/api/health", {}, {}, 2s);
  const json::value doc = r.json();
  return r.status == 200 && doc.is_object() ? doc.as_object() : json::object{};
}

json::object replica_of(std::uint16_t port) {
  const json::object h = health_of(port);
  const auto* c = h.if_contains("components");
  if (c == nullptr || !c->is_object()) return {};
  const auto* r = c->as_object().if_contains("replica");
  return r != nullptr && r->is_object() ? r->as_object() : json::object{};
}

std::string str_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = 100ms) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(step);
  }
  return pred();
}

/// A WebSocket client that keeps every message it got, in order.
struct Listener {
  std::string replica;
  std::unique_ptr<WsTestClient> ws = std::make_unique<WsTestClient>();
  std::vector<std::string> messages;

  void drain() {
    while (auto m = ws->next(0ms)) messages.push_back(std::move(*m));
  }
  static std::string type_of(const std::string& text) {
    boost::system::error_code ec;
    const json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) return {};
    return str_of(v.as_object(), "type");
  }
  std::size_t count_type(std::string_view type) const {
    std::size_t n = 0;
    for (const auto& m : messages) n += type_of(m) == type ? 1 : 0;
    return n;
  }
};

class ScaleIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!AnvilProcess::available()) GTEST_SKIP() << "node_modules/.bin/anvil missing; run npm ci";
    if (!RedisProcess::available())
      GTEST_SKIP() << "redis-server missing (apt install redis-server)";
    dir_ = fs::temp_directory_path() / ("lottery-scale-it-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    redis_ = std::make_unique<RedisProcess>((dir_ / "redis.log").string());
    LotteryChainOptions options;
    options.anvil.block_time = 1;  // heads keep coming, as on a real chain
    chain_ = std::make_unique<LotteryChain>(options);
  }

  void TearDown() override {
    replicas_.clear();
    chain_.reset();
    redis_.reset();
    // Logs stay behind only when something failed.
    if (!HasFailure() && !dir_.empty()) fs::remove_all(dir_);
  }

  std::vector<std::string> env() const {
    return {"BLOCKCHAIN_RPC_URL=" + chain_->http_url(),
            "BLOCKCHAIN_CONTRACT_ADDRESS=" + chain_->contract_address(),
            "BLOCKCHAIN_OPERATOR_PRIVATE_KEY=" + LotteryChain::private_key(kOperator),
            "EVENTMGR_CONFIRMATIONS=0",
            "EVENTMGR_POLL_INTERVAL_SECONDS=0.2",
            "SERVER_HOST=127.0.0.1",
            "REDIS_URL=" + redis_->url(),
            "REDIS_KEY_PREFIX=scale-it",
            "REDIS_LEASE_SECONDS=" + std::to_string(kLeaseSeconds),
            "APP_LOG_FORMAT=json",
            "APP_LOG_LEVEL=info"};
  }

  ReplicaProcess& start_replica() {
    replicas_.push_back(
        std::make_unique<ReplicaProcess>("r" + std::to_string(replicas_.size()), env(), dir_));
    return *replicas_.back();
  }

  std::vector<ReplicaProcess*> alive() {
    std::vector<ReplicaProcess*> out;
    for (auto& r : replicas_) {
      if (r->alive()) out.push_back(r.get());
    }
    return out;
  }

  std::string logs() {
    std::string out;
    for (auto& r : replicas_) out += "\n--- " + r->name() + " ---\n" + r->log();
    out += "\n--- redis ---\n" + read_file(dir_ / "redis.log");
    return out;
  }

  /// Waits for /api/ready on `r`.
  bool ready(ReplicaProcess& r, std::chrono::milliseconds timeout = 30s) {
    return eventually(
        [&] { return http_request(r.port(), "GET", "/api/ready", {}, {}, 2s).status == 200; },
        timeout);
  }

  /// The one leader among the live replicas, once the others agree they are followers.
  ReplicaProcess* leader(std::chrono::milliseconds timeout) {
    ReplicaProcess* found = nullptr;
    eventually(
        [&] {
          found = nullptr;
          int leaders = 0;
          int followers = 0;
          for (auto* r : alive()) {
            const std::string role = str_of(replica_of(r->port()), "role");
            if (role == "leader") {
              ++leaders;
              found = r;
            } else if (role == "follower") {
              ++followers;
            }
          }
          const bool ok = leaders == 1 && leaders + followers == static_cast<int>(alive().size());
          if (!ok) found = nullptr;
          return ok;
        },
        timeout);
    return found;
  }

  std::uint64_t operator_nonce() {
    json::array params{json::value(LotteryChain::address(kOperator)), json::value("latest")};
    const json::value n = chain_->rpc("eth_getTransactionCount", params);
    return std::stoull(std::string(n.as_string()), nullptr, 16);
  }

  /// RoundCompleted logs per round id.
  std::map<std::uint64_t, int> completed_rounds() {
    const std::string topic = eth::hex_encode(eth::keccak256(kRoundCompleted));
    std::map<std::uint64_t, int> out;
    for (const auto& log : chain_->get_logs(0, chain_->block_number())) {
      const auto& topics = log.as_object().at("topics").as_array();
      if (topics.size() < 2 || topics[0].as_string() != topic) continue;
      ++out[std::stoull(std::string(topics[1].as_string()), nullptr, 16)];
    }
    return out;
  }

  /// Two bets start round `round_id`; then chain time jumps past minDrawTime.
  void open_round_and_make_it_due() {
    chain_->bet(2, kMinBetWei);
    chain_->bet(3, 2 * kMinBetWei);
    chain_->increase_time(186);
    chain_->mine();
  }

  bool drawn(std::uint64_t round_id, std::chrono::milliseconds timeout) {
    return eventually([&] { return completed_rounds().count(round_id) == 1; }, timeout, 200ms);
  }

  fs::path dir_;
  std::unique_ptr<RedisProcess> redis_;
  std::unique_ptr<LotteryChain> chain_;
  std::vector<std::unique_ptr<ReplicaProcess>> replicas_;
};

TEST_F(ScaleIntegration, ThreeReplicasOneLeaderFailoverOutageAndSameFeed) {
  const auto started = Clock::now();
  for (int i = 0; i < 3; ++i) start_replica();
  for (auto* r : alive()) ASSERT_TRUE(ready(*r)) << r->name() << logs();
  ReplicaProcess* lead = leader(10s);
  ASSERT_NE(lead, nullptr) << "no single leader" << logs();
  // Every replica relays the leader's stream.
  for (auto* r : alive()) {
    ASSERT_TRUE(eventually([&] { return str_of(replica_of(r->port()), "feed") == "relay"; }, 10s))
        << r->name() << logs();
    const json::object rep = replica_of(r->port());
    EXPECT_EQ(str_of(rep, "redis"), "up");
    // The operator's status follows the lease at the next head.
    const std::string want = r == lead ? "running" : "standby";
    std::string op_status;
    EXPECT_TRUE(eventually(
        [&] {
          const json::object h = health_of(r->port());
          const auto* c = h.if_contains("components");
          if (c == nullptr) return false;
          op_status = str_of(c->as_object().at("operator").as_object(), "status");
          return op_status == want;
        },
        5s))
        << r->name() << " operator " << op_status;
  }
  std::printf(
      "[scale-it] 3 replicas ready, leader %s, after %lld ms\n", lead->name().c_str(),
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()));

  // ---- WebSocket clients: two per replica.
  std::vector<Listener> listeners;
  for (auto* r : alive()) {
    for (int k = 0; k < 2; ++k) {
      Listener l;
      l.replica = r->name();
      ASSERT_TRUE(l.ws->connect(r->port())) << l.ws->error();
      listeners.push_back(std::move(l));
    }
  }
  for (auto& l : listeners) {
    ASSERT_TRUE(eventually(
        [&] {
          l.drain();
          return !l.messages.empty();
        },
        5s));
    EXPECT_EQ(Listener::type_of(l.messages.front()), "snapshot");
  }

  // ---- rounds; the leader is SIGKILLed in rounds 2 and 4 while betting is open.
  const int kRounds = 5;
  std::vector<long long> takeover_ms;
  for (std::uint64_t round = 1; round <= kRounds; ++round) {
    const bool kill_leader = round == 2 || round == 4;
    chain_->bet(2, kMinBetWei);
    chain_->bet(3, 2 * kMinBetWei);
    const auto killed_at = Clock::now();
    if (kill_leader) {
      ReplicaProcess* current = leader(10s);
      ASSERT_NE(current, nullptr) << logs();
      current->kill();
      std::printf("[scale-it] round %llu: killed leader %s\n",
                  static_cast<unsigned long long>(round), current->name().c_str());
    }
    chain_->increase_time(186);
    chain_->mine();
    ASSERT_TRUE(drawn(round, 2 * kLease + 10s)) << "round " << round << " not drawn" << logs();
    if (kill_leader) {
      const auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed_at).count();
      takeover_ms.push_back(static_cast<long long>(ms));
      ReplicaProcess* next = leader(10s);
      ASSERT_NE(next, nullptr) << logs();
      std::printf("[scale-it] round %llu drawn by %s %lld ms after the kill\n",
                  static_cast<unsigned long long>(round), next->name().c_str(),
                  static_cast<long long>(ms));
      if (round == 2) {
        // ---- WebSocket sequences across the failover: compare clients of the survivors.
        std::this_thread::sleep_for(1500ms);
        std::vector<Listener*> survivors;
        for (auto& l : listeners) {
          l.drain();
          bool on_alive = false;
          for (auto* r : alive()) on_alive = on_alive || r->name() == l.replica;
          if (on_alive) survivors.push_back(&l);
        }
        ASSERT_GE(survivors.size(), 4U);
        // From the first bet of round 1 (the first activity) to the end, every client got the
        // same messages in the same order; a message seen by the first client that another
        // lacks shows up as a mismatch.
        const auto from_first_activity = [](const Listener& l) {
          std::vector<std::string> out;
          bool on = false;
          for (const auto& m : l.messages) {
            on = on || Listener::type_of(m) == "activity";
            if (on) out.push_back(m);
          }
          return out;
        };
        std::vector<std::string> reference = from_first_activity(*survivors[0]);
        ASSERT_GE(survivors[0]->count_type("history_update"), 2U) << "rounds 1 and 2 on the feed";
        for (auto* l : survivors) {
          std::vector<std::string> seq = from_first_activity(*l);
          const std::size_t n = std::min(seq.size(), reference.size());
          ASSERT_GE(n + 3, reference.size()) << l->replica << " is behind by more than a block";
          for (std::size_t i = 0; i < n; ++i) {
            ASSERT_EQ(seq[i], reference[i]) << "client of " << l->replica << " differs at " << i;
          }
          // Each activity once.
          std::set<std::string> activities;
          for (const auto& m : seq) {
            if (Listener::type_of(m) != "activity") continue;
            const json::value v = json::parse(m);
            const std::string id =
                json::serialize(v.as_object().at("payload").as_object().at("activity_id"));
            EXPECT_TRUE(activities.insert(id).second) << "activity " << id << " twice";
          }
        }
        std::printf(
            "[scale-it] %zu WebSocket clients on %zu replicas: identical sequences of "
            "%zu messages across the failover\n",
            survivors.size(), alive().size(), reference.size());
      }
      // Keep three replicas: a new one joins late and catches up from the chain.
      ReplicaProcess& joined = start_replica();
      ASSERT_TRUE(ready(joined)) << logs();
    }
  }
  for (const long long ms : takeover_ms) {
    // lease × 2 for the takeover plus a head or two for the draw itself.
    EXPECT_LE(ms, 2 * kLeaseSeconds * 1000 + 3000);
  }

  // ---- the late joiner: full history from the chain, leader's stream from the snapshot.
  ReplicaProcess& late = *replicas_.back();
  // Its own store caught up from the chain (all rounds, including the one drawn just now) ...
  HttpReply history;
  EXPECT_TRUE(eventually(
      [&] {
        history = http_request(late.port(), "GET", "/api/history", {}, {}, 2s);
        const json::value doc = history.json();
        return doc.is_object() &&
               doc.at("summary").at("completed_rounds").to_number<int>() == kRounds;
      },
      10s))
      << history.body;
  {
    // ... and its WebSocket clients start from the leader's snapshot, which has every round
    // once the leader has followed the last draw too (its stream may be a head behind the
    // late joiner's own store, so a new connection is tried until it is there).
    std::string last_snapshot;
    EXPECT_TRUE(eventually(
        [&] {
          WsTestClient ws;
          if (!ws.connect(late.port())) return false;
          const auto snap = ws.next_of_type("snapshot", 5s);
          if (!snap) return false;
          last_snapshot = json::serialize(*snap);
          const json::value& rounds = snap->at("payload").at("history").at("rounds");
          return rounds.as_array().size() == static_cast<std::size_t>(kRounds);
        },
        10s))
        << last_snapshot;
  }

  // ---- Redis stopped for longer than two leases: nobody sends.
  const std::uint64_t nonce_before = operator_nonce();
  chain_->bet(2, kMinBetWei);
  chain_->bet(3, 2 * kMinBetWei);
  redis_->pause();
  const auto paused_at = Clock::now();
  chain_->increase_time(186);
  chain_->mine();
  std::this_thread::sleep_for(2 * kLease + 3s);
  EXPECT_EQ(completed_rounds().count(kRounds + 1), 0U) << "a round was drawn without a leader";
  EXPECT_EQ(operator_nonce(), nonce_before) << "an operator transaction was sent without a lease";
  for (auto* r : alive()) {
    const json::object rep = replica_of(r->port());
    EXPECT_EQ(str_of(rep, "role"), "follower") << r->name();
    EXPECT_EQ(str_of(rep, "redis"), "down") << r->name();
    EXPECT_EQ(str_of(rep, "feed"), "local") << r->name();
    // Still serving what it follows itself: the due round, at the current chain time.
    const json::value status =
        http_request(r->port(), "GET", "/api/round/status", {}, {}, 2s).json();
    ASSERT_TRUE(status.is_object()) << r->name();
    EXPECT_EQ(status.at("round_id").to_number<int>(), kRounds + 1) << r->name();
    EXPECT_EQ(str_of(status.as_object(), "state_name"), "betting") << r->name();
  }
  redis_->resume();
  ASSERT_TRUE(drawn(kRounds + 1, 3 * kLease + 10s)) << "no recovery after Redis returned" << logs();
  const auto recovered_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - paused_at).count();
  ASSERT_NE(leader(10s), nullptr) << logs();
  for (auto* r : alive()) {
    EXPECT_TRUE(eventually([&] { return str_of(replica_of(r->port()), "feed") == "relay"; }, 10s))
        << r->name();
  }

  // ---- one more ordinary round after the outage.
  open_round_and_make_it_due();
  ASSERT_TRUE(drawn(kRounds + 2, 15s)) << logs();

  // ---- exactly one draw per round, and nothing else from the operator.
  const auto completed = completed_rounds();
  ASSERT_EQ(completed.size(), static_cast<std::size_t>(kRounds + 2));
  for (const auto& [round_id, n] : completed) EXPECT_EQ(n, 1) << "round " << round_id;
  EXPECT_EQ(operator_nonce(), static_cast<std::uint64_t>(kRounds + 2))
      << "operator transactions != rounds" << logs();
  std::size_t sent_lines = 0;
  for (auto& r : replicas_) sent_lines += count_of(r->log(), "\"transaction sent\"");
  EXPECT_EQ(sent_lines, static_cast<std::size_t>(kRounds + 2)) << logs();
  // ---- a graceful stop of the leader hands the lease over at once (no waiting for expiry).
  ReplicaProcess* last_leader = leader(10s);
  ASSERT_NE(last_leader, nullptr) << logs();
  const auto term_at = Clock::now();
  EXPECT_EQ(last_leader->terminate(15s), 0) << last_leader->log();
  EXPECT_NE(last_leader->log().find("released the leader lease"), std::string::npos)
      << last_leader->log();
  ReplicaProcess* successor = leader(10s);
  ASSERT_NE(successor, nullptr) << logs();
  const auto handover_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - term_at).count();
  EXPECT_LT(handover_ms, kLeaseSeconds * 1000 + 2000);
  std::printf("[scale-it] SIGTERM to the leader: exit 0, %s leader %lld ms later\n",
              successor->name().c_str(), static_cast<long long>(handover_ms));

  std::printf(
      "[scale-it] %d rounds, %zu replicas started, 2 leader kills, Redis paused %lld ms "
      "until recovery; %zu draw transactions; total %lld ms\n",
      kRounds + 2, replicas_.size(), static_cast<long long>(recovered_ms), sent_lines,
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()));
}

}  // namespace
}  // namespace lottery::integration
