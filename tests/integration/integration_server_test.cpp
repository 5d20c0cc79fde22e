// SPDX-License-Identifier: Apache-2.0
// The HTTP/WebSocket server over a real Store and real sockets: every route's
// fields and errors, static files, malformed HTTP, rate limits, CORS, and the
// WebSocket feed (snapshot, typed changes once, ping/pong, slow readers,
// graceful shutdown). The store is populated directly (as the follower would).

#include "contract/calls.hpp"
#include "eth/address.hpp"
#include "eth/hex.hpp"
#include "eth/secp256k1.hpp"
#include "eth/transaction.hpp"
#include "server/server.hpp"
#include "store/store.hpp"
#include "support/http_test_client.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace lottery::integration {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using store::Address;
using store::Hash32;
using store::U256;

constexpr std::string_view kAlice = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
constexpr std::string_view kBob = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
constexpr std::string_view kCarol = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
constexpr std::string_view kContract = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
// Anvil's first account key (published test key; never holds real funds).
constexpr std::string_view kAliceKey =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr std::uint64_t kChainId = 31337;
const U256 kFinney = U256{1'000'000'000'000'000ULL};

Address addr(std::string_view text) {
  auto parsed = eth::parse_address(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed ? *parsed : Address{};
}

Hash32 hash_of(std::uint8_t tag, std::uint64_t n) {
  Hash32 h{};
  h[0] = tag;
  for (std::size_t i = 0; i < 8; ++i) h[31 - i] = static_cast<std::uint8_t>(n >> (8 * i));
  return h;
}

store::EventMeta meta(std::uint64_t block, std::uint64_t log_index) {
  store::EventMeta m;
  m.block_number = block;
  m.block_hash = hash_of(0xb0, block);
  m.log_index = log_index;
  m.tx_hash = hash_of(0x7a, block * 100 + log_index);
  m.timestamp = 1'700'000'000 + block * 12;
  return m;
}

store::ChainStatus head(std::uint64_t block, bool synced = true, bool reachable = true) {
  store::ChainStatus s;
  s.chain_id = kChainId;
  s.latest_block = block;
  s.head_hash = hash_of(0xb0, block);
  s.head_timestamp = 1'700'000'000 + block * 12;
  s.reachable = reachable;
  s.synced = synced;
  return s;
}

store::ContractConfig contract_config() {
  store::ContractConfig c;
  c.publisher_addr = addr(kCarol);
  c.operator_addr = addr(kBob);
  c.publisher_commission_bps = 200;
  c.min_bet = kFinney;
  c.betting_duration = 180;
  c.min_draw_delay = 5;
  c.max_draw_delay = 180;
  c.min_end_time_extension = 60;
  c.min_participants = 2;
  c.max_participants = 500;
  return c;
}

/// The server on port 0 over a store, with I/O threads and a fake relay.
class ServerHarness {
 public:
  explicit ServerHarness(server::ServerOptions options = {}, std::size_t threads = 2)
      : store_(store_options()), work_(ioc_.get_executor()) {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
    options.host = "127.0.0.1";
    options.port = 0;
    // ctest runs in the build tree: serve the committed ABI by absolute path.
    options.abi_path = std::string(LOTTERY_SOURCE_DIR) + "/contracts/out/Lottery.abi";
    server::ServerContext context;
    context.store = &store_;
    context.metrics = &registry_;
    context.relay = [this](std::string raw) -> infra::Task<std::string> {
      std::lock_guard lock(mutex_);
      relayed_.push_back(raw);
      if (relay_fails_) throw std::runtime_error("nonce too low");
      co_return "0x" + std::string(64, 'a');
    };
    server_ = std::make_unique<server::Server>(ioc_.get_executor(), std::move(options), context);
  }

  ~ServerHarness() {
    stop();
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_) t.join();
  }

  static store::StoreOptions store_options() {
    store::StoreOptions o;
    o.contract_address = addr(kContract);
    return o;
  }

  void start() {
    server_->start();
    port_ = server_->port();
  }

  void stop() {
    if (stopped_ || port_ == 0) return;
    stopped_ = true;
    boost::asio::co_spawn(ioc_, server_->stop(), boost::asio::use_future).get();
  }

  std::uint16_t port() const { return port_; }
  store::Store& store() { return store_; }
  server::Server& server() { return *server_; }
  infra::Registry& registry() { return registry_; }
  std::vector<std::string> relayed() {
    std::lock_guard lock(mutex_);
    return relayed_;
  }
  void set_relay_fails(bool fails) {
    std::lock_guard lock(mutex_);
    relay_fails_ = fails;
  }

  /// Round 1 completed (alice won), round 2 refunded, round 3 betting with
  /// alice 1 finney and bob 2 finney; chain head at block 40.
  void populate() {
    store::Batch b;
    b.set_chain_status(head(40));
    b.set_config(contract_config());
    // Round 1: alice then bob; seed 5 % 3 finney = 5 < alice's stake -> alice.
    b.apply({meta(10, 0),
             store::RoundCreated{1, 1'700'000'120, 1'700'000'300, 1'700'000'305, 1'700'000'480}});
    b.apply({meta(10, 1), store::BetPlaced{1, addr(kAlice), kFinney, kFinney}});
    b.apply({meta(11, 0), store::BetPlaced{1, addr(kBob), kFinney * 2, kFinney * 2}});
    const U256 pot = kFinney * 3;
    const U256 commission = pot * 200 / 10000;
    b.apply({meta(20, 0), store::RoundCompleted{1, addr(kAlice), pot, 2, pot - commission,
                                                commission, U256{5}}});
    // Round 2: one player, refunded.
    b.apply({meta(22, 0), store::BetPlaced{2, addr(kCarol), kFinney, kFinney}});
    b.apply({meta(30, 0), store::RoundRefunded{2, kFinney, 1, "Insufficient participants"}});
    // Round 3: current.
    b.apply({meta(35, 0), store::BetPlaced{3, addr(kAlice), kFinney, kFinney}});
    b.apply({meta(36, 0), store::BetPlaced{3, addr(kBob), kFinney * 2, kFinney * 2}});
    store::Round round;
    round.round_id = 3;
    round.start_time = 1'700'000'420;
    round.end_time = 1'700'000'600;
    round.min_draw_time = 1'700'000'605;
    round.max_draw_time = 1'700'000'780;
    round.total_pot = kFinney * 3;
    round.participant_count = 2;
    round.state = store::RoundState::kBetting;
    b.set_round(round);
    b.set_participants({{addr(kAlice), kFinney}, {addr(kBob), kFinney * 2}});
    store_.commit(std::move(b));
  }

 private:
  boost::asio::io_context ioc_;
  store::Store store_;
  infra::Registry registry_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
  std::unique_ptr<server::Server> server_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
  std::mutex mutex_;
  std::vector<std::string> relayed_;
  bool relay_fails_ = false;
};

std::string sign_bet(std::uint64_t chain_id, std::string_view to, const U256& value,
                     eth::Bytes data = contract::place_bet_call()) {
  eth::Transaction txn;
  txn.type = eth::TxType::kDynamicFee;
  txn.chain_id = chain_id;
  txn.nonce = 7;
  txn.max_priority_fee_per_gas = U256{1'000'000'000};
  txn.max_fee_per_gas = U256{30'000'000'000ULL};
  txn.gas_limit = 200'000;
  txn.to = addr(to);
  txn.value = value;
  txn.data = std::move(data);
  auto key = eth::PrivateKey::from_hex(kAliceKey);
  EXPECT_TRUE(key.has_value());
  auto signed_txn = eth::sign_transaction(txn, *key);
  EXPECT_TRUE(signed_txn.has_value());
  return eth::hex_encode(eth::encode_transaction(*signed_txn));
}

std::string bet_body(const std::string& raw) {
  return json::serialize(json::object{{"raw_transaction", raw}});
}

const json::object& obj(const json::value& v) {
  return v.as_object();
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    harness_ = std::make_unique<ServerHarness>();
    harness_->populate();
    harness_->start();
  }
  std::uint16_t port() const { return harness_->port(); }
  HttpReply get(const std::string& target,
                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return http_request(port(), "GET", target, {}, headers);
  }
  void expect_error(const HttpReply& reply, int status, const std::string& code) {
    EXPECT_EQ(reply.status, status) << reply.body;
    const auto doc = reply.json();
    ASSERT_TRUE(doc.is_object()) << reply.body;
    EXPECT_EQ(doc.at("error").as_string(), code) << reply.body;
    EXPECT_FALSE(doc.at("message").as_string().empty());
    EXPECT_EQ(reply.header("content-type"), "application/json");
  }
  std::unique_ptr<ServerHarness> harness_;
};

TEST_F(ServerTest, HealthReportsComponents) {
  for (const char* path : {"/health", "/api/health"}) {
    const auto reply = get(path);
    ASSERT_EQ(reply.status, 200) << path;
    const auto doc = reply.json();
    EXPECT_EQ(doc.at("status").as_string(), "ok");
    EXPECT_TRUE(doc.at("timestamp").is_number());
    EXPECT_EQ(doc.at("version").as_string(), "dev");
    EXPECT_TRUE(doc.at("uptime_s").is_number());
    const auto& components = obj(doc.at("components"));
    EXPECT_EQ(components.at("web"), true);
    EXPECT_EQ(components.at("blockchain").at("status").as_string(), "ok");
    EXPECT_EQ(components.at("blockchain").at("latest_block").to_number<std::uint64_t>(), 40u);
    EXPECT_EQ(components.at("blockchain").at("chain_id").to_number<std::uint64_t>(), kChainId);
    EXPECT_TRUE(components.at("blockchain").as_object().contains("head_age_s"));
    EXPECT_EQ(components.at("operator").at("status").as_string(), "stopped");
    EXPECT_TRUE(components.at("operator").as_object().contains("address"));
    EXPECT_TRUE(components.at("operator").as_object().contains("balance_wei"));
    EXPECT_TRUE(components.at("operator").as_object().contains("pending_tx"));
    EXPECT_EQ(components.at("store").at("round").to_number<std::uint64_t>(), 3u);
  }
  // Unreachable chain: still 200, but degraded.
  store::Batch b;
  b.set_chain_status(head(40, true, false));
  harness_->store().commit(std::move(b));
  const auto reply = get("/health");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json().at("status").as_string(), "degraded");
  EXPECT_EQ(reply.json().at("components").at("blockchain").at("status").as_string(), "unreachable");
  // ... and not ready.
  EXPECT_EQ(get("/api/ready").status, 503);
}

TEST_F(ServerTest, ReadyFollowsFirstSync) {
  auto reply = get("/api/ready");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json().at("ready"), true);
  store::Batch b;
  b.set_chain_status(head(41, false, true));
  harness_->store().commit(std::move(b));
  reply = get("/api/ready");
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.json().at("ready"), false);
}

TEST_F(ServerTest, RoundStatusAndAlias) {
  const auto reply = get("/api/round/status");
  ASSERT_EQ(reply.status, 200);
  const auto doc = reply.json();
  for (const char* field :
       {"round_id", "state", "state_name", "state_label", "start_time", "end_time", "min_draw_time",
        "max_draw_time", "total_pot", "participant_count", "winner", "publisher_commission",
        "winner_prize", "participants", "chain_time"}) {
    EXPECT_TRUE(doc.as_object().contains(field)) << field;
  }
  EXPECT_EQ(doc.at("round_id").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(doc.at("state_name").as_string(), "betting");
  EXPECT_EQ(doc.at("state_label").as_string(), "BETTING");
  EXPECT_EQ(doc.at("total_pot").as_string(), "3000000000000000");
  EXPECT_EQ(doc.at("participants").as_array().size(), 2u);
  EXPECT_EQ(get("/api/draw/current").body, reply.body);
  EXPECT_EQ(reply.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(reply.header("x-frame-options"), "DENY");
  EXPECT_EQ(reply.header("referrer-policy"), "no-referrer");
  EXPECT_NE(reply.header("content-security-policy").find("default-src 'self'"), std::string::npos);
}

TEST_F(ServerTest, ParticipantsByStakeWithLimits) {
  auto reply = get("/api/round/participants");
  ASSERT_EQ(reply.status, 200);
  auto doc = reply.json();
  EXPECT_EQ(doc.at("round_id").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(doc.at("round_state").as_string(), "betting");
  EXPECT_EQ(doc.at("total_participants").to_number<std::uint64_t>(), 2u);
  EXPECT_EQ(doc.at("total_amount_wei").as_string(), "3000000000000000");
  EXPECT_TRUE(doc.as_object().contains("timestamp"));
  const auto& players = doc.at("participants").as_array();
  ASSERT_EQ(players.size(), 2u);
  EXPECT_EQ(players[0].at("address").as_string(), kBob);  // larger stake first
  EXPECT_EQ(players[0].at("totalAmountWei").as_string(), "2000000000000000");

  reply = get("/api/round/participants?limit=1");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json().at("participants").as_array().size(), 1u);
  for (const char* bad : {"0", "1001", "abc", "-1", "1.5", "%2B1"}) {
    expect_error(get(std::string("/api/round/participants?limit=") + bad), 400, "invalid_limit");
  }
}

TEST_F(ServerTest, PlayerStakeAndValidation) {
  auto reply = get("/api/round/player?player=" + std::string(kBob));
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto doc = reply.json();
  EXPECT_EQ(doc.at("player").as_string(), kBob);
  EXPECT_EQ(doc.at("round_id").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(doc.at("totalAmountWei").as_string(), "2000000000000000");
  EXPECT_NEAR(doc.at("winRate").to_number<double>(), 66.67, 1e-9);
  // All lower case is accepted.
  std::string lower(kBob);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(get("/api/round/player?player=" + lower).status, 200);

  expect_error(get("/api/round/player"), 400, "missing_parameter");
  expect_error(get("/api/round/player?player=0x1234"), 400, "invalid_address");
  expect_error(get("/api/round/player?player=not-an-address"), 400, "invalid_address");
  // Mixed case with a broken checksum.
  std::string broken(kBob);
  const std::size_t letter = broken.find_first_of("ABCDEFabcdef", 2);
  broken[letter] =
      static_cast<char>(std::isupper(static_cast<unsigned char>(broken[letter]))
                            ? std::tolower(static_cast<unsigned char>(broken[letter]))
                            : std::toupper(static_cast<unsigned char>(broken[letter])));
  expect_error(get("/api/round/player?player=" + broken), 400, "invalid_address");
}

TEST_F(ServerTest, HistoryListRoundAndVerify) {
  auto reply = get("/api/history");
  ASSERT_EQ(reply.status, 200);
  auto doc = reply.json();
  const auto& rounds = doc.at("rounds").as_array();
  ASSERT_EQ(rounds.size(), 2u);
  EXPECT_EQ(rounds[0].at("round_id").to_number<std::uint64_t>(), 2u);  // newest first
  EXPECT_EQ(rounds[0].at("event_type").as_string(), "RoundRefunded");
  EXPECT_EQ(rounds[0].at("refund_reason").as_string(), "Insufficient participants");
  EXPECT_EQ(rounds[1].at("event_type").as_string(), "RoundCompleted");
  EXPECT_EQ(rounds[1].at("winner").as_string(), kAlice);
  for (const char* field : {"participant_count", "total_pot_wei", "finished_at", "winner_prize_wei",
                            "publisher_commission_wei", "random_seed", "tx_hash", "block_number"}) {
    EXPECT_TRUE(rounds[1].as_object().contains(field)) << field;
  }
  EXPECT_EQ(doc.at("summary").at("total_rounds").to_number<std::uint64_t>(), 2u);
  EXPECT_EQ(doc.at("summary").at("completed_rounds").to_number<std::uint64_t>(), 1u);
  EXPECT_EQ(doc.at("summary").at("refunded_rounds").to_number<std::uint64_t>(), 1u);
  EXPECT_EQ(doc.at("pagination").at("limit").to_number<std::uint64_t>(), 50u);
  EXPECT_EQ(doc.at("pagination").at("returned").to_number<std::uint64_t>(), 2u);
  EXPECT_EQ(get("/api/draw/history").body, reply.body);
  reply = get("/api/history?limit=1");
  EXPECT_EQ(reply.json().at("rounds").as_array().size(), 1u);
  expect_error(get("/api/history?limit=201"), 400, "invalid_limit");
  expect_error(get("/api/history?limit=0"), 400, "invalid_limit");

  reply = get("/api/history/1");
  ASSERT_EQ(reply.status, 200) << reply.body;
  doc = reply.json();
  EXPECT_EQ(doc.at("round_id").to_number<std::uint64_t>(), 1u);
  EXPECT_EQ(doc.at("bets").as_array().size(), 2u);
  expect_error(get("/api/history/999"), 404, "round_not_found");
  expect_error(get("/api/history/abc"), 400, "invalid_round_id");
  expect_error(get("/api/history/01"), 400, "invalid_round_id");
  expect_error(get("/api/history/99999999999999999999999"), 400, "invalid_round_id");

  reply = get("/api/verify/1");
  ASSERT_EQ(reply.status, 200) << reply.body;
  doc = reply.json();
  EXPECT_EQ(doc.at("round_id").to_number<std::uint64_t>(), 1u);
  EXPECT_EQ(doc.at("expected_winner").as_string(), kAlice);
  EXPECT_EQ(doc.at("onchain_winner").as_string(), kAlice);
  EXPECT_EQ(doc.at("match"), true);
  EXPECT_TRUE(doc.as_object().contains("random_seed"));
  EXPECT_EQ(doc.at("total_pot_wei").as_string(), "3000000000000000");
  expect_error(get("/api/verify/2"), 409, "round_refunded");
  expect_error(get("/api/verify/77"), 404, "round_not_found");
  expect_error(get("/api/verify/x"), 400, "invalid_round_id");
}

TEST_F(ServerTest, ActivitiesNewestFirst) {
  auto reply = get("/api/activities");
  ASSERT_EQ(reply.status, 200);
  const auto activities_doc = reply.json();
  const auto& items = activities_doc.at("activities").as_array();
  ASSERT_GE(items.size(), 7u);
  EXPECT_EQ(items[0].at("activity_type").as_string(), "BetPlaced");
  EXPECT_EQ(items[0].at("block_number").to_number<std::uint64_t>(), 36u);
  for (const char* field : {"activity_id", "activity_type", "message", "details", "timestamp",
                            "block_number", "tx_hash", "final"}) {
    EXPECT_TRUE(items[0].as_object().contains(field)) << field;
  }
  EXPECT_EQ(get("/api/activities?limit=2").json().at("activities").as_array().size(), 2u);
  expect_error(get("/api/activities?limit=5000"), 400, "invalid_limit");
}

TEST_F(ServerTest, UserBets) {
  auto reply = get("/api/user/" + std::string(kAlice) + "/bets");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto doc = reply.json();
  EXPECT_EQ(doc.at("player").as_string(), kAlice);
  const auto& rounds = doc.at("rounds").as_array();
  ASSERT_EQ(rounds.size(), 2u);
  EXPECT_EQ(rounds[0].at("round_id").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(rounds[0].at("outcome").as_string(), "pending");
  EXPECT_EQ(rounds[1].at("outcome").as_string(), "won");
  expect_error(get("/api/user/0xnope/bets"), 400, "invalid_address");
  expect_error(get("/api/user//bets"), 404, "not_found");
}

TEST_F(ServerTest, ContractConfigAndAddress) {
  auto reply = get("/api/contract/config");
  ASSERT_EQ(reply.status, 200);
  auto doc = reply.json();
  const auto& config = doc.at("config").as_object();
  for (const char* field :
       {"publisherAddr", "operatorAddr", "publisherCommission", "minBet", "bettingDuration",
        "minDrawDelay", "maxDrawDelay", "minEndTimeExtension", "minParticipants"}) {
    EXPECT_TRUE(config.contains(field)) << field;
  }
  EXPECT_EQ(config.at("minBet").as_string(), "1000000000000000");
  EXPECT_EQ(doc.at("contract_address").as_string(), kContract);
  EXPECT_EQ(doc.at("chain_id").to_number<std::uint64_t>(), kChainId);
  reply = get("/api/contract/address");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json().at("contract_address").as_string(), kContract);
  EXPECT_TRUE(reply.json().as_object().contains("timestamp"));
}

TEST_F(ServerTest, StatusCombinesViews) {
  const auto reply = get("/api/status");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto doc = reply.json();
  ASSERT_TRUE(doc.is_object()) << reply.body;
  for (const char* field : {"timestamp", "round", "participants", "recent_history", "operator",
                            "blockchain", "websocket_connections"}) {
    EXPECT_TRUE(doc.as_object().contains(field)) << field;
  }
  EXPECT_EQ(doc.at("round").at("round_id").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(doc.at("websocket_connections").to_number<std::uint64_t>(), 0u);
}

TEST_F(ServerTest, BetRelayChecksAndRelays) {
  const std::string raw = sign_bet(kChainId, kContract, kFinney);
  auto reply = http_request(port(), "POST", "/api/bet", bet_body(raw),
                            {{"Content-Type", "application/json"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json().at("tx_hash").as_string(), "0x" + std::string(64, 'a'));
  ASSERT_EQ(harness_->relayed().size(), 1u);
  EXPECT_EQ(harness_->relayed()[0], raw);

  auto post = [&](const std::string& body) {
    return http_request(port(), "POST", "/api/bet", body, {{"Content-Type", "application/json"}});
  };
  expect_error(post(bet_body(sign_bet(1, kContract, kFinney))), 400, "wrong_chain");
  expect_error(post(bet_body(sign_bet(kChainId, kBob, kFinney))), 400, "wrong_contract");
  expect_error(post(bet_body(sign_bet(kChainId, kContract, kFinney, contract::draw_winner_call()))),
               400, "wrong_function");
  expect_error(post(bet_body(sign_bet(kChainId, kContract, U256{1}))), 400, "bet_too_small");
  expect_error(post("{not json"), 400, "invalid_json");
  expect_error(post("{}"), 400, "missing_field");
  expect_error(post(bet_body("0xzz")), 400, "invalid_hex");
  expect_error(post(bet_body("0x01020304")), 400, "invalid_transaction");
  EXPECT_EQ(harness_->relayed().size(), 1u);

  harness_->set_relay_fails(true);
  expect_error(post(bet_body(raw)), 502, "relay_failed");

  reply = get("/api/bet");
  expect_error(reply, 405, "method_not_allowed");
  EXPECT_EQ(reply.header("allow"), "OPTIONS, POST");
}

TEST_F(ServerTest, UnknownRoutesAndMethods) {
  expect_error(get("/api/nope"), 404, "not_found");
  expect_error(get("/api/history/1/extra"), 404, "not_found");
  auto reply = http_request(port(), "DELETE", "/api/history");
  expect_error(reply, 405, "method_not_allowed");
  EXPECT_EQ(reply.header("allow"), "GET, HEAD, OPTIONS");
  reply = http_request(port(), "HEAD", "/api/round/status");
  EXPECT_EQ(reply.status, 200);
  EXPECT_TRUE(reply.body.empty());
  EXPECT_GT(std::stoul(reply.header("content-length")), 10u);
  // A plain GET on the WebSocket endpoint.
  expect_error(get("/ws/lottery"), 426, "upgrade_required");
}

TEST_F(ServerTest, OpenApiListsEveryRoute) {
  const auto reply = get("/api/openapi.json");
  ASSERT_EQ(reply.status, 200);
  const auto doc = reply.json();
  EXPECT_EQ(doc.at("openapi").as_string().subview(0, 2), "3.");
  const auto& paths = doc.at("paths").as_object();
  std::set<std::string> required = {"/health",
                                    "/api/health",
                                    "/api/ready",
                                    "/metrics",
                                    "/api/status",
                                    "/api/round/status",
                                    "/api/draw/current",
                                    "/api/round/participants",
                                    "/api/round/player",
                                    "/api/history",
                                    "/api/draw/history",
                                    "/api/history/{round_id}",
                                    "/api/verify/{round_id}",
                                    "/api/activities",
                                    "/api/user/{address}/bets",
                                    "/api/contract/config",
                                    "/api/contract/address",
                                    "/api/bet",
                                    "/api/openapi.json",
                                    "/contracts/abi/Lottery.abi",
                                    "/ws/lottery",
                                    "/ws"};
  for (const auto& route : harness_->server().router().routes()) {
    required.insert(route.spec.pattern);
    std::string method(boost::beast::http::to_string(route.spec.method));
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ASSERT_TRUE(paths.contains(route.spec.pattern)) << route.spec.pattern;
    EXPECT_TRUE(paths.at(route.spec.pattern).as_object().contains(method)) << route.spec.pattern;
  }
  for (const auto& path : required) EXPECT_TRUE(paths.contains(path)) << path;
}

TEST_F(ServerTest, MetricsInPrometheusFormat) {
  ASSERT_EQ(get("/api/round/status").status, 200);
  const auto reply = get("/metrics");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("content-type").substr(0, 10), "text/plain");
  EXPECT_NE(reply.body.find("# TYPE lottery_http_requests_total counter"), std::string::npos);
  EXPECT_NE(
      reply.body.find("lottery_http_requests_total{route=\"/api/round/status\",status=\"200\"} 1"),
      std::string::npos)
      << reply.body;
  EXPECT_NE(reply.body.find("# TYPE lottery_ws_clients gauge"), std::string::npos);
  EXPECT_NE(reply.body.find("lottery_http_request_duration_seconds_bucket"), std::string::npos);
}

TEST_F(ServerTest, ServesTheAbi) {
  const auto reply = get("/contracts/abi/Lottery.abi");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("content-type"), "application/json");
  EXPECT_TRUE(reply.json().is_array());
  const auto again = get("/contracts/abi/Lottery.abi", {{"If-None-Match", reply.header("etag")}});
  EXPECT_EQ(again.status, 304);
}

TEST_F(ServerTest, CorsSameOriginAndAllowList) {
  // No allow-list: same origin fine, another origin gets no CORS headers and
  // may not POST.
  auto reply = get("/api/round/status", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_TRUE(reply.header("access-control-allow-origin").empty());
  reply = http_request(port(), "POST", "/api/bet", bet_body("0x"),
                       {{"Origin", "http://evil.example"}, {"Content-Type", "application/json"}});
  expect_error(reply, 403, "origin_not_allowed");
  reply = http_request(port(), "POST", "/api/bet", "{}",
                       {{"Origin", "http://127.0.0.1:" + std::to_string(port())},
                        {"Content-Type", "application/json"}});
  expect_error(reply, 400, "missing_field");
}

TEST(ServerCors, AllowListedOriginGetsHeaders) {
  server::ServerOptions options;
  options.cors_origins = {"https://app.example"};
  ServerHarness harness(options);
  harness.populate();
  harness.start();
  auto reply = http_request(harness.port(), "GET", "/api/round/status", {},
                            {{"Origin", "https://app.example"}});
  EXPECT_EQ(reply.header("access-control-allow-origin"), "https://app.example");
  EXPECT_NE(reply.header("vary").find("Origin"), std::string::npos);
  reply =
      http_request(harness.port(), "OPTIONS", "/api/bet", {},
                   {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(reply.status, 204);
  EXPECT_EQ(reply.header("access-control-allow-origin"), "https://app.example");
  EXPECT_NE(reply.header("access-control-allow-methods").find("POST"), std::string::npos);
}

TEST(ServerRateLimit, PostRoutesAndUpgradesAreLimitedPerIp) {
  server::ServerOptions options;
  options.rate_limit_per_minute = 3;
  ServerHarness harness(options);
  harness.populate();
  harness.start();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(http_request(harness.port(), "POST", "/api/bet", "{}").status, 400);
  }
  const auto reply = http_request(harness.port(), "POST", "/api/bet", "{}");
  EXPECT_EQ(reply.status, 429);
  EXPECT_EQ(reply.json().at("error").as_string(), "rate_limited");
  EXPECT_GE(std::stoi(reply.header("retry-after")), 1);
  // GETs are not limited, and upgrades share the budget.
  EXPECT_EQ(http_request(harness.port(), "GET", "/api/history").status, 200);
  WsTestClient ws;
  EXPECT_FALSE(ws.connect(harness.port()));
  EXPECT_NE(ws.error().find("429"), std::string::npos) << ws.error();
}

// --- static files ---------------------------------------------------------

class StaticTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("lottery-static-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "assets");
    write("index.html", "<!doctype html><title>Lottery</title>");
    write("assets/app-3f2a1b.js", "console.log('plain');");
    write("assets/app-3f2a1b.js.gz", "GZIP-BYTES");
    write("assets/app-3f2a1b.js.br", "BROTLI-BYTES");
    write("assets/style-9c9c.css", "body{}");
    write("favicon.svg", "<svg/>");
    write(".env", "SECRET=1");
    fs::create_directories(dir_.parent_path() / "lottery-outside");
    server::ServerOptions options;
    options.static_dir = dir_.string();
    options.abi_path = std::string(LOTTERY_SOURCE_DIR) + "/contracts/out/Lottery.abi";
    harness_ = std::make_unique<ServerHarness>(options);
    harness_->populate();
    harness_->start();
  }
  void TearDown() override {
    harness_.reset();
    fs::remove_all(dir_);
  }
  void write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
  }
  HttpReply get(const std::string& target,
                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return http_request(harness_->port(), "GET", target, {}, headers);
  }
  fs::path dir_;
  std::unique_ptr<ServerHarness> harness_;
};

TEST_F(StaticTest, IndexAndSpaFallback) {
  auto reply = get("/");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "<!doctype html><title>Lottery</title>");
  EXPECT_EQ(reply.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(reply.header("cache-control"), "no-cache");
  EXPECT_EQ(reply.header("x-frame-options"), "DENY");
  for (const char* path : {"/round/3", "/history", "/some/deep/link?x=1"}) {
    reply = get(path);
    EXPECT_EQ(reply.status, 200) << path;
    EXPECT_EQ(reply.body, "<!doctype html><title>Lottery</title>") << path;
  }
  // Unknown API paths are never the SPA, and missing hashed assets are 404.
  EXPECT_EQ(get("/api/unknown").status, 404);
  EXPECT_EQ(get("/assets/missing-123.js").status, 404);
  EXPECT_EQ(get("/favicon.svg").header("content-type"), "image/svg+xml");
}

TEST_F(StaticTest, HashedAssetsCacheAndEtag) {
  auto reply = get("/assets/app-3f2a1b.js");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "console.log('plain');");
  EXPECT_EQ(reply.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(reply.header("cache-control"), "public, max-age=31536000, immutable");
  const std::string etag = reply.header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');
  auto again = get("/assets/app-3f2a1b.js", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  again = get("/assets/app-3f2a1b.js", {{"If-None-Match", "\"other\""}});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(get("/assets/style-9c9c.css").header("content-type"), "text/css; charset=utf-8");
}

TEST_F(StaticTest, PrecompressedVariants) {
  auto reply = get("/assets/app-3f2a1b.js", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(reply.body, "BROTLI-BYTES");
  EXPECT_EQ(reply.header("content-encoding"), "br");
  EXPECT_EQ(reply.header("vary"), "Accept-Encoding");
  EXPECT_EQ(reply.header("content-type"), "text/javascript; charset=utf-8");
  reply = get("/assets/app-3f2a1b.js", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(reply.body, "GZIP-BYTES");
  EXPECT_EQ(reply.header("content-encoding"), "gzip");
  reply = get("/assets/app-3f2a1b.js", {{"Accept-Encoding", "br;q=0, gzip;q=0"}});
  EXPECT_EQ(reply.body, "console.log('plain');");
  EXPECT_TRUE(reply.header("content-encoding").empty());
}

TEST_F(StaticTest, TraversalAndHiddenFilesRefused) {
  for (const char* raw :
       {"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /assets/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /..%2fsecret HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /a%5c..%5c..%5cetc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"}) {
    const std::string answer = raw_exchange(harness_->port(), raw);
    const int status = status_of(answer);
    EXPECT_GE(status, 400) << raw;
    EXPECT_LT(status, 500) << raw;
    EXPECT_EQ(answer.find("root:"), std::string::npos);
  }
  EXPECT_EQ(get("/.env").status, 400);
  EXPECT_EQ(get("/health").status, 200);
}

// --- malformed HTTP -------------------------------------------------------

TEST_F(ServerTest, MalformedRequestsGet4xxAndServerKeepsServing) {
  struct Case {
    std::string name;
    std::string raw;
    int expected;
  };
  std::vector<Case> cases;
  cases.push_back(
      {"unknown method", "FOO /api/history HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 405});
  cases.push_back({"garbage request line", "\x01\x02 nonsense\r\n\r\n", 400});
  cases.push_back({"bad version", "GET / HTTP/9.x\r\nHost: x\r\n\r\n", 400});
  cases.push_back(
      {"absolute target", "GET http://x/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400});
  cases.push_back({"100 KiB header",
                   "GET /api/history HTTP/1.1\r\nHost: x\r\nX-Big: " +
                       std::string(100 * 1024, 'a') + "\r\n\r\n",
                   431});
  std::string huge_body =
      "POST /api/bet HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 10485760\r\n\r\n";
  huge_body += std::string(10 * 1024 * 1024, 'x');
  cases.push_back({"10 MiB body", huge_body, 413});
  cases.push_back({"chunked body over the limit",
                   "POST /api/bet HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "20000\r\n" +
                       std::string(0x20000, 'y') + "\r\n0\r\n\r\n",
                   413});
  cases.push_back({"bad chunk",
                   "POST /api/bet HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                   400});
  cases.push_back({"bad json",
                   "POST /api/bet HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   "Content-Length: 9\r\nConnection: close\r\n\r\n{\"raw\":[}",
                   400});
  for (const auto& c : cases) {
    const auto began = std::chrono::steady_clock::now();
    const std::string answer = raw_exchange(port(), c.raw);
    EXPECT_LT(std::chrono::steady_clock::now() - began, 3s) << c.name;
    EXPECT_EQ(status_of(answer), c.expected) << c.name << ": " << answer.substr(0, 200);
    EXPECT_NE(answer.find("\"error\""), std::string::npos) << c.name;
    EXPECT_EQ(get("/health").status, 200) << "after " << c.name;
  }
  expect_error(get("/api/round/player?player=0xZZ"), 400, "invalid_address");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  const std::string one = "GET /api/contract/address HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string answer = raw_exchange(
      port(), one + one + "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::size_t count = 0;
  for (std::size_t pos = answer.find("HTTP/1.1 200"); pos != std::string::npos;
       pos = answer.find("HTTP/1.1 200", pos + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 3u) << answer;
}

TEST(ServerTimeouts, SlowClientIsDropped) {
  server::ServerOptions options;
  options.request_timeout = 300ms;
  options.idle_timeout = 300ms;
  ServerHarness harness(options);
  harness.populate();
  harness.start();
  const auto began = std::chrono::steady_clock::now();
  // Half a request line, then silence.
  const std::string answer = raw_exchange(harness.port(), "GET /api/hist", 5s);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 3s);
  EXPECT_TRUE(answer.empty() || status_of(answer) == 408) << answer;
  EXPECT_EQ(http_request(harness.port(), "GET", "/health").status, 200);
}

// --- WebSocket ------------------------------------------------------------

json::value parse(const std::string& text) {
  return json::parse(text);
}

TEST_F(ServerTest, WebSocketSnapshotThenTypedChangesOnce) {
  WsTestClient ws;
  ASSERT_TRUE(ws.connect(port())) << ws.error();
  auto first = ws.next();
  ASSERT_TRUE(first);
  const auto snapshot = parse(*first);
  EXPECT_EQ(snapshot.at("type").as_string(), "snapshot");
  const auto& payload = snapshot.at("payload").as_object();
  for (const char* field :
       {"round", "participants", "history", "activities", "config", "operator"}) {
    EXPECT_TRUE(payload.contains(field)) << field;
  }
  EXPECT_EQ(payload.at("round").at("round_id").to_number<std::uint64_t>(), 3u);
  EXPECT_TRUE(snapshot.as_object().contains("timestamp"));
  EXPECT_EQ(harness_->server().websocket_clients(), 1u);

  // A bet on chain.
  {
    store::Batch b;
    b.set_chain_status(head(41));
    b.apply({meta(41, 0), store::BetPlaced{3, addr(kCarol), kFinney * 4, kFinney * 4}});
    b.set_participants(
        {{addr(kAlice), kFinney}, {addr(kBob), kFinney * 2}, {addr(kCarol), kFinney * 4}});
    harness_->store().commit(std::move(b));
  }
  std::vector<json::value> got;
  while (auto text = ws.next(1500ms)) got.push_back(parse(*text));
  std::map<std::string, int> types;
  for (const auto& m : got) types[std::string(m.at("type").as_string())]++;
  EXPECT_EQ(types["participants_update"], 1);
  EXPECT_EQ(types["activity"], 1);
  EXPECT_EQ(types.count("snapshot"), 0u);
  for (const auto& m : got) {
    if (m.at("type") == "participants_update") {
      EXPECT_EQ(m.at("payload").at("participants").as_array().size(), 3u);
    }
    if (m.at("type") == "activity") {
      EXPECT_EQ(m.at("payload").at("activity_type").as_string(), "BetPlaced");
    }
  }

  // A draw.
  {
    store::Batch b;
    b.set_chain_status(head(50));
    const U256 pot = kFinney * 7;
    b.apply({meta(50, 0), store::RoundCompleted{3, addr(kCarol), pot, 3, pot, U256{0}, U256{6}}});
    store::Round round;
    round.round_id = 4;
    b.set_round(round);
    b.set_participants({});
    harness_->store().commit(std::move(b));
  }
  auto history = ws.next_of_type("history_update", 3s);
  ASSERT_TRUE(history);
  EXPECT_EQ(
      history->at("payload").at("rounds").as_array()[0].at("round_id").to_number<std::uint64_t>(),
      3u);

  // Nothing changes -> nothing is sent.
  {
    store::Batch b;
    b.set_config(contract_config());
    harness_->store().commit(std::move(b));
  }
  while (ws.next(300ms)) {
  }
  EXPECT_FALSE(ws.next(500ms).has_value());

  // Application ping.
  ws.send(R"({"type":"ping"})");
  auto pong = ws.next(2s);
  ASSERT_TRUE(pong);
  EXPECT_EQ(parse(*pong).at("type").as_string(), "pong");
  // Invalid client messages are ignored and the session stays up.
  ws.send("not json");
  ws.send(R"({"type":"subscribe"})");
  ws.send(R"({"type":"ping"})");
  pong = ws.next(2s);
  ASSERT_TRUE(pong);
  EXPECT_EQ(parse(*pong).at("type").as_string(), "pong");
}

TEST_F(ServerTest, WebSocketAliasAndOversizedClientMessage) {
  WsTestClient ws;
  ASSERT_TRUE(ws.connect(port(), "/ws")) << ws.error();
  ASSERT_TRUE(ws.next_of_type("snapshot"));
  ws.send(std::string(64 * 1024, 'x'));
  const auto code = ws.wait_closed(3s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 1009);  // message too big
  EXPECT_EQ(get("/health").status, 200);
}

std::string upgrade_request(const std::string& version = "13") {
  return "GET /ws/lottery HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
         "Sec-WebSocket-Version: " +
         version + "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
}

/// A masked client frame with a payload of up to 125 bytes.
std::string masked_frame(unsigned first_byte, const std::string& payload) {
  const std::string key("\x01\x02\x03\x04", 4);
  std::string out;
  out += static_cast<char>(first_byte);
  out += static_cast<char>(0x80 | payload.size());
  out += key;
  for (std::size_t i = 0; i < payload.size(); ++i)
    out += static_cast<char>(payload[i] ^ key[i % 4]);
  return out;
}

TEST_F(ServerTest, WebSocketHandshakeErrorsAndProtocolViolations) {
  // Another protocol version: 426 naming the one we speak.
  const std::string old_version = raw_exchange(port(), upgrade_request("8"));
  EXPECT_EQ(status_of(old_version), 426) << old_version.substr(0, 200);
  EXPECT_NE(old_version.find("Sec-WebSocket-Version: 13"), std::string::npos);
  // A valid handshake gets the RFC 6455 accept key, then the snapshot.
  struct Case {
    const char* name;
    std::string frames;
    std::string expected_close;  // the server's close frame
  };
  const std::vector<Case> cases = {
      {"unmasked frame", std::string("\x81\x02hi", 4), std::string("\x88\x02\x03\xea", 4)},
      {"reserved opcode", masked_frame(0x83, "x"), std::string("\x88\x02\x03\xea", 4)},
      {"text that is not UTF-8", masked_frame(0x81, "\xc3\x28"),
       std::string("\x88\x02\x03\xef", 4)},
      {"client close 1000", masked_frame(0x88, std::string("\x03\xe8", 2)),
       std::string("\x88\x02\x03\xe8", 4)},
  };
  for (const auto& c : cases) {
    const auto began = std::chrono::steady_clock::now();
    // raw_exchange reads until the server ends the connection.
    const std::string answer = raw_exchange(port(), upgrade_request() + c.frames, 5s);
    EXPECT_LT(std::chrono::steady_clock::now() - began, 3s) << c.name;
    EXPECT_EQ(status_of(answer), 101) << c.name;
    EXPECT_NE(answer.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
              std::string::npos)
        << c.name;
    EXPECT_NE(answer.find("\"type\":\"snapshot\""), std::string::npos) << c.name;
    EXPECT_NE(answer.find(c.expected_close), std::string::npos) << c.name;
    EXPECT_EQ(get("/health").status, 200) << "after " << c.name;
  }
  // A protocol ping is answered with a pong carrying the same payload.
  const std::string ping = raw_exchange(port(),
                                        upgrade_request() + masked_frame(0x89, "are-you-there") +
                                            masked_frame(0x88, std::string("\x03\xe8", 2)),
                                        5s);
  EXPECT_NE(ping.find(std::string("\x8a\x0d") + "are-you-there"), std::string::npos);
}

TEST(ServerWebSocket, ProtocolPings) {
  server::ServerOptions options;
  options.ws_ping_interval = 200ms;
  ServerHarness harness(options);
  harness.populate();
  harness.start();
  WsTestClient ws;
  ASSERT_TRUE(ws.connect(harness.port())) << ws.error();
  ASSERT_TRUE(ws.next_of_type("snapshot"));
  std::this_thread::sleep_for(1200ms);
  EXPECT_GE(ws.pings(), 1);
  EXPECT_FALSE(ws.closed());  // Beast answers pings with pongs, so the session stays
}

TEST(ServerWebSocket, SlowReaderDoesNotBlockOthers) {
  server::ServerOptions options;
  options.ws_send_queue = 8;
  options.ws_send_timeout = 60s;  // measure coalescing, not the stuck-write cut-off
  ServerHarness harness(options, 2);
  harness.populate();
  harness.start();
  WsTestClient slow;
  ASSERT_TRUE(slow.connect(harness.port(), "/ws/lottery", /*read=*/false)) << slow.error();
  WsTestClient fast;
  ASSERT_TRUE(fast.connect(harness.port())) << fast.error();
  ASSERT_TRUE(fast.next_of_type("snapshot"));

  // Large participant lists so the slow client's socket buffers fill up.
  constexpr int kCommits = 120;
  const auto began = std::chrono::steady_clock::now();
  for (int i = 0; i < kCommits; ++i) {
    std::vector<store::Participant> players;
    for (std::uint64_t p = 0; p < 400; ++p) {
      Address a{};
      a.bytes[0] = 0x11;
      a.bytes[18] = static_cast<std::uint8_t>(p >> 8);
      a.bytes[19] = static_cast<std::uint8_t>(p);
      players.push_back({a, kFinney * (p + 1 + static_cast<std::uint64_t>(i))});
    }
    store::Batch b;
    b.set_chain_status(head(100 + static_cast<std::uint64_t>(i)));
    b.set_participants(std::move(players));
    harness.store().commit(std::move(b));
  }
  const auto commit_time = std::chrono::steady_clock::now() - began;
  EXPECT_LT(commit_time, 10s) << "commits must never wait for clients";

  // The fast client sees the last update.
  int updates = 0;
  bool saw_last = false;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!saw_last && std::chrono::steady_clock::now() < deadline) {
    auto message = fast.next_of_type("participants_update", 5s);
    if (!message) break;
    ++updates;
    const auto& players = message->at("payload").at("participants").as_array();
    // By stake descending: the largest is player 399 with 400 + i finney.
    if (players.size() == 400 && players[0].at("totalAmountWei").as_string() ==
                                     eth::u256_to_dec(kFinney * (400 + kCommits - 1))) {
      saw_last = true;
    }
  }
  EXPECT_TRUE(saw_last) << "fast client got " << updates << " updates";
  EXPECT_GE(updates, 1);
  // The slow one was coalesced instead of queueing a backlog.
  const std::string metrics = harness.registry().render();
  EXPECT_EQ(metrics.find("lottery_ws_messages_dropped_total 0\n"), std::string::npos) << metrics;
  EXPECT_EQ(http_request(harness.port(), "GET", "/health").status, 200);
}

TEST(ServerWebSocket, ParallelFanOutKeepsEveryClientsOrder) {
  // Two lanes on two I/O threads write in parallel; each client must still
  // see the commits in order and end with the last one.
  server::ServerOptions options;
  options.ws_fanout_lanes = 2;
  options.ws_send_queue = 1000;  // no coalescing: every commit is seen
  ServerHarness harness(options, 2);
  harness.populate();
  harness.start();
  constexpr std::size_t kClients = 6;
  std::vector<std::unique_ptr<WsTestClient>> clients;
  for (std::size_t i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<WsTestClient>());
    ASSERT_TRUE(clients.back()->connect(harness.port())) << clients.back()->error();
    ASSERT_TRUE(clients.back()->next_of_type("snapshot"));
  }
  constexpr std::size_t kCommits = 150;
  for (std::size_t i = 1; i <= kCommits; ++i) {
    std::vector<store::Participant> players;
    for (std::uint64_t p = 0; p < i; ++p) {
      Address a{};
      a.bytes[0] = 0x22;
      a.bytes[18] = static_cast<std::uint8_t>(p >> 8);
      a.bytes[19] = static_cast<std::uint8_t>(p);
      players.push_back({a, kFinney});
    }
    store::Batch b;
    b.set_chain_status(head(200 + i));
    b.set_participants(std::move(players));
    harness.store().commit(std::move(b));
  }
  for (std::size_t c = 0; c < kClients; ++c) {
    std::size_t last = 0;
    std::size_t seen = 0;
    while (last < kCommits) {
      auto message = clients[c]->next_of_type("participants_update", 5s);
      ASSERT_TRUE(message) << "client " << c << " stopped after " << last;
      const std::size_t size = message->at("payload").at("participants").as_array().size();
      ASSERT_GT(size, last) << "client " << c << " got commit " << size << " after " << last;
      last = size;
      ++seen;
    }
    EXPECT_EQ(seen, kCommits) << "client " << c;
  }
}

TEST(ServerWebSocket, StuckWriterIsDropped) {
  server::ServerOptions options;
  options.ws_send_queue = 4;
  options.ws_send_timeout = 500ms;
  ServerHarness harness(options);
  harness.populate();
  harness.start();
  WsTestClient slow;
  ASSERT_TRUE(slow.connect(harness.port(), "/ws/lottery", false)) << slow.error();
  for (int i = 0; i < 200; ++i) {
    std::vector<store::Participant> players;
    for (std::uint64_t p = 0; p < 400; ++p) {
      Address a{};
      a.bytes[19] = static_cast<std::uint8_t>(p);
      a.bytes[18] = static_cast<std::uint8_t>(p >> 8);
      players.push_back({a, kFinney * (p + 1 + static_cast<std::uint64_t>(i))});
    }
    store::Batch b;
    b.set_chain_status(head(200 + static_cast<std::uint64_t>(i)));
    b.set_participants(std::move(players));
    harness.store().commit(std::move(b));
  }
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (harness.server().websocket_clients() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(harness.server().websocket_clients(), 0u);
  EXPECT_NE(harness.registry().render().find("lottery_ws_slow_disconnects_total 1"),
            std::string::npos);
}

TEST(ServerShutdown, GracefulStopClosesWebSocketsWith1001) {
  ServerHarness harness;
  harness.populate();
  harness.start();
  WsTestClient ws;
  ASSERT_TRUE(ws.connect(harness.port())) << ws.error();
  ASSERT_TRUE(ws.next_of_type("snapshot"));
  // An idle keep-alive connection must not hold the shutdown up.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket idle(ioc);
  idle.connect({boost::asio::ip::make_address("127.0.0.1"), harness.port()});
  const auto began = std::chrono::steady_clock::now();
  harness.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - began, 4s);
  const auto code = ws.wait_closed(3s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 1001);
  EXPECT_EQ(harness.server().connections(), 0u);
  // No longer accepting.
  EXPECT_EQ(http_request(harness.port(), "GET", "/health", {}, {}, 1s).status, 0);
}

}  // namespace
}  // namespace lottery::integration
