// SPDX-License-Identifier: Apache-2.0
//
// The chain follower against a real Anvil and the real Lottery contract:
//   (a) bets and a draw reach the store (participants, activities, history,
//       an off-chain re-check of the winner), over http and over ws (newHeads);
//   (b) anvil_reorg removing a bet, and one removing the draw: the store ends
//       equal to the chain;
//   (c) the node goes away mid-round and comes back from a state dump: the
//       follower reports unreachable, reconnects, backfills, misses nothing;
//   (d) a hostile first endpoint (malformed JSON, huge bodies, wrong ids,
//       errors, timeouts) with Anvil second: the follower uses the second.
// Each scenario prints one "[follower-it] ..." line.

#include "contract/events.hpp"
#include "contract/views.hpp"
#include "eth/address.hpp"
#include "eth/hex.hpp"
#include "follower/follower.hpp"
#include "follower/rpc_chain_source.hpp"
#include "logging/log.hpp"
#include "rpc/client.hpp"
#include "store/verify.hpp"

#include "support/anvil_process.hpp"
#include "support/fake_rpc_server.hpp"
#include "support/log_capture.hpp"
#include "support/lottery_chain.hpp"

#include <gtest/gtest.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <unistd.h>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <iostream>
#include <thread>
#include <tuple>
#include <vector>

namespace lottery::follower {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using integration::AnvilOptions;
using integration::AnvilProcess;
using integration::FakeReply;
using integration::FakeRpcServer;
using integration::LogCapture;
using integration::LotteryChain;
using integration::LotteryChainOptions;
using namespace std::chrono_literals;

constexpr std::uint64_t kMilliEther = integration::kMinBetWei;

/// Log lines (follower and rpc client) are captured for assertions and also echoed to stderr;
/// debug lines too with LOTTERY_IT_DEBUG set.
logging::Level capture_level() {
  return std::getenv("LOTTERY_IT_DEBUG") != nullptr ? logging::Level::kDebug
                                                    : logging::Level::kInfo;
}

eth::Address address_of(std::string_view text) {
  auto a = eth::parse_address(text);
  if (!a) throw std::runtime_error("bad address " + std::string(text));
  return *a;
}

/// A follower with its own io_context thread, store and RPC client.
class Harness {
 public:
  Harness(const std::string& urls, const std::string& contract,
          LogCapture& /*logs: must outlive the harness*/,
          std::function<void(FollowerOptions&)> tune = {},
          std::function<void(rpc::ClientOptions&)> tune_client = {}) {
    rpc::ClientOptions client_options;
    client_options.request_timeout = 2000ms;
    client_options.max_attempts = 3;
    client_options.backoff = {50ms, 500ms, 2.0};
    client_options.health.cooldown = 200ms;
    client_options.health.max_cooldown = 2000ms;
    // As the app wires it: the client's lines go to the logger (captured and on stderr).
    client_options.log = [](std::string_view line) { logging::log_warn("rpc", line); };
    if (tune_client) tune_client(client_options);
    client_ = rpc::RpcClient::create(io_.get_executor(), urls, client_options);
    source_ = std::make_shared<RpcChainSource>(*client_, address_of(contract));
    FollowerOptions options;
    options.contract_address = address_of(contract);
    options.confirmations = 0;
    options.poll_interval = 100ms;
    options.subscription_heartbeat = 2000ms;
    options.retry_backoff = {100ms, 1000ms, 2.0};
    if (tune) tune(options);
    follower_ = std::make_unique<Follower>(source_, store_, options);
    asio::co_spawn(io_, follower_->run(),
                   asio::bind_cancellation_slot(cancel_.slot(), [this](std::exception_ptr e) {
                     ended_ = e;
                     done_.set_value();
                   }));
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Harness() {
    asio::post(io_, [this] { cancel_.emit(asio::cancellation_type::terminal); });
    if (done_.get_future().wait_for(10s) != std::future_status::ready)
      ADD_FAILURE() << "follower did not stop";
    asio::post(io_, [this] { client_->close(); });
    work_.reset();
    std::this_thread::sleep_for(50ms);
    io_.stop();
    thread_.join();
  }

  store::Store& store() { return store_; }
  Follower& follower() { return *follower_; }

  /// Polls `predicate` until it holds or `timeout` passes.
  static bool wait_for(const std::function<bool()>& predicate,
                       std::chrono::milliseconds timeout = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (predicate()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return predicate();
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::unique_ptr<rpc::RpcClient> client_;
  std::shared_ptr<RpcChainSource> source_;
  store::Store store_;
  std::unique_ptr<Follower> follower_;
  asio::cancellation_signal cancel_;
  std::promise<void> done_;
  std::exception_ptr ended_;
  std::thread thread_;
};

using EventId = std::tuple<std::uint64_t, std::uint64_t, std::string>;

std::vector<EventId> store_events(const store::Snapshot& snap) {
  std::vector<EventId> out;
  for (const auto& a : *snap.feed)
    out.emplace_back(a->block_number, a->log_index, eth::hex_encode(a->tx_hash));
  return out;
}

/// The chain's logs of events the store follows, as (block, index, tx).
std::vector<EventId> chain_events(LotteryChain& chain, std::uint64_t from, std::uint64_t to) {
  std::vector<EventId> out;
  for (const auto& v : chain.get_logs(from, to)) {
    const auto& log = v.as_object();
    // Exactly the logs the contract binding turns into store events.
    std::vector<eth::Hash32> topics;
    for (const auto& t : log.at("topics").as_array())
      topics.push_back(*eth::hex_decode_fixed<32>(std::string(t.as_string())));
    const auto data = eth::hex_decode(std::string(log.at("data").as_string()));
    auto decoded = contract::decode_event(topics, *data);
    if (!decoded || !decoded->has_value()) continue;
    out.emplace_back(integration::parse_quantity(log.at("blockNumber")),
                     integration::parse_quantity(log.at("logIndex")),
                     std::string(log.at("transactionHash").as_string()));
  }
  return out;
}

std::vector<store::Participant> chain_participants(LotteryChain& chain) {
  auto data = eth::hex_decode(chain.call(LotteryChain::kGetParticipantsWithBets));
  auto decoded = contract::decode_participants_with_bets(*data);
  if (!decoded) throw std::runtime_error("getParticipantsWithBets does not decode");
  return *decoded;
}

store::Round chain_round(LotteryChain& chain) {
  auto data = eth::hex_decode(chain.call(LotteryChain::kGetRound));
  auto decoded = contract::decode_round(*data);
  if (!decoded) throw std::runtime_error("getRound does not decode");
  return *decoded;
}

std::string head_hash(LotteryChain& chain) {
  return std::string(chain.block(chain.block_number()).at("hash").as_string());
}

/// True when the store shows the chain's head, events, participants and round.
bool store_matches_chain(Harness& h, LotteryChain& chain, std::string* why = nullptr) {
  const auto snap = h.store().snapshot();
  const auto head = chain.block_number();
  auto fail = [&](std::string reason) {
    if (why) *why = std::move(reason);
    return false;
  };
  if (snap->chain.latest_block != head)
    return fail("store head " + std::to_string(snap->chain.latest_block) + " vs " +
                std::to_string(head));
  if (eth::hex_encode(snap->chain.head_hash) != head_hash(chain)) return fail("head hash differs");
  const auto mine = store_events(*snap);
  const auto theirs = chain_events(chain, chain.deploy_block(), head);
  if (mine != theirs) {
    std::string text = "events differ: store " + std::to_string(mine.size()) + ", chain " +
                       std::to_string(theirs.size());
    for (const auto& [b, i, t] : theirs)
      text += "\n  chain " + std::to_string(b) + "/" + std::to_string(i) + " " + t;
    for (const auto& [b, i, t] : mine)
      text += "\n  store " + std::to_string(b) + "/" + std::to_string(i) + " " + t;
    return fail(text);
  }
  if (*snap->participants != chain_participants(chain)) return fail("participants differ");
  if (snap->round != chain_round(chain)) return fail("round differs");
  return true;
}

bool history_size_is(Harness& h, std::size_t n, std::string* why) {
  const auto snap = h.store().snapshot();
  if (snap->history->size() == n) return true;
  std::string text = "history has " + std::to_string(snap->history->size()) + " rounds, want " +
                     std::to_string(n) + "; store head " +
                     std::to_string(snap->chain.latest_block) + "; feed:";
  for (const auto& a : *snap->feed)
    text += " " + a->activity_type + "@" + std::to_string(a->block_number);
  *why = text;
  return false;
}

bool tools_present() {
  return AnvilProcess::available();
}

#define REQUIRE_ANVIL()                                                      \
  do {                                                                       \
    if (!tools_present()) GTEST_SKIP() << "node_modules/.bin/anvil missing"; \
  } while (0)

// ---- (a) + (e): bets and a draw, over http and ws ---------------------------------------------

class FollowerRoundTest : public ::testing::TestWithParam<bool> {};

TEST_P(FollowerRoundTest, BetsAndADrawReachTheStoreAndTheWinnerReverifies) {
  REQUIRE_ANVIL();
  const bool ws = GetParam();
  LogCapture logs(capture_level(), /*echo=*/true);
  LotteryChain chain;
  Harness h(ws ? chain.ws_url() : chain.http_url(), chain.contract_address(), logs);
  ASSERT_TRUE(Harness::wait_for([&] { return h.follower().ready(); }))
      << "follower never became ready";
  if (ws) {
    EXPECT_TRUE(Harness::wait_for([&] { return h.follower().stats().subscribed; }))
        << "no newHeads subscription";
  }

  chain.bet(2, kMilliEther);
  chain.bet(3, 2 * kMilliEther);
  chain.bet(4, 3 * kMilliEther);
  chain.bet(2, 4 * kMilliEther);  // a second bet adds up
  std::string why;
  ASSERT_TRUE(Harness::wait_for([&] { return store_matches_chain(h, chain, &why); })) << why;
  {
    const auto snap = h.store().snapshot();
    ASSERT_EQ(snap->participants->size(), 3u);
    EXPECT_EQ((*snap->participants)[0].address, address_of(LotteryChain::address(2)));
    EXPECT_EQ((*snap->participants)[0].total_wei, eth::U256(5 * kMilliEther));
    EXPECT_EQ((*snap->participants)[2].total_wei, eth::U256(3 * kMilliEther));
    EXPECT_EQ(snap->round.state, store::RoundState::kBetting);
    EXPECT_EQ(snap->round.total_pot, eth::U256(10 * kMilliEther));
    std::size_t bets = 0;
    for (const auto& a : *snap->feed) bets += a->activity_type == "BetPlaced" ? 1 : 0;
    EXPECT_EQ(bets, 4u);
    EXPECT_EQ(snap->chain.head_timestamp,
              integration::parse_quantity(chain.block(chain.block_number()).at("timestamp")));
  }

  chain.increase_time(190);  // past endTime + minDrawDelay
  chain.mine();
  chain.draw_winner();
  ASSERT_TRUE(Harness::wait_for([&] {
    return history_size_is(h, 1, &why) && store_matches_chain(h, chain, &why);
  })) << why;
  const auto snap = h.store().snapshot();
  const auto& finished = *snap->history->front();
  EXPECT_EQ(finished.kind, store::FinishKind::kCompleted);
  EXPECT_EQ(finished.round_id, 1u);
  EXPECT_EQ(finished.total_pot_wei, eth::U256(10 * kMilliEther));
  EXPECT_EQ(finished.publisher_commission_wei, eth::U256(10 * kMilliEther) * 500 / 10000);
  EXPECT_EQ(finished.winner_prize_wei + finished.publisher_commission_wei, finished.total_pot_wei);
  ASSERT_TRUE(finished.random_seed);
  const auto verified = store::verify_round(finished);
  ASSERT_TRUE(verified);
  EXPECT_TRUE(verified->bets_complete);
  EXPECT_TRUE(verified->match) << "off-chain recomputation disagrees with the chain";
  EXPECT_EQ(*verified->expected_winner, finished.winner);
  EXPECT_EQ(snap->round.round_id, 2u);
  EXPECT_EQ(snap->round.state, store::RoundState::kWaiting);
  std::cout << "[follower-it] (a/" << (ws ? "ws newHeads" : "http polling")
            << ") 4 bets of 3 players and a draw followed; winner "
            << eth::to_checksum(finished.winner)
            << " re-verified from seed, store equals chain at block " << snap->chain.latest_block
            << std::endl;
}

INSTANTIATE_TEST_SUITE_P(Transports, FollowerRoundTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param_info) {
                           return param_info.param ? "ws" : "http";
                         });

// ---- (b) reorgs ------------------------------------------------------------------------------

TEST(FollowerIntegration, ReorgsRemovingABetAndTheDrawLeaveTheStoreEqualToTheChain) {
  REQUIRE_ANVIL();
  LogCapture logs(capture_level(), /*echo=*/true);
  LotteryChain chain;
  Harness h(chain.http_url(), chain.contract_address(), logs);
  ASSERT_TRUE(Harness::wait_for([&] { return h.follower().ready(); }));

  chain.bet(2, kMilliEther);
  chain.bet(3, kMilliEther);
  chain.bet(5, 7 * kMilliEther);  // the bet the reorg removes
  std::string why;
  ASSERT_TRUE(Harness::wait_for([&] { return store_matches_chain(h, chain, &why); })) << why;
  ASSERT_EQ(h.store().snapshot()->participants->size(), 3u);

  // Replace the last block (account 5's bet) with one holding account 6's bet.
  json::array txs;
  json::array pair;
  pair.push_back(chain.transaction(6, LotteryChain::kPlaceBet, 2 * kMilliEther));
  pair.emplace_back(0);
  txs.push_back(pair);
  chain.reorg(1, txs);
  ASSERT_TRUE(Harness::wait_for([&] { return store_matches_chain(h, chain, &why); })) << why;
  {
    const auto snap = h.store().snapshot();
    for (const auto& p : *snap->participants)
      EXPECT_NE(p.address, address_of(LotteryChain::address(5)));
    EXPECT_EQ(snap->participants->back().address, address_of(LotteryChain::address(6)));
    EXPECT_GE(h.follower().stats().reorgs, 1u);
  }
  std::cout << "[follower-it] (b) reorg replaced a bet (account 5 -> account 6); store equals chain"
            << std::endl;

  chain.increase_time(190);
  chain.mine();
  chain.draw_winner();
  ASSERT_TRUE(Harness::wait_for([&] {
    return history_size_is(h, 1, &why) && store_matches_chain(h, chain, &why);
  })) << why;
  chain.reorg(1);  // the draw's block is replaced by an empty one
  ASSERT_TRUE(Harness::wait_for([&] { return store_matches_chain(h, chain, &why); })) << why;
  const auto snap = h.store().snapshot();
  EXPECT_TRUE(snap->history->empty()) << "the removed draw is still in history";
  EXPECT_EQ(snap->round.round_id, 1u);
  EXPECT_EQ(snap->round.state, store::RoundState::kBetting);
  EXPECT_GE(h.follower().stats().reorgs, 2u);
  EXPECT_TRUE(logs.contains("chain reorganisation"));
  std::cout << "[follower-it] (b) reorg removed the draw; history empty again, round 1 betting, "
               "store equals chain"
            << std::endl;
}

// ---- (c) node restart --------------------------------------------------------------------------

TEST(FollowerIntegration, NodeRestartMidRoundMissesNoEvent) {
  REQUIRE_ANVIL();
  LogCapture logs(capture_level(), /*echo=*/true);
  const auto dir =
      std::filesystem::temp_directory_path() / ("follower-it-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string state1 = (dir / "state1.json").string();
  const std::string state2 = (dir / "state2.json").string();
  LotteryChainOptions options;
  options.anvil.extra_args = {"--dump-state", state1};
  LotteryChain chain(options);

  // The follower reaches the node through a forwarding proxy, so the node can
  // come back on another port behind the same URL.
  std::atomic<std::uint16_t> target{chain.anvil().port()};
  std::atomic<bool> blocked{false};
  FakeRpcServer proxy([&](const std::string& body) {
    FakeReply reply;
    if (blocked.load()) {
      reply.drop = true;
      return reply;
    }
    try {
      reply.body = integration::http_post(target.load(), body, 5000ms);
    } catch (const std::exception&) {
      reply.drop = true;
    }
    return reply;
  });
  Harness h(proxy.http_url(), chain.contract_address(), logs);
  ASSERT_TRUE(Harness::wait_for([&] { return h.follower().ready(); }));
  chain.bet(2, kMilliEther);
  std::string why;
  ASSERT_TRUE(Harness::wait_for([&] { return store_matches_chain(h, chain, &why); })) << why;

  // The node becomes unreachable; meanwhile players keep betting.
  blocked = true;
  ASSERT_TRUE(Harness::wait_for([&] { return !h.store().snapshot()->chain.reachable; }, 15s))
      << "the follower never reported the node unreachable";
  EXPECT_FALSE(h.follower().ready());
  chain.bet(3, 2 * kMilliEther);
  chain.bet(4, 3 * kMilliEther);
  chain.mine(5);
  // The node dies (state dumped on SIGTERM) and a new one loads that state.
  chain.stop_anvil();
  AnvilOptions restarted;
  restarted.extra_args = {"--load-state", state1, "--dump-state", state2};
  chain.replace_anvil(std::make_unique<AnvilProcess>(restarted));
  target = chain.anvil().port();
  chain.bet(5, 4 * kMilliEther);
  blocked = false;

  ASSERT_TRUE(Harness::wait_for([&] { return store_matches_chain(h, chain, &why); }, 30s)) << why;
  EXPECT_TRUE(h.follower().ready());
  EXPECT_TRUE(h.store().snapshot()->chain.reachable);
  EXPECT_EQ(h.store().snapshot()->participants->size(), 4u);
  EXPECT_TRUE(logs.contains("iteration failed"));
  EXPECT_TRUE(logs.contains("chain reachable again"));
  const auto events = store_events(*h.store().snapshot());
  std::cout << "[follower-it] (c) node unreachable, killed and restarted from its state dump: "
               "follower reconnected and "
               "backfilled; "
            << events.size() << " events equal eth_getLogs over blocks " << chain.deploy_block()
            << ".." << chain.block_number() << std::endl;
  std::filesystem::remove_all(dir);
}

// ---- (d) hostile first endpoint ---------------------------------------------------------------

TEST(FollowerIntegration, HostileFirstEndpointIsSurvivedAndTheSecondIsUsed) {
  REQUIRE_ANVIL();
  LogCapture logs(capture_level(), /*echo=*/true);
  LotteryChain chain;
  std::atomic<std::size_t> n{0};
  FakeRpcServer hostile([&](const std::string& body) {
    FakeReply reply;
    switch (n++ % 5) {
      case 0:
        reply.body = "{\"jsonrpc\":\"2.0\",\"id\":";  // malformed JSON
        break;
      case 1:
        reply.body = std::string(2 * 1024 * 1024, 'x');  // above the 1 MiB limit below
        break;
      case 2:
        reply.body = "{\"jsonrpc\":\"2.0\",\"id\":987654321,\"result\":\"0x1\"}";  // wrong id
        break;
      case 3:
        reply.body = FakeRpcServer::error_for(body, -32000, "internal error");
        break;
      default:
        reply.body = FakeRpcServer::result_for(body, "\"0x1\"");
        reply.delay = 3000ms;  // past the request timeout
        break;
    }
    return reply;
  });
  Harness h(hostile.http_url() + "," + chain.http_url(), chain.contract_address(), logs, {},
            [](rpc::ClientOptions& o) {
              o.request_timeout = 1000ms;
              o.transport.max_response_bytes = 1024 * 1024;
              // Short rests, so the client keeps giving the bad endpoint trial
              // requests and meets every kind of bad reply.
              o.health.cooldown = 20ms;
              o.health.max_cooldown = 100ms;
            });
  ASSERT_TRUE(Harness::wait_for([&] { return h.follower().ready(); }, 30s))
      << "never ready behind a hostile endpoint";
  chain.bet(2, kMilliEther);
  chain.bet(3, kMilliEther);
  std::string why;
  ASSERT_TRUE(Harness::wait_for([&] { return store_matches_chain(h, chain, &why); }, 30s)) << why;
  ASSERT_TRUE(Harness::wait_for([&] { return hostile.requests() >= 10; }, 30s))
      << "the bad endpoint was never retried";
  chain.bet(4, kMilliEther);
  ASSERT_TRUE(Harness::wait_for([&] { return store_matches_chain(h, chain, &why); }, 30s)) << why;
  for (const char* kind : {"malformed_response", "response_too_large", "timeout"}) {
    EXPECT_TRUE(logs.contains(kind)) << "no log line naming " << kind;
  }
  EXPECT_TRUE(logs.contains("internal error")) << "the node's error message is not in the log";
  std::cout << "[follower-it] (d) hostile first endpoint (" << hostile.requests()
            << " bad replies: malformed, oversized, wrong id, error, timeout) survived; follower "
               "used Anvil; store "
               "equals chain"
            << std::endl;
}

}  // namespace
}  // namespace lottery::follower
