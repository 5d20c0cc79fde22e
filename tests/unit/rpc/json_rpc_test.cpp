// SPDX-License-Identifier: Apache-2.0
#include "rpc/json_rpc.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>
#include <vector>

using namespace lottery::rpc;
namespace json = boost::json;

TEST(JsonRpcSerialize, RequestAndBatch) {
  Call call{"eth_getBalance", json::array{"0xabc", "latest"}};
  EXPECT_EQ(
      json::parse(serialize_request(7, call)),
      json::parse(
          R"({"jsonrpc":"2.0","id":7,"method":"eth_getBalance","params":["0xabc","latest"]})"));
  std::vector<Call> calls{{"eth_chainId", {}}, {"eth_blockNumber", {}}};
  std::vector<RequestId> ids{10, 11};
  EXPECT_EQ(json::parse(serialize_batch(ids, calls)),
            json::parse(R"([{"jsonrpc":"2.0","id":10,"method":"eth_chainId","params":[]},
                            {"jsonrpc":"2.0","id":11,"method":"eth_blockNumber","params":[]}])"));
}

TEST(JsonRpcParse, SingleResultAndNodeError) {
  auto ok = parse_response(R"({"jsonrpc":"2.0","id":5,"result":"0x10"})", 5);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.result, json::value("0x10"));

  auto null_result = parse_response(R"({"jsonrpc":"2.0","id":5,"result":null})", 5);
  ASSERT_TRUE(null_result.ok());
  EXPECT_TRUE(null_result.result.is_null());

  auto err = parse_response(
      R"({"jsonrpc":"2.0","id":5,"error":{"code":3,"message":"execution reverted: nope","data":"0x08c379a0"}})",
      5);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.error->kind, RpcErrc::kExecutionReverted);
  EXPECT_EQ(err.error->code, 3);
  EXPECT_EQ(err.error->message, "execution reverted: nope");
  EXPECT_EQ(err.error->revert_data(), (lottery::eth::Bytes{0x08, 0xc3, 0x79, 0xa0}));
  EXPECT_THROW(err.value(), RpcException);

  // Detail only in data (tenderly style) still classifies.
  auto range = parse_response(
      R"({"jsonrpc":"2.0","id":5,"error":{"code":-32602,"message":"invalid params","data":{"payload":"range 9009594 is bigger than range limit 2000"}}})",
      5);
  EXPECT_EQ(range.error->kind, RpcErrc::kRangeTooLarge);

  // Proxies answer rate limits with a null id.
  auto limited = parse_response(
      R"({"jsonrpc":"2.0","id":null,"error":{"code":-32005,"message":"limit exceeded"}})", 5);
  EXPECT_EQ(limited.error->kind, RpcErrc::kRateLimited);
}

TEST(JsonRpcParse, HostileSingleRepliesAreMalformed) {
  const char* cases[] = {
      "",
      "not json",
      "{",
      "[]",
      R"([{"jsonrpc":"2.0","id":5,"result":1}])",
      "42",
      R"("str")",
      R"({"jsonrpc":"2.0","result":"0x1"})",
      R"({"jsonrpc":"2.0","id":6,"result":"0x1"})",
      R"({"jsonrpc":"2.0","id":"5","result":"0x1"})",
      R"({"jsonrpc":"2.0","id":-5,"result":"0x1"})",
      R"({"jsonrpc":"2.0","id":5.5,"result":"0x1"})",
      R"({"jsonrpc":"2.0","id":null,"result":"0x1"})",
      R"({"jsonrpc":"1.0","id":5,"result":"0x1"})",
      R"({"jsonrpc":"2.0","id":5})",
      R"({"jsonrpc":"2.0","id":5,"result":1,"error":{"code":1,"message":"x"}})",
      R"({"jsonrpc":"2.0","id":5,"error":"boom"})",
      R"({"jsonrpc":"2.0","id":5,"error":{"message":"no code"}})",
      R"({"jsonrpc":"2.0","id":5,"error":{"code":"3","message":"x"}})",
      R"({"jsonrpc":"2.0","id":5,"error":{"code":3.5,"message":"x"}})",
      R"({"jsonrpc":"2.0","id":5,"error":{"code":3,"message":7}})",
  };
  for (const char* text : cases) {
    auto out = parse_response(text, 5);
    ASSERT_FALSE(out.ok()) << text;
    EXPECT_EQ(out.error->kind, RpcErrc::kMalformedResponse) << text;
    EXPECT_FALSE(out.error->message.empty());
  }
}

TEST(JsonRpcParse, DeepNestingIsRejectedNotRecursed) {
  std::string deep = R"({"jsonrpc":"2.0","id":1,"result":)";
  deep += std::string(100000, '[');
  deep += std::string(100000, ']');
  deep += "}";
  auto out = parse_response(deep, 1);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->kind, RpcErrc::kMalformedResponse);
}

TEST(JsonRpcBatch, OutOfOrderRepliesAreMatchedById) {
  std::vector<RequestId> ids{1, 2, 3};
  auto out = parse_batch_response(R"([
      {"jsonrpc":"2.0","id":3,"result":"c"},
      {"jsonrpc":"2.0","id":1,"result":"a"},
      {"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"nonce too low"}}])",
                                  ids);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].result, json::value("a"));
  EXPECT_EQ(out[2].result, json::value("c"));
  ASSERT_FALSE(out[1].ok());
  EXPECT_EQ(out[1].error->kind, RpcErrc::kNonceTooLow);
}

TEST(JsonRpcBatch, MissingReplyFailsOnlyThatCall) {
  std::vector<RequestId> ids{1, 2};
  auto out = parse_batch_response(R"([{"jsonrpc":"2.0","id":2,"result":"b"}])", ids);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].error->kind, RpcErrc::kMalformedResponse);
  EXPECT_NE(out[0].error->message.find("no answer for id 1"), std::string::npos);
  EXPECT_TRUE(out[1].ok());
}

TEST(JsonRpcBatch, UnknownOrDuplicateIdsPoisonTheBatch) {
  std::vector<RequestId> ids{1, 2};
  for (const char* text : {
           R"([{"jsonrpc":"2.0","id":1,"result":"a"},{"jsonrpc":"2.0","id":9,"result":"b"}])",
           R"([{"jsonrpc":"2.0","id":1,"result":"a"},{"jsonrpc":"2.0","id":1,"result":"b"}])",
           R"([{"jsonrpc":"2.0","id":1,"result":"a"},{"jsonrpc":"2.0","result":"b"}])",
           R"([{"jsonrpc":"2.0","id":1,"result":"a"},7])",
           R"({"jsonrpc":"2.0","id":1,"result":"a"})",
           R"("nope")",
           "[{]",
       }) {
    auto out = parse_batch_response(text, ids);
    ASSERT_EQ(out.size(), 2u) << text;
    for (const auto& o : out) {
      ASSERT_FALSE(o.ok()) << text;
      EXPECT_EQ(o.error->kind, RpcErrc::kMalformedResponse) << text;
    }
  }
}

TEST(JsonRpcBatch, SingleErrorObjectAnswersWholeBatch) {
  std::vector<RequestId> ids{1, 2};
  auto out = parse_batch_response(
      R"({"jsonrpc":"2.0","id":null,"error":{"code":-32005,"message":"rate limit"}})", ids);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].error->kind, RpcErrc::kRateLimited);
  EXPECT_EQ(out[1].error->kind, RpcErrc::kRateLimited);
}

TEST(JsonRpcInspect, ClassifiesWebSocketMessages) {
  auto note = inspect_message(
      R"({"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0xabc","result":{"number":"0x1"}}})");
  EXPECT_EQ(note.kind, IncomingMessage::Kind::kNotification);
  EXPECT_EQ(note.subscription, "0xabc");
  EXPECT_EQ(note.result.at("number"), json::value("0x1"));

  auto reply = inspect_message(R"({"jsonrpc":"2.0","id":12,"result":"0x1"})");
  EXPECT_EQ(reply.kind, IncomingMessage::Kind::kResponse);
  EXPECT_EQ(reply.ids, std::vector<RequestId>{12});

  auto batch = inspect_message(R"([{"id":3,"result":1},{"id":4,"result":2},{"id":"x"}])");
  EXPECT_EQ(batch.kind, IncomingMessage::Kind::kResponse);
  EXPECT_EQ(batch.ids, (std::vector<RequestId>{3, 4}));

  for (const char* text :
       {"", "garbage", "[]", R"({"method":"eth_subscription"})",
        R"({"method":"eth_subscription","params":{"subscription":5,"result":1}})",
        R"({"method":"other","params":{}})", R"({"id":null,"result":1})", "17"}) {
    EXPECT_EQ(inspect_message(text).kind, IncomingMessage::Kind::kInvalid) << text;
  }
}
