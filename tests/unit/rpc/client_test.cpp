// SPDX-License-Identifier: Apache-2.0
// RpcClient retry and failover logic against scripted in-memory transports.
#include "rpc/client.hpp"
#include "rpc/eth_api.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <deque>
#include <functional>

using namespace lottery::rpc;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;
using lottery::infra::Task;

namespace {

/// Answers each request with the next scripted step: a function of the
/// request's ids returning the reply text, or throwing an RpcException.
class FakeTransport final : public Transport {
 public:
  using Step =
      std::function<std::string(const std::string& payload, const std::vector<RequestId>& ids)>;

  explicit FakeTransport(std::string url) : endpoint_(parse_endpoint(url)) {}

  Task<std::string> request(std::string payload, std::vector<RequestId> ids,
                            std::chrono::milliseconds) override {
    ++calls;
    payloads.push_back(payload);
    if (steps.empty())
      throw RpcException(make_error(RpcErrc::kTransport, "no more scripted replies"));
    auto step = std::move(steps.front());
    steps.pop_front();
    co_return step(payload, ids);
  }
  const Endpoint& endpoint() const noexcept override { return endpoint_; }
  void close() override {}

  std::deque<Step> steps;
  std::vector<std::string> payloads;
  int calls = 0;

 private:
  Endpoint endpoint_;
};

FakeTransport::Step result(std::string json_result) {
  return [json_result](const std::string&, const std::vector<RequestId>& ids) {
    return R"({"jsonrpc":"2.0","id":)" + std::to_string(ids.front()) + R"(,"result":)" +
           json_result + "}";
  };
}

FakeTransport::Step node_error(int code, std::string message) {
  return [code, message](const std::string&, const std::vector<RequestId>& ids) {
    return R"({"jsonrpc":"2.0","id":)" + std::to_string(ids.front()) + R"(,"error":{"code":)" +
           std::to_string(code) + R"(,"message":")" + message + R"("}})";
  };
}

FakeTransport::Step fail(RpcErrc kind) {
  return [kind](const std::string&, const std::vector<RequestId>&) -> std::string {
    throw RpcException(make_error(kind, "scripted failure"));
  };
}

FakeTransport::Step raw(std::string text) {
  return [text](const std::string&, const std::vector<RequestId>&) { return text; };
}

template <class T>
T run(asio::io_context& ctx, Task<T> task) {
  auto fut = asio::co_spawn(ctx, std::move(task), asio::use_future);
  ctx.run();
  ctx.restart();
  return fut.get();
}

ClientOptions fast_options() {
  ClientOptions o;
  o.backoff = {1ms, 5ms, 2.0};
  o.max_attempts = 4;
  return o;
}

struct Fixture {
  asio::io_context ctx;
  std::shared_ptr<FakeTransport> a = std::make_shared<FakeTransport>("http://a:1");
  std::shared_ptr<FakeTransport> b = std::make_shared<FakeTransport>("http://b:2");
  std::vector<std::string> log_lines;

  std::unique_ptr<RpcClient> client(std::size_t n = 2, ClientOptions o = fast_options()) {
    o.log = [this](std::string_view l) { log_lines.emplace_back(l); };
    std::vector<std::shared_ptr<Transport>> ts{a};
    if (n > 1) ts.push_back(b);
    return std::make_unique<RpcClient>(ctx.get_executor(), ts, o);
  }
};

RpcErrc error_kind(asio::io_context& ctx, Task<json::value> task) {
  try {
    run(ctx, std::move(task));
  } catch (const RpcException& e) {
    return e.kind();
  }
  return RpcErrc::kOther;
}

}  // namespace

TEST(RpcClient, ReturnsResultAndSendsWellFormedRequest) {
  Fixture f;
  f.a->steps.push_back(result(R"("0x7a69")"));
  auto c = f.client(1);
  EXPECT_EQ(run(f.ctx, c->call("eth_chainId", {})), json::value("0x7a69"));
  auto sent = json::parse(f.a->payloads.at(0));
  EXPECT_EQ(sent.at("method"), json::value("eth_chainId"));
  EXPECT_EQ(sent.at("jsonrpc"), json::value("2.0"));
}

TEST(RpcClient, RetriesTransientFaultsOnSameEndpointWithBackoff) {
  Fixture f;
  f.a->steps = {fail(RpcErrc::kTransport), fail(RpcErrc::kRateLimited), result("\"0x1\"")};
  auto c = f.client(1);
  EXPECT_EQ(run(f.ctx, c->call("eth_blockNumber", {})), json::value("0x1"));
  EXPECT_EQ(f.a->calls, 3);
  EXPECT_EQ(c->stats()[0].errors, 2u);
  EXPECT_EQ(c->stats()[0].head, 1u);  // eth_blockNumber results feed the head tracker
  EXPECT_EQ(f.log_lines.size(), 2u);
}

TEST(RpcClient, GivesUpAfterMaxAttempts) {
  Fixture f;
  for (int i = 0; i < 10; ++i) f.a->steps.push_back(fail(RpcErrc::kTimeout));
  auto c = f.client(1);
  EXPECT_EQ(error_kind(f.ctx, c->call("eth_blockNumber", {})), RpcErrc::kTimeout);
  EXPECT_EQ(f.a->calls, 4);
}

TEST(RpcClient, NeverRetriesNodeVerdicts) {
  Fixture f;
  f.a->steps = {node_error(3, "execution reverted: no"), node_error(-32000, "nonce too low"),
                node_error(-32000, "replacement transaction underpriced")};
  auto c = f.client();
  EXPECT_EQ(error_kind(f.ctx, c->call("eth_call", {})), RpcErrc::kExecutionReverted);
  EXPECT_EQ(error_kind(f.ctx, c->call("eth_sendRawTransaction", {})), RpcErrc::kNonceTooLow);
  EXPECT_EQ(error_kind(f.ctx, c->call("eth_sendRawTransaction", {})),
            RpcErrc::kReplacementUnderpriced);
  EXPECT_EQ(f.a->calls, 3);
  EXPECT_EQ(f.b->calls, 0);
  EXPECT_EQ(c->stats()[0].errors, 0u);  // the node answered: not its fault
}

TEST(RpcClient, MalformedReplyFailsOverButIsNotRetriedOnSameEndpoint) {
  Fixture f;
  f.a->steps = {raw("<html>oops</html>")};
  auto c1 = f.client(1);
  EXPECT_EQ(error_kind(f.ctx, c1->call("eth_blockNumber", {})), RpcErrc::kMalformedResponse);
  EXPECT_EQ(f.a->calls, 1);

  Fixture g;
  g.a->steps = {raw(R"({"jsonrpc":"2.0","id":999999,"result":"0x1"})")};
  g.b->steps = {result("\"0x2\"")};
  auto c2 = g.client(2);
  EXPECT_EQ(run(g.ctx, c2->call("eth_blockNumber", {})), json::value("0x2"));
  ASSERT_FALSE(g.log_lines.empty());
  EXPECT_NE(g.log_lines.back().find("failing over"), std::string::npos);
}

TEST(RpcClient, FailsOverToSecondEndpointAndReturnsToPrimaryAfterCooldown) {
  Fixture f;
  auto options = fast_options();
  options.health.cooldown = 50ms;
  f.a->steps = {fail(RpcErrc::kTransport), result("\"0xa\"")};
  f.b->steps = {result("\"0xb\""), result("\"0xb\"")};
  auto c = f.client(2, options);
  EXPECT_EQ(run(f.ctx, c->call("eth_chainId", {})), json::value("0xb"));
  EXPECT_EQ(c->preferred_endpoint(), 1u);
  EXPECT_EQ(run(f.ctx, c->call("eth_chainId", {})), json::value("0xb"));  // primary still resting
  std::this_thread::sleep_for(60ms);
  EXPECT_EQ(c->preferred_endpoint(), 0u);
  EXPECT_EQ(run(f.ctx, c->call("eth_chainId", {})), json::value("0xa"));
  EXPECT_FALSE(c->stats()[0].last_error.empty());
}

TEST(RpcClient, ProbesUpdateHeadsAndMoveAwayFromLaggingEndpoint) {
  Fixture f;
  f.a->steps = {result("\"0x64\"")};  // 100
  f.b->steps = {result("\"0x6e\"")};  // 110
  auto c = f.client();
  run(f.ctx, c->probe_endpoints());
  auto stats = c->stats();
  EXPECT_EQ(stats[0].head, 100u);
  EXPECT_EQ(stats[1].head, 110u);
  EXPECT_TRUE(stats[0].lagging);
  EXPECT_EQ(c->preferred_endpoint(), 1u);
  c->report_head(0, 110);
  EXPECT_EQ(c->preferred_endpoint(), 0u);
}

TEST(RpcClient, BatchMatchesOutOfOrderRepliesAndKeepsPerCallErrors) {
  Fixture f;
  f.a->steps.push_back([](const std::string& payload, const std::vector<RequestId>& ids) {
    EXPECT_TRUE(json::parse(payload).is_array());
    return "[" + std::string(R"({"jsonrpc":"2.0","id":)") + std::to_string(ids[1]) +
           R"(,"error":{"code":3,"message":"execution reverted"}},)" + R"({"jsonrpc":"2.0","id":)" +
           std::to_string(ids[0]) + R"(,"result":"0x1"}])";
  });
  auto c = f.client(1);
  std::vector<Call> calls{{"eth_chainId", {}}, {"eth_call", {}}};
  auto out = run(f.ctx, c->batch(calls));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].result, json::value("0x1"));
  ASSERT_FALSE(out[1].ok());
  EXPECT_EQ(out[1].error->kind, RpcErrc::kExecutionReverted);
  EXPECT_EQ(out[1].error->method, "eth_call");
  EXPECT_EQ(out[1].error->endpoint, "http://a:1");
  EXPECT_TRUE(run(f.ctx, c->batch({})).empty());
}

TEST(RpcClient, BatchWhollyRateLimitedIsRetried) {
  Fixture f;
  f.a->steps = {
      raw(R"({"jsonrpc":"2.0","id":null,"error":{"code":429,"message":"Too Many Requests"}})"),
      [](const std::string&, const std::vector<RequestId>& ids) {
        return R"([{"jsonrpc":"2.0","id":)" + std::to_string(ids[0]) + R"(,"result":"0x1"}])";
      }};
  auto c = f.client(1);
  std::vector<Call> calls{{"eth_chainId", {}}};
  auto out = run(f.ctx, c->batch(calls));
  EXPECT_TRUE(out[0].ok());
  EXPECT_EQ(f.a->calls, 2);
}

TEST(RpcClient, SubscribeWithoutWebSocketEndpointIsAClearError) {
  Fixture f;
  auto c = f.client();
  EXPECT_FALSE(c->supports_subscriptions());
  try {
    run(f.ctx, c->subscribe(json::array{"newHeads"}));
    FAIL();
  } catch (const RpcException& e) {
    EXPECT_NE(std::string(e.what()).find("ws://"), std::string::npos);
  }
}

TEST(EthApi, TypedHelpersParseAndRejectHostileResults) {
  Fixture f;
  f.a->steps = {result("\"0x7a69\""), result("\"0x10\""), result("null"), result("{\"number\":1}"),
                result("\"0xzz\"")};
  auto c = f.client(1);
  EthApi api(*c);
  EXPECT_EQ(run(f.ctx, api.chain_id()), 31337u);
  EXPECT_EQ(run(f.ctx, api.block_number()), 16u);
  EXPECT_FALSE(run(f.ctx, api.block_header(BlockTag::latest())).has_value());
  try {
    run(f.ctx, api.block_header(BlockTag::latest()));
    FAIL();
  } catch (const RpcException& e) {
    EXPECT_EQ(e.kind(), RpcErrc::kMalformedResponse);
  }
  try {
    run(f.ctx, api.gas_price());
    FAIL();
  } catch (const RpcException& e) {
    EXPECT_EQ(e.kind(), RpcErrc::kMalformedResponse);
    EXPECT_NE(std::string(e.what()).find("eth_gasPrice result"), std::string::npos);
  }
}
