// SPDX-License-Identifier: Apache-2.0
//
// lottery_rpc against a real Anvil (HTTP and WebSocket) and against a
// scripted hostile server: typed errors, timeouts, limits, failover.

#include "rpc/client.hpp"
#include "rpc/eth_api.hpp"

#include "support/anvil_process.hpp"
#include "support/fake_rpc_server.hpp"

#include "eth/hex.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

using namespace lottery::rpc;
using namespace lottery::integration;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;
namespace eth = lottery::eth;
using lottery::infra::Task;
using Clock = std::chrono::steady_clock;

namespace {

// Anvil's first default account (mnemonic "test test … junk").
constexpr const char* kAccount0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
constexpr const char* kAccount1 = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

/// An io_context run by one background thread for the test's lifetime, so
/// WebSocket read loops can stay open while the test thread waits.
class Loop {
 public:
  Loop() : guard_(asio::make_work_guard(ctx_)), thread_([this] { ctx_.run(); }) {}
  ~Loop() {
    guard_.reset();
    ctx_.stop();
    thread_.join();
  }
  asio::io_context& ctx() { return ctx_; }

  template <class T>
  T await(Task<T> task, std::chrono::seconds limit = 60s) {
    auto fut = asio::co_spawn(ctx_, std::move(task), asio::use_future);
    if (fut.wait_for(limit) != std::future_status::ready)
      throw std::runtime_error("test task hung");
    return fut.get();
  }

 private:
  asio::io_context ctx_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

ClientOptions quick_options() {
  ClientOptions o;
  o.request_timeout = 5s;
  o.backoff = {5ms, 50ms, 2.0};
  o.max_attempts = 3;
  o.health.cooldown = 200ms;
  return o;
}

template <class T>
RpcError expect_rpc_error(Loop& loop, Task<T> task) {
  try {
    loop.await(std::move(task));
  } catch (const RpcException& e) {
    return e.error();
  }
  ADD_FAILURE() << "expected an RpcException";
  return {};
}

std::uint16_t dead_port() {
  asio::io_context ctx;
  asio::ip::tcp::acceptor a(ctx, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();  // closed when `a` goes away: connections are refused
}

#define REQUIRE_ANVIL()                               \
  if (!AnvilProcess::available())                     \
  GTEST_SKIP() << "node_modules/.bin/anvil missing; " \
                  "run npm ci"

}  // namespace

// ---- real Anvil -------------------------------------------------------------

class AnvilRpc : public ::testing::TestWithParam<bool> {};

TEST_P(AnvilRpc, EthApiBasicsOverHttpAndWs) {
  REQUIRE_ANVIL();
  AnvilOptions options;
  options.chain_id = 1337;
  AnvilProcess anvil(options);
  Loop loop;
  const bool ws = GetParam();
  auto client = RpcClient::create(loop.ctx().get_executor(), ws ? anvil.ws_url() : anvil.http_url(),
                                  quick_options());
  EthApi api(*client);

  EXPECT_EQ(loop.await(api.chain_id()), 1337u);
  for (int i = 0; i < 3; ++i) anvil.rpc("evm_mine");
  EXPECT_EQ(loop.await(api.block_number()), 3u);

  auto head = loop.await(api.block_header(BlockTag::latest()));
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->number, 3u);
  EXPECT_TRUE(head->base_fee_per_gas.has_value());
  auto parent = loop.await(api.block_header(BlockTag::at(2)));
  ASSERT_TRUE(parent.has_value());
  EXPECT_EQ(head->parent_hash, parent->hash);
  EXPECT_LE(parent->timestamp, head->timestamp);
  EXPECT_FALSE(loop.await(api.block_header(BlockTag::at(1000))).has_value());

  // One batch: three answers matched back to their calls.
  const auto account0 = *eth::parse_address(kAccount0);
  std::vector<Call> calls{eth_json::chain_id_request(), eth_json::block_number_request(),
                          eth_json::balance_request(account0, BlockTag::latest())};
  auto out = loop.await(client->batch(calls));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(eth_json::parse_u64(out[0].value(), "chainId"), 1337u);
  EXPECT_EQ(eth_json::parse_u64(out[1].value(), "blockNumber"), 3u);
  EXPECT_EQ(eth_json::parse_quantity(out[2].value(), "balance"),
            eth::U256("10000000000000000000000"));

  auto fees = loop.await(api.fee_history(3, BlockTag::latest(), {25.0, 75.0}));
  EXPECT_EQ(fees.oldest_block, 1u);
  EXPECT_EQ(fees.gas_used_ratio.size(), 3u);
  EXPECT_EQ(fees.base_fee_per_gas.size(), 4u);
  EXPECT_EQ(fees.reward.size(), 3u);
  auto fractional = loop.await(api.fee_history(2, BlockTag::latest(), {12.5}));
  EXPECT_EQ(fractional.reward.size(), 2u);

  LogFilter filter;
  filter.addresses.push_back(account0);
  filter.from_block = 0;
  filter.to_block = 3;
  EXPECT_TRUE(loop.await(api.get_logs(filter)).empty());

  EXPECT_EQ(loop.await(api.transaction_count(account0)), 0u);
  EXPECT_GT(loop.await(api.gas_price()), eth::U256(0));
  EXPECT_TRUE(loop.await(api.code(account0)).empty());
  CallRequest transfer;
  transfer.from = account0;
  transfer.to = *eth::parse_address(kAccount1);
  transfer.value = eth::U256(1);
  EXPECT_EQ(loop.await(api.estimate_gas(transfer)), 21000u);
  EXPECT_TRUE(loop.await(api.call(transfer)).empty());
  EXPECT_FALSE(loop.await(api.transaction_receipt(eth::Hash32{})).has_value());
  client->close();
}

INSTANTIATE_TEST_SUITE_P(Transports, AnvilRpc, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "ws" : "http"; });

TEST(AnvilRpcErrors, RevertsAndNonceErrorsAreTypedAndNotRetried) {
  REQUIRE_ANVIL();
  AnvilProcess anvil;
  Loop loop;
  auto client = RpcClient::create(loop.ctx().get_executor(), anvil.http_url(), quick_options());
  EthApi api(*client);

  // Contract-creation call whose init code reverts with 0xdeadbeef:
  // PUSH4 deadbeef PUSH1 e0 SHL PUSH1 0 MSTORE PUSH1 4 PUSH1 0 REVERT
  CallRequest revert;
  revert.data = *eth::hex_decode("0x63deadbeef60e01b60005260046000fd");
  auto error = expect_rpc_error(loop, api.call(revert));
  EXPECT_EQ(error.kind, RpcErrc::kExecutionReverted) << error.describe();
  ASSERT_TRUE(error.revert_data().has_value()) << json::serialize(error.data);
  EXPECT_EQ(eth::hex_encode(*error.revert_data()), "0xdeadbeef");
  EXPECT_EQ(error.method, "eth_call");
  EXPECT_EQ(client->stats()[0].errors, 0u);

  // A second transaction with an already used nonce (Anvil's accounts are unlocked).
  auto send = [&](const char* nonce) {
    json::object txn;
    txn["from"] = kAccount0;
    txn["to"] = kAccount1;
    txn["value"] = "0x1";
    txn["nonce"] = nonce;
    json::array params;
    params.emplace_back(std::move(txn));
    return client->call("eth_sendTransaction", std::move(params));
  };
  EXPECT_TRUE(loop.await(send("0x0")).is_string());
  auto nonce_error = expect_rpc_error(loop, send("0x0"));
  EXPECT_EQ(nonce_error.kind, RpcErrc::kNonceTooLow) << nonce_error.describe();

  // Value beyond the balance.
  json::object txn;
  txn["from"] = kAccount1;
  txn["to"] = kAccount0;
  txn["value"] = eth::u256_to_quantity(eth::U256("100000000000000000000000000"));
  json::array params;
  params.emplace_back(std::move(txn));
  auto funds = expect_rpc_error(loop, client->call("eth_sendTransaction", std::move(params)));
  EXPECT_EQ(funds.kind, RpcErrc::kInsufficientFunds) << funds.describe();
}

TEST(AnvilRpcSubscription, NewHeadsDeliversMinedBlocksInOrder) {
  REQUIRE_ANVIL();
  AnvilProcess anvil;
  Loop loop;
  auto client = RpcClient::create(loop.ctx().get_executor(), anvil.ws_url(), quick_options());
  EthApi api(*client);
  ASSERT_TRUE(client->supports_subscriptions());
  auto sub = loop.await(api.subscribe_new_heads());
  ASSERT_FALSE(sub->id().empty());
  for (int i = 0; i < 3; ++i) anvil.rpc("evm_mine");
  std::vector<BlockHeader> heads;
  for (int i = 0; i < 3; ++i) heads.push_back(loop.await(EthApi::next_head(*sub), 20s));
  EXPECT_EQ(heads[0].number, 1u);
  EXPECT_EQ(heads[2].number, 3u);
  EXPECT_EQ(heads[1].parent_hash, heads[0].hash);
  EXPECT_EQ(heads[2].parent_hash, heads[1].hash);
  EXPECT_EQ(client->stats()[0].head, 3u);  // newHeads feed the endpoint's head
  // Requests still work on the same connection while subscribed.
  EXPECT_EQ(loop.await(api.block_number()), 3u);
  sub->close();
  auto closed = expect_rpc_error(loop, sub->next());
  EXPECT_EQ(closed.kind, RpcErrc::kTransport);
  client->close();
}

TEST(AnvilRpcSubscription, NodeRestartIsReportedToSubscriber) {
  REQUIRE_ANVIL();
  auto anvil = std::make_unique<AnvilProcess>();
  Loop loop;
  auto client = RpcClient::create(loop.ctx().get_executor(), anvil->ws_url(), quick_options());
  EthApi api(*client);
  auto sub = loop.await(api.subscribe_new_heads());
  anvil->stop();
  const auto start = Clock::now();
  auto dropped = expect_rpc_error(loop, sub->next());
  EXPECT_EQ(dropped.kind, RpcErrc::kTransport);
  EXPECT_LT(Clock::now() - start, 10s);
  client->close();
}

// ---- hostile server ---------------------------------------------------------

class HostileServer : public ::testing::TestWithParam<bool> {
 protected:
  bool ws() const { return GetParam(); }
  std::string url(const FakeRpcServer& s) const { return ws() ? s.ws_url() : s.http_url(); }
};

TEST_P(HostileServer, MalformedRepliesBecomeTypedErrors) {
  FakeRpcServer server([](const std::string&) { return FakeReply{"{this is not json"}; });
  Loop loop;
  auto options = quick_options();
  options.request_timeout = 1s;  // WS: garbage is ignored, so the call times out
  options.max_attempts = 1;
  auto client = RpcClient::create(loop.ctx().get_executor(), url(server), options);
  auto e1 = expect_rpc_error(loop, client->call("eth_chainId", {}));
  EXPECT_EQ(e1.kind, ws() ? RpcErrc::kTimeout : RpcErrc::kMalformedResponse) << e1.describe();

  server.set_handler([](const std::string& req) {
    auto reply = json::parse(FakeRpcServer::result_for(req, "\"0x1\""));
    reply.as_object()["id"] = 424242;  // wrong id
    return FakeReply{json::serialize(reply)};
  });
  auto e2 = expect_rpc_error(loop, client->call("eth_chainId", {}));
  EXPECT_EQ(e2.kind, ws() ? RpcErrc::kTimeout : RpcErrc::kMalformedResponse) << e2.describe();

  server.set_handler([](const std::string& req) {
    return FakeReply{FakeRpcServer::result_for(req, "{\"number\":\"0xnope\",\"hash\":7}")};
  });
  EthApi api(*client);
  auto e3 = expect_rpc_error(loop, api.block_header(BlockTag::latest()));
  EXPECT_EQ(e3.kind, RpcErrc::kMalformedResponse) << e3.describe();

  server.set_handler([](const std::string& req) {
    return FakeReply{FakeRpcServer::error_for(req, -32000, "header not found")};
  });
  auto e4 = expect_rpc_error(loop, client->call("eth_getBlockByNumber", {}));
  EXPECT_EQ(e4.kind, RpcErrc::kOther);
  EXPECT_EQ(e4.message, "header not found");
  client->close();
}

TEST_P(HostileServer, OversizedReplyIsRejected) {
  std::atomic<bool> big{true};
  FakeRpcServer server([&](const std::string& req) {
    const std::string huge = "\"" + std::string(2 * 1024 * 1024, 'a') + "\"";
    return FakeReply{FakeRpcServer::result_for(req, big ? huge : "\"0x1\"")};
  });
  Loop loop;
  auto options = quick_options();
  options.transport.max_response_bytes = 1024 * 1024;
  auto client = RpcClient::create(loop.ctx().get_executor(), url(server), options);
  auto error = expect_rpc_error(loop, client->call("eth_chainId", {}));
  EXPECT_EQ(error.kind, RpcErrc::kResponseTooLarge) << error.describe();
  big = false;
  std::this_thread::sleep_for(250ms);  // let the endpoint's rest end
  EXPECT_EQ(loop.await(client->call("eth_chainId", {})), json::value("0x1"));
  client->close();
}

TEST_P(HostileServer, SlowReplyTimesOutOnDeadline) {
  FakeRpcServer server([](const std::string& req) {
    FakeReply r{FakeRpcServer::result_for(req, "\"0x1\"")};
    r.delay = 3s;
    return r;
  });
  Loop loop;
  auto options = quick_options();
  options.max_attempts = 1;
  auto client = RpcClient::create(loop.ctx().get_executor(), url(server), options);
  CallOptions call_options;
  call_options.timeout = 300ms;
  const auto start = Clock::now();
  auto error = expect_rpc_error(loop, client->call("eth_chainId", {}, call_options));
  const auto elapsed = Clock::now() - start;
  EXPECT_EQ(error.kind, RpcErrc::kTimeout) << error.describe();
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 2s);
  client->close();
}

TEST_P(HostileServer, DroppedConnectionIsTransportErrorAndRetried) {
  std::atomic<int> seen{0};
  FakeRpcServer server([&](const std::string& req) {
    if (seen++ == 0) {
      FakeReply r;
      r.drop = true;
      return r;
    }
    return FakeReply{FakeRpcServer::result_for(req, "\"0x2a\"")};
  });
  Loop loop;
  auto client = RpcClient::create(loop.ctx().get_executor(), url(server), quick_options());
  EXPECT_EQ(loop.await(client->call("eth_chainId", {})), json::value("0x2a"));
  EXPECT_EQ(seen.load(), 2);
  EXPECT_EQ(client->stats()[0].errors, 1u);
  EXPECT_NE(client->stats()[0].last_error.find("transport"), std::string::npos);

  FakeReply dead;
  dead.drop = true;
  server.set_handler([dead](const std::string&) { return dead; });
  auto error = expect_rpc_error(loop, client->call("eth_chainId", {}));
  EXPECT_EQ(error.kind, RpcErrc::kTransport) << error.describe();
  client->close();
}

INSTANTIATE_TEST_SUITE_P(Transports, HostileServer, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "ws" : "http"; });

TEST(HostileHttp, RateLimitIsRetriedWithBackoff) {
  std::atomic<int> seen{0};
  FakeRpcServer server([&](const std::string& req) {
    if (seen++ < 2) {
      FakeReply r{"Too Many Requests"};
      r.status = 429;
      return r;
    }
    return FakeReply{FakeRpcServer::result_for(req, "\"0x1\"")};
  });
  Loop loop;
  auto client = RpcClient::create(loop.ctx().get_executor(), server.http_url(), quick_options());
  EXPECT_EQ(loop.await(client->call("eth_chainId", {})), json::value("0x1"));
  EXPECT_EQ(seen.load(), 3);
  EXPECT_NE(client->stats()[0].last_error.find("rate_limited"), std::string::npos);

  server.set_handler([](const std::string&) {
    FakeReply r{"<html>bad gateway</html>"};
    r.status = 502;
    return r;
  });
  auto error = expect_rpc_error(loop, client->call("eth_chainId", {}));
  EXPECT_EQ(error.kind, RpcErrc::kTransport);
  EXPECT_EQ(error.http_status, 502);
}

TEST(HostileHttp, KeepAliveConnectionIsReusedAndReopenedAfterServerDrop) {
  FakeRpcServer server(
      [](const std::string& req) { return FakeReply{FakeRpcServer::result_for(req, "\"0x1\"")}; });
  Loop loop;
  auto client = RpcClient::create(loop.ctx().get_executor(), server.http_url(), quick_options());
  for (int i = 0; i < 3; ++i) loop.await(client->call("eth_chainId", {}));
  EXPECT_EQ(server.connections(), 1u);
  server.drop_all();  // the idle keep-alive connection dies
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(loop.await(client->call("eth_chainId", {})), json::value("0x1"));
  EXPECT_EQ(server.connections(), 2u);
  EXPECT_EQ(client->stats()[0].errors, 0u);  // a stale idle connection is not the node's fault
}

TEST(HostileTls, HandshakeWithPlainServerFailsAsTransportError) {
  FakeRpcServer server(
      [](const std::string& req) { return FakeReply{FakeRpcServer::result_for(req, "\"0x1\"")}; });
  Loop loop;
  auto options = quick_options();
  options.max_attempts = 1;
  for (const std::string scheme : {"https", "wss"}) {
    auto client =
        RpcClient::create(loop.ctx().get_executor(),
                          scheme + "://127.0.0.1:" + std::to_string(server.port()), options);
    auto error = expect_rpc_error(loop, client->call("eth_chainId", {}));
    EXPECT_EQ(error.kind, RpcErrc::kTransport) << error.describe();
    EXPECT_NE(error.message.find("TLS handshake"), std::string::npos) << error.message;
    client->close();
  }
}

TEST(HostileWs, RepliesOutOfOrderAreMatchedById) {
  FakeRpcServer server([](const std::string& req) {
    auto parsed = json::parse(req);
    if (parsed.is_array()) {  // answer a batch in reverse order, each with its method name
      json::array replies;
      for (auto it = parsed.as_array().rbegin(); it != parsed.as_array().rend(); ++it) {
        json::object one;
        one["jsonrpc"] = "2.0";
        one["id"] = it->at("id");
        one["result"] = it->at("method");
        replies.push_back(std::move(one));
      }
      return FakeReply{json::serialize(replies)};
    }
    FakeReply r{FakeRpcServer::result_for(req, "\"" + FakeRpcServer::method_of(req) + "\"")};
    if (FakeRpcServer::method_of(req) == "slow") r.delay = 300ms;
    return r;
  });
  Loop loop;
  auto client = RpcClient::create(loop.ctx().get_executor(), server.ws_url(), quick_options());
  auto slow = asio::co_spawn(loop.ctx(), client->call("slow", {}), asio::use_future);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(loop.await(client->call("fast", {})), json::value("fast"));
  EXPECT_EQ(slow.wait_for(0s), std::future_status::timeout);  // the fast one overtook it
  EXPECT_EQ(slow.get(), json::value("slow"));
  std::vector<Call> calls{{"a", {}}, {"b", {}}};
  auto out = loop.await(client->batch(calls));
  EXPECT_EQ(out[0].value(), json::value("a"));
  EXPECT_EQ(out[1].value(), json::value("b"));
  EXPECT_EQ(server.connections(), 1u);
  client->close();
}

TEST(HostileWs, SubscriptionDeliversNotificationsAndReportsDrop) {
  FakeRpcServer server([](const std::string& req) {
    if (FakeRpcServer::method_of(req) == "eth_subscribe") {
      FakeReply r{FakeRpcServer::result_for(req, "\"0xsub1\"")};
      // The first notification right behind the reply must not be lost.
      r.extra.push_back(
          R"({"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0xsub1","result":{"n":1}}})");
      return r;
    }
    return FakeReply{FakeRpcServer::result_for(req, "true")};
  });
  Loop loop;
  auto client = RpcClient::create(loop.ctx().get_executor(), server.ws_url(), quick_options());
  json::array params;
  params.emplace_back("newHeads");
  auto sub = loop.await(client->subscribe(params));
  EXPECT_EQ(sub->id(), "0xsub1");
  EXPECT_EQ(loop.await(sub->next()), json::parse(R"({"n":1})"));
  server.push(
      R"({"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"other","result":{"n":9}}})");
  server.push("garbage that is not json");
  server.push(
      R"({"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0xsub1","result":{"n":2}}})");
  EXPECT_EQ(loop.await(sub->next()), json::parse(R"({"n":2})"));
  server.drop_all();
  auto error = expect_rpc_error(loop, sub->next());
  EXPECT_EQ(error.kind, RpcErrc::kTransport);
  EXPECT_NE(error.message.find("subscription ended"), std::string::npos) << error.message;
  // The transport reconnects for the next request.
  EXPECT_EQ(loop.await(client->call("eth_chainId", {})), json::value(true));
  EXPECT_EQ(server.connections(), 2u);
  client->close();
}

TEST(HostileWs, KeepAlivePingsHoldIdleLinkAndDeadPeerIsDetected) {
  FakeRpcServer server([](const std::string& req) {
    if (FakeRpcServer::method_of(req) == "eth_subscribe")
      return FakeReply{FakeRpcServer::result_for(req, "\"0xs\"")};
    return FakeReply{FakeRpcServer::result_for(req, "true")};
  });
  Loop loop;
  auto options = quick_options();
  options.transport.ws_idle_timeout = 600ms;
  auto client = RpcClient::create(loop.ctx().get_executor(), server.ws_url(), options);
  json::array params;
  params.emplace_back("newHeads");
  auto sub = loop.await(client->subscribe(params));
  // The fake server answers pings (Beast does), so the link stays up past
  // several idle periods...
  std::this_thread::sleep_for(1500ms);
  auto pending = asio::co_spawn(loop.ctx(), sub->next(), asio::use_future);
  EXPECT_EQ(pending.wait_for(200ms), std::future_status::timeout);
  // ...and a dead peer is noticed.
  server.drop_all();
  EXPECT_EQ(pending.wait_for(5s), std::future_status::ready);
  EXPECT_THROW(pending.get(), RpcException);
  client->close();
}

// ---- failover ---------------------------------------------------------------

TEST(Failover, DeadFirstUrlFailsOverToAnvilAndComesBack) {
  REQUIRE_ANVIL();
  AnvilProcess anvil;
  Loop loop;
  const auto port = dead_port();
  auto client = RpcClient::create(
      loop.ctx().get_executor(),
      "http://127.0.0.1:" + std::to_string(port) + "," + anvil.http_url(), quick_options());
  EthApi api(*client);
  EXPECT_EQ(loop.await(api.chain_id()), 31337u);
  auto stats = client->stats();
  EXPECT_EQ(stats[0].errors, 1u);
  EXPECT_FALSE(stats[0].available);
  EXPECT_EQ(stats[1].errors, 0u);
  EXPECT_EQ(client->preferred_endpoint(), 1u);
}

TEST(Failover, HostileFirstUrlFailsOverAndPrimaryIsUsedAgainOnceHealthy) {
  REQUIRE_ANVIL();
  AnvilProcess anvil;
  std::atomic<bool> healthy{false};
  FakeRpcServer primary([&](const std::string& req) {
    if (!healthy) return FakeReply{"][ not json"};
    // Answers like a node in sync with Anvil.
    auto request = json::parse(req);
    auto reply = json::parse(
        anvil.rpc(FakeRpcServer::method_of(req), json::serialize(request.at("params"))));
    reply.as_object()["id"] = request.at("id");
    return FakeReply{json::serialize(reply)};
  });
  Loop loop;
  auto client = RpcClient::create(loop.ctx().get_executor(),
                                  primary.http_url() + "," + anvil.http_url(), quick_options());
  EthApi api(*client);
  anvil.rpc("evm_mine");
  EXPECT_EQ(loop.await(api.block_number()), 1u);
  EXPECT_EQ(client->preferred_endpoint(), 1u);
  const auto before = primary.requests();

  healthy = true;
  std::this_thread::sleep_for(300ms);  // rest period over
  loop.await(client->probe_endpoints());
  EXPECT_EQ(client->preferred_endpoint(), 0u);
  EXPECT_EQ(loop.await(api.chain_id()), 31337u);
  EXPECT_GT(primary.requests(), before + 1);  // probe + the call went to the primary again
  EXPECT_EQ(client->stats()[0].consecutive_errors, 0u);
}
