// SPDX-License-Identifier: Apache-2.0
// The real `lottery serve` binary end to end: a real Anvil with the real
// Lottery contract, the service started as a child process with its
// configuration in the environment, once over an http:// and once over a
// ws:// RPC URL. Checks health, the WebSocket feed, the REST views, a draw
// made by the service's own operator (exactly one transaction), robustness
// against malformed requests, a clean SIGTERM shutdown and that the operator
// key never reaches the service's output.

#include "contract/calls.hpp"
#include "eth/hex.hpp"
#include "eth/secp256k1.hpp"
#include "eth/transaction.hpp"
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
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace lottery::integration {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kOperator = 1;
constexpr std::size_t kPlayerA = 2;  // bets 1 finney
constexpr std::size_t kPlayerB = 3;  // bets 3 finney
constexpr std::uint64_t kBetA = kMinBetWei;
constexpr std::uint64_t kBetB = 3 * kMinBetWei;
constexpr std::uint64_t kPot = kBetA + kBetB;
// LotteryChainOptions' default commission is 500 bps.
constexpr std::uint64_t kCommission = kPot * 500 / 10'000;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// Every WebSocket message in arrival order, parsed, so a test can look for
/// one type without dropping the others (WsTestClient::next_of_type skips).
class Feed {
 public:
  explicit Feed(WsTestClient& ws) : ws_(ws) {}

  /// The first message so far or arriving within `timeout` of `type` that
  /// satisfies `match` (its "payload" is passed).
  std::optional<json::object> wait_for(const std::string& type,
                                       const std::function<bool(const json::object&)>& match,
                                       std::chrono::milliseconds timeout = 10s) {
    const auto deadline = Clock::now() + timeout;
    std::size_t checked = 0;
    while (true) {
      for (; checked < messages_.size(); ++checked) {
        const json::object& m = messages_[checked];
        const auto* t = m.if_contains("type");
        const auto* payload = m.if_contains("payload");
        if (t == nullptr || !t->is_string() || t->as_string() != type) continue;
        if (payload == nullptr || !payload->is_object()) continue;
        if (match(payload->as_object())) return m;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return std::nullopt;
      if (!pull(left)) return std::nullopt;
    }
  }

  /// Takes one message (waiting up to `timeout`); false when none came.
  bool pull(std::chrono::milliseconds timeout) {
    auto text = ws_.next(timeout);
    if (!text) return false;
    boost::system::error_code ec;
    json::value doc = json::parse(*text, ec);
    if (!ec && doc.is_object()) {
      messages_.push_back(std::move(doc.as_object()));
    } else {
      ADD_FAILURE() << "WebSocket message is not a JSON object: " << *text;
    }
    return true;
  }

  const std::vector<json::object>& messages() const { return messages_; }

  std::string types() const {
    std::string out;
    for (const auto& m : messages_) {
      if (const auto* t = m.if_contains("type"); t != nullptr && t->is_string()) {
        out += std::string(t->as_string()) + " ";
      }
    }
    return out;
  }

 private:
  WsTestClient& ws_;
  std::vector<json::object> messages_;
};

std::string str(const json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : json::serialize(v);
}

double number(const json::value& v) {
  return v.is_number() ? v.to_number<double>() : -1.0;
}

/// GETs `target` until `accept` holds for the reply or `timeout` passes; the last reply.
HttpReply get_until(std::uint16_t port, const std::string& target,
                    const std::function<bool(const HttpReply&)>& accept,
                    std::chrono::milliseconds timeout, BackgroundProcess* process = nullptr) {
  const auto deadline = Clock::now() + timeout;
  HttpReply reply;
  while (true) {
    reply = http_request(port, "GET", target, {}, {}, 2s);
    if (accept(reply) || Clock::now() >= deadline) return reply;
    if (process != nullptr && !process->running()) return reply;
    std::this_thread::sleep_for(100ms);
  }
}

class ServeIntegration : public ::testing::TestWithParam<std::string> {};

TEST_P(ServeIntegration, ServesFollowsDrawsAndStopsCleanly) {
  if (!AnvilProcess::available()) GTEST_SKIP() << "node_modules/.bin/anvil missing; run npm ci";
  const std::string transport = GetParam();
  const auto started = Clock::now();

  LotteryChain chain;
  const std::string rpc_url = transport == "ws" ? chain.ws_url() : chain.http_url();

  const fs::path dir = fs::temp_directory_path() /
                       ("lottery-serve-it-" + std::to_string(::getpid()) + "-" + transport);
  fs::remove_all(dir);
  fs::create_directories(dir / "static");
  const std::string marker = "serve-it-index-" + transport;
  {
    std::ofstream index(dir / "static" / "index.html");
    index << "<!doctype html><title>" << marker << "</title>\n";
  }

  const std::uint16_t port = free_loopback_port();
  const std::string key = std::string(LotteryChain::private_key(kOperator));
  const std::vector<std::string> env = {
      "BLOCKCHAIN_RPC_URL=" + rpc_url,
      "BLOCKCHAIN_CONTRACT_ADDRESS=" + chain.contract_address(),
      "BLOCKCHAIN_OPERATOR_PRIVATE_KEY=" + key,
      "EVENTMGR_CONFIRMATIONS=0",
      "EVENTMGR_POLL_INTERVAL_SECONDS=0.1",
      "SERVER_HOST=127.0.0.1",
      "SERVER_PORT=" + std::to_string(port),
      "SERVER_STATIC_DIR=" + (dir / "static").string(),
      "APP_LOG_FORMAT=json",
      "APP_LOG_LEVEL=debug",
  };
  // Explicit environment (nothing inherited from the test's shell) and working
  // directory (no stray ./lottery.conf); the exit status is checked after SIGTERM.
  BackgroundProcess serve({LOTTERY_BIN, "serve"}, (dir / "serve.log").string(),
                          SpawnOptions{env, dir.string()});
  const auto dump = [&] { return "\n--- service output ---\n" + serve.read_log(); };

  // ---- readiness
  const HttpReply ready = get_until(
      port, "/api/ready", [](const HttpReply& r) { return r.status == 200; }, 20s, &serve);
  ASSERT_EQ(ready.status, 200) << ready.body << ready.error << dump();
  std::printf(
      "[serve-it/%s] ready on port %u after %lld ms (rpc %s)\n", transport.c_str(), port,
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()),
      rpc_url.c_str());

  // ---- 1. health on both paths, operator running with account 1
  const HttpReply health = get_until(
      port, "/health",
      [](const HttpReply& r) {
        const json::value doc = r.json();
        const auto* op = doc.is_object() ? doc.as_object().if_contains("components") : nullptr;
        return op != nullptr && op->is_object() && op->as_object().contains("operator") &&
               str(op->as_object().at("operator").at("status")) == "running";
      },
      10s);
  ASSERT_EQ(health.status, 200) << health.body << dump();
  for (const char* path : {"/health", "/api/health"}) {
    const HttpReply r = http_request(port, "GET", path);
    ASSERT_EQ(r.status, 200) << path << " " << r.body;
    const json::value doc = r.json();
    ASSERT_TRUE(doc.is_object()) << path << " " << r.body;
    EXPECT_EQ(str(doc.at("status")), "ok") << path << " " << r.body;
    const json::value& components = doc.at("components");
    EXPECT_EQ(components.at("blockchain").at("chain_id"), json::value(31337)) << r.body;
    EXPECT_EQ(str(components.at("operator").at("status")), "running") << r.body;
    EXPECT_EQ(str(components.at("operator").at("address")), kDevAddresses[kOperator]) << r.body;
    // The service talks to the node over the transport under test.
    const json::value& endpoints = components.at("blockchain").at("endpoints");
    ASSERT_TRUE(endpoints.is_array() && !endpoints.as_array().empty()) << r.body;
    EXPECT_EQ(str(endpoints.at(0).at("url")).rfind(transport + "://", 0), 0u) << r.body;
    EXPECT_EQ(endpoints.at(0).at("available"), json::value(true)) << r.body;
  }
  // The static directory is served too.
  const HttpReply index = http_request(port, "GET", "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.body.find(marker), std::string::npos) << index.body;
  std::printf("[serve-it/%s] health ok: chain 31337, operator %s running, static index served\n",
              transport.c_str(), std::string(kDevAddresses[kOperator]).c_str());

  // ---- 2. WebSocket snapshot, two bets, REST views
  WsTestClient ws;
  ASSERT_TRUE(ws.connect(port, "/ws/lottery")) << ws.error();
  Feed feed(ws);
  ASSERT_TRUE(feed.pull(5s)) << "no snapshot";
  ASSERT_EQ(str(feed.messages().front().at("type")), "snapshot") << feed.types();
  const json::value snap_round = feed.messages().front().at("payload").at("round");
  // Round 1 exists from deployment and waits for its first bet.
  EXPECT_EQ(str(snap_round.at("state_name")), "waiting");
  EXPECT_EQ(snap_round.at("participant_count"), json::value(0));
  const std::uint64_t round_id = snap_round.at("round_id").to_number<std::uint64_t>();
  EXPECT_EQ(round_id, 1u);

  chain.bet(kPlayerA, kBetA);
  chain.bet(kPlayerB, kBetB);

  const auto bet_activity = [&](std::size_t account, std::uint64_t wei) {
    return feed.wait_for("activity", [&](const json::object& p) {
      return str(p.at("activity_type")) == "BetPlaced" &&
             str(p.at("details").at("player")) == kDevAddresses[account] &&
             str(p.at("details").at("amount_wei")) == std::to_string(wei);
    });
  };
  EXPECT_TRUE(bet_activity(kPlayerA, kBetA)) << feed.types();
  EXPECT_TRUE(bet_activity(kPlayerB, kBetB)) << feed.types();
  const auto participants_msg = feed.wait_for("participants_update", [](const json::object& p) {
    return p.at("total_participants") == json::value(2);
  });
  ASSERT_TRUE(participants_msg) << feed.types();
  {
    const json::object& p = participants_msg->at("payload").as_object();
    EXPECT_EQ(str(p.at("total_amount_wei")), std::to_string(kPot));
    const json::array& list = p.at("participants").as_array();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(str(list[0].at("address")), kDevAddresses[kPlayerB]);
    EXPECT_EQ(str(list[0].at("totalAmountWei")), std::to_string(kBetB));
    EXPECT_EQ(str(list[1].at("address")), kDevAddresses[kPlayerA]);
  }

  const HttpReply status = get_until(
      port, "/api/round/status",
      [](const HttpReply& r) {
        return r.json().is_object() && r.json().at("participant_count") == json::value(2);
      },
      5s);
  ASSERT_EQ(status.status, 200) << status.body;
  {
    const json::value doc = status.json();
    EXPECT_EQ(str(doc.at("state_name")), "betting") << status.body;
    EXPECT_EQ(doc.at("participant_count"), json::value(2)) << status.body;
    EXPECT_EQ(str(doc.at("total_pot")), std::to_string(kPot)) << status.body;
    EXPECT_EQ(doc.at("round_id"), json::value(round_id)) << status.body;
  }
  const HttpReply participants = http_request(port, "GET", "/api/round/participants");
  ASSERT_EQ(participants.status, 200) << participants.body;
  {
    const json::value doc = participants.json();
    const json::array& list = doc.at("participants").as_array();
    ASSERT_EQ(list.size(), 2u) << participants.body;
    EXPECT_EQ(str(list[0].at("address")), kDevAddresses[kPlayerB]) << "largest stake first";
    EXPECT_EQ(str(list[0].at("totalAmountWei")), std::to_string(kBetB));
    EXPECT_EQ(str(list[1].at("address")), kDevAddresses[kPlayerA]);
    EXPECT_EQ(str(list[1].at("totalAmountWei")), std::to_string(kBetA));
  }
  // Lower-case query: the service accepts any case and answers checksummed.
  const HttpReply player_b =
      http_request(port, "GET", "/api/round/player?player=" + LotteryChain::address(kPlayerB));
  ASSERT_EQ(player_b.status, 200) << player_b.body;
  EXPECT_EQ(str(player_b.json().at("player")), kDevAddresses[kPlayerB]);
  EXPECT_DOUBLE_EQ(number(player_b.json().at("winRate")), 75.0) << player_b.body;
  EXPECT_EQ(str(player_b.json().at("totalAmountWei")), std::to_string(kBetB));
  const HttpReply player_a =
      http_request(port, "GET", "/api/round/player?player=" + std::string(kDevAddresses[kPlayerA]));
  ASSERT_EQ(player_a.status, 200) << player_a.body;
  EXPECT_DOUBLE_EQ(number(player_a.json().at("winRate")), 25.0) << player_a.body;
  const HttpReply bad_player = http_request(port, "GET", "/api/round/player?player=0x1234");
  EXPECT_EQ(bad_player.status, 400) << bad_player.body;
  std::printf(
      "[serve-it/%s] two bets seen: WS activity x2 + participants_update, pot %llu wei, winRate "
      "75/25, bad address 400\n",
      transport.c_str(), static_cast<unsigned long long>(kPot));

  // ---- 3. the service's operator draws by itself
  const auto nonce = [&](const char* tag) {
    json::array params{json::value(LotteryChain::address(kOperator)), json::value(tag)};
    return parse_quantity(chain.rpc("eth_getTransactionCount", params));
  };
  const std::uint64_t nonce_before = nonce("latest");
  const std::uint64_t block_before = chain.block_number();
  chain.increase_time(200);  // past endTime (180 s) + minDrawDelayAfterEnd (5 s)
  chain.mine();

  const auto history_msg = feed.wait_for(
      "history_update",
      [&](const json::object& p) {
        for (const auto& r : p.at("rounds").as_array()) {
          if (r.at("round_id") == json::value(round_id)) return true;
        }
        return false;
      },
      30s);
  ASSERT_TRUE(history_msg) << feed.types() << dump();
  const json::value pushed = history_msg->at("payload").at("rounds").at(0);
  EXPECT_EQ(str(pushed.at("event_type")), "RoundCompleted");

  const HttpReply history = http_request(port, "GET", "/api/history");
  ASSERT_EQ(history.status, 200) << history.body;
  const json::value history_doc = history.json();
  const json::value& entry = history_doc.at("rounds").at(0);
  EXPECT_EQ(entry.at("round_id"), json::value(round_id)) << history.body;
  EXPECT_EQ(str(entry.at("event_type")), "RoundCompleted") << history.body;
  const std::string winner = str(entry.at("winner"));
  EXPECT_TRUE(winner == kDevAddresses[kPlayerA] || winner == kDevAddresses[kPlayerB]) << winner;
  EXPECT_EQ(str(entry.at("total_pot_wei")), std::to_string(kPot));
  EXPECT_EQ(str(entry.at("publisher_commission_wei")), std::to_string(kCommission));
  EXPECT_EQ(str(entry.at("winner_prize_wei")), std::to_string(kPot - kCommission));
  const std::string seed = str(entry.at("random_seed"));
  EXPECT_EQ(seed.size(), 66u) << seed;
  EXPECT_EQ(seed.rfind("0x", 0), 0u) << seed;
  const std::string tx_hash = str(entry.at("tx_hash"));
  ASSERT_EQ(tx_hash.size(), 66u) << history.body;
  EXPECT_EQ(str(pushed.at("tx_hash")), tx_hash);

  // The draw transaction came from the operator account to the contract.
  const json::value receipt = chain.receipt(tx_hash);
  ASSERT_TRUE(receipt.is_object()) << tx_hash;
  EXPECT_EQ(lower(str(receipt.at("from"))), LotteryChain::address(kOperator));
  EXPECT_EQ(lower(str(receipt.at("to"))), chain.contract_address());
  EXPECT_EQ(str(receipt.at("status")), "0x1");
  const std::uint64_t draw_block = parse_quantity(receipt.at("blockNumber"));
  EXPECT_GT(draw_block, block_before);
  EXPECT_EQ(entry.at("block_number"), json::value(draw_block));

  const HttpReply verify = http_request(port, "GET", "/api/verify/" + std::to_string(round_id));
  ASSERT_EQ(verify.status, 200) << verify.body;
  EXPECT_EQ(verify.json().at("match"), json::value(true)) << verify.body;
  EXPECT_EQ(verify.json().at("bets_complete"), json::value(true)) << verify.body;
  EXPECT_EQ(str(verify.json().at("onchain_winner")), winner) << verify.body;
  EXPECT_EQ(str(verify.json().at("random_seed")), seed) << verify.body;

  // More heads after the draw must not produce a second transaction.
  for (int i = 0; i < 3; ++i) {
    chain.mine();
    std::this_thread::sleep_for(300ms);
  }
  EXPECT_EQ(nonce("latest"), nonce_before + 1) << "exactly one operator transaction" << dump();
  EXPECT_EQ(nonce("pending"), nonce_before + 1) << "nothing pending either";
  std::printf(
      "[serve-it/%s] draw by the service landed in block %llu (tx %s), winner %s, prize %llu, "
      "commission %llu, verify match, operator nonce %llu -> %llu\n",
      transport.c_str(), static_cast<unsigned long long>(draw_block), tx_hash.c_str(),
      winner.c_str(), static_cast<unsigned long long>(kPot - kCommission),
      static_cast<unsigned long long>(kCommission), static_cast<unsigned long long>(nonce_before),
      static_cast<unsigned long long>(nonce_before + 1));

  // ---- 3b. every other read route of the live service, and its metrics
  struct RouteCase {
    std::string path;
    int status;
    const char* must_contain;
  };
  const std::vector<RouteCase> routes = {
      {"/api/status", 200, "\"websocket_connections\""},
      {"/api/draw/current", 200, "\"state_name\""},
      {"/api/draw/history?limit=1", 200, "\"RoundCompleted\""},
      {"/api/history/" + std::to_string(round_id), 200, "\"RoundCompleted\""},
      {"/api/history/999", 404, "\"error\""},
      {"/api/history?limit=0", 400, "\"error\""},
      {"/api/activities?limit=5", 200, "\"activity_type\""},
      {"/api/user/" + winner + "/bets", 200, "\"round_id\""},
      {"/api/user/0x1234/bets", 400, "\"error\""},
      {"/api/contract/config", 200, "\"minParticipants\""},
      {"/api/contract/address", 200, "\"contract_address\""},
      {"/api/openapi.json", 200, "\"openapi\""},
      // The child runs in a temporary directory: this is the ABI built into the binary.
      {"/contracts/abi/Lottery.abi", 200, "\"placeBet\""},
      {"/api/ready", 200, ""},
      {"/metrics", 200, "lottery_rounds_drawn 1"},
      {"/metrics", 200, "lottery_operator_txs_mined 1"},
  };
  for (const RouteCase& route : routes) {
    const HttpReply reply = http_request(port, "GET", route.path);
    EXPECT_EQ(reply.status, route.status) << route.path << ": " << reply.body.substr(0, 300);
    EXPECT_NE(reply.body.find(route.must_contain), std::string::npos)
        << route.path << " lacks " << route.must_contain << ": " << reply.body.substr(0, 300);
  }
  std::printf("[serve-it/%s] %zu more routes answered as specified, /metrics counts the draw\n",
              transport.c_str(), routes.size());

  // ---- 3c. POST /api/bet relays a wallet-signed placeBet to the node
  {
    constexpr std::size_t kRelayBettor = 4;
    eth::Transaction txn;
    txn.type = eth::TxType::kLegacy;
    txn.chain_id = 31337;
    txn.nonce = parse_quantity(
        chain.rpc("eth_getTransactionCount",
                  {json::value(LotteryChain::address(kRelayBettor)), json::value("pending")}));
    txn.gas_price = eth::U256{10'000'000'000ULL};
    txn.gas_limit = 300'000;
    txn.to = eth::parse_address(chain.contract_address()).value();
    txn.value = eth::U256{1'000'000'000'000'000ULL};
    txn.data = contract::place_bet_call();
    const auto bettor_key =
        eth::PrivateKey::from_hex(LotteryChain::private_key(kRelayBettor)).value();
    const auto signed_txn = eth::sign_transaction(txn, bettor_key).value();
    const std::string raw = eth::hex_encode(eth::encode_transaction(signed_txn));
    const HttpReply relayed =
        http_request(port, "POST", "/api/bet", R"({"raw_transaction":")" + raw + R"("})",
                     {{"Content-Type", "application/json"}});
    ASSERT_EQ(relayed.status, 200) << relayed.body;
    const std::string relayed_hash = str(relayed.json().at("tx_hash"));
    EXPECT_EQ(relayed_hash, eth::hex_encode(eth::transaction_hash(signed_txn)));
    chain.mine();
    const json::value relayed_receipt = chain.receipt(relayed_hash);
    ASSERT_TRUE(relayed_receipt.is_object()) << relayed_hash;
    EXPECT_EQ(str(relayed_receipt.at("status")), "0x1");
    std::printf("[serve-it/%s] POST /api/bet relayed a signed placeBet: %s mined with status 1\n",
                transport.c_str(), relayed_hash.c_str());
  }

  // ---- 4. malformed requests do not hurt the service
  const HttpReply bad_json = http_request(port, "POST", "/api/bet", "{\"raw_transaction\": 0x12,",
                                          {{"Content-Type", "application/json"}});
  EXPECT_EQ(bad_json.status, 400) << bad_json.body;
  const HttpReply unknown = http_request(port, "GET", "/api/no-such-route");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  const std::string garbage = raw_exchange(port, "NOT-HTTP \x01\x02\r\n\r\n", 2s);
  const HttpReply after = http_request(port, "GET", "/health");
  EXPECT_EQ(after.status, 200) << after.body;
  EXPECT_TRUE(serve.running());
  std::printf(
      "[serve-it/%s] malformed input: bad JSON bet %d, unknown route %d, garbage request line "
      "-> %d, /health still %d\n",
      transport.c_str(), bad_json.status, unknown.status, status_of(garbage), after.status);

  // ---- 5. SIGTERM: exit 0 soon, WebSocket closed with 1001
  const auto term_at = Clock::now();
  serve.signal(SIGTERM);
  const std::optional<int> close_code = ws.wait_closed(8s);
  const std::optional<int> wait_status = serve.wait_exit(8s);
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - term_at).count();
  ASSERT_TRUE(wait_status.has_value()) << "still running 8 s after SIGTERM" << dump();
  EXPECT_TRUE(WIFEXITED(*wait_status)) << "status " << *wait_status << dump();
  if (WIFEXITED(*wait_status)) {
    EXPECT_EQ(WEXITSTATUS(*wait_status), 0) << dump();
  }
  EXPECT_TRUE(close_code.has_value()) << "no WebSocket close";
  if (close_code) {
    EXPECT_EQ(*close_code, 1001) << "going away";
  }
  std::printf("[serve-it/%s] SIGTERM: exited with %d after %lld ms, WebSocket close code %d\n",
              transport.c_str(), WIFEXITED(*wait_status) ? WEXITSTATUS(*wait_status) : -1,
              static_cast<long long>(took), close_code ? *close_code : 0);

  // ---- 6. the operator key never appears in the output
  const std::string output = serve.read_log();
  const std::string output_lower = lower(output);
  const std::string key_hex = lower(key.substr(2));
  EXPECT_EQ(output_lower.find(key_hex), std::string::npos) << "operator key leaked" << dump();
  // A line in the middle of the key (e.g. split or truncated) is just as bad.
  EXPECT_EQ(output_lower.find(key_hex.substr(8, 32)), std::string::npos) << "key fragment leaked";
  // APP_LOG_FORMAT=json: every line the service printed is a JSON object.
  std::size_t lines = 0;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    ++lines;
    boost::system::error_code ec;
    const json::value doc = json::parse(line, ec);
    EXPECT_TRUE(!ec && doc.is_object()) << "not a JSON log line: " << line;
  }
  EXPECT_GT(lines, 0u);
  std::printf(
      "[serve-it/%s] secrets: %zu JSON log lines, operator key absent (any case, with or "
      "without 0x); whole case took %lld ms\n",
      transport.c_str(), lines,
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()));

  if (!HasFailure()) fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Rpc, ServeIntegration, ::testing::Values("http", "ws"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param;
                         });

}  // namespace
}  // namespace lottery::integration
