// SPDX-License-Identifier: Apache-2.0
// RESP2 encoding and reply parsing. The byte strings are the examples of the Redis protocol
// specification (https://redis.io/docs/reference/protocol-spec/).

#include "scale/resp.hpp"
#include "scale/redis_connection.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lottery::scale {
namespace {

TEST(RespEncode, SpecExamples) {
  EXPECT_EQ(encode_command({"LLEN", "mylist"}), "*2\r\n$4\r\nLLEN\r\n$6\r\nmylist\r\n");
  EXPECT_EQ(encode_command({"GET", "key"}), "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n");
  EXPECT_EQ(encode_command({"SET", "k", ""}), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
}

TEST(RespEncode, BinarySafe) {
  const std::string value("a\r\nb\0c", 6);
  EXPECT_EQ(encode_command({"SET", "k", value}),
            std::string("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$6\r\na\r\nb\0c\r\n", 32));
}

TEST(RespEncode, CmdHelperKeepsOrder) {
  const std::string key = "lottery:leader";
  EXPECT_EQ(cmd("GET", key), (std::vector<std::string>{"GET", "lottery:leader"}));
  EXPECT_EQ(cmd("EVAL", std::string("return 1"), "0").size(), 3U);
}

struct ParseCase {
  const char* name;
  std::string bytes;
  Reply::Type type;
  std::string str;
  std::int64_t integer;
};

class RespParse : public ::testing::TestWithParam<ParseCase> {};

TEST_P(RespParse, SpecReplies) {
  const ParseCase& c = GetParam();
  ReplyParser parser;
  parser.feed(c.bytes);
  const auto reply = parser.next();
  ASSERT_TRUE(reply.has_value()) << c.name;
  EXPECT_EQ(reply->type, c.type) << c.name;
  EXPECT_EQ(reply->str, c.str) << c.name;
  EXPECT_EQ(reply->integer, c.integer) << c.name;
  EXPECT_FALSE(parser.next().has_value()) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Spec, RespParse,
    ::testing::Values(ParseCase{"status", "+OK\r\n", Reply::Type::kStatus, "OK", 0},
                      ParseCase{"error", "-ERR unknown command 'foobar'\r\n", Reply::Type::kError,
                                "ERR unknown command 'foobar'", 0},
                      ParseCase{"wrongtype",
                                "-WRONGTYPE Operation against a key holding the wrong kind of "
                                "value\r\n",
                                Reply::Type::kError,
                                "WRONGTYPE Operation against a key holding the wrong kind of value",
                                0},
                      ParseCase{"integer", ":1000\r\n", Reply::Type::kInteger, "", 1000},
                      ParseCase{"negative", ":-1\r\n", Reply::Type::kInteger, "", -1},
                      ParseCase{"bulk", "$6\r\nfoobar\r\n", Reply::Type::kString, "foobar", 0},
                      ParseCase{"empty bulk", "$0\r\n\r\n", Reply::Type::kString, "", 0},
                      ParseCase{"null bulk", "$-1\r\n", Reply::Type::kNil, "", 0},
                      ParseCase{"null array", "*-1\r\n", Reply::Type::kNil, "", 0}),
    [](const auto& test_info) {
      std::string n = test_info.param.name;
      for (char& ch : n) {
        if (ch == ' ') ch = '_';
      }
      return n;
    });

TEST(RespParseArray, NestedAndMixed) {
  ReplyParser parser;
  // The spec's nested example: [[1, 2, 3], [Foo, Bar(error)]]
  parser.feed("*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n+Foo\r\n-Bar\r\n");
  const auto reply = parser.next();
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->type, Reply::Type::kArray);
  ASSERT_EQ(reply->elements.size(), 2U);
  ASSERT_EQ(reply->elements[0].elements.size(), 3U);
  EXPECT_EQ(reply->elements[0].elements[2].integer, 3);
  EXPECT_EQ(reply->elements[1].elements[0].str, "Foo");
  EXPECT_TRUE(reply->elements[1].elements[1].is_error());
}

TEST(RespParseArray, PubSubMessageByteByByte) {
  // What a subscribed connection receives for PUBLISH lottery:feed "1 reset\n…".
  const std::string payload = "1 reset\nsnapshot 2\n{}";
  const std::string bytes = "*3\r\n$7\r\nmessage\r\n$12\r\nlottery:feed\r\n$" +
                            std::to_string(payload.size()) + "\r\n" + payload + "\r\n";
  ReplyParser parser;
  for (std::size_t i = 0; i + 1 < bytes.size(); ++i) {
    parser.feed(bytes.substr(i, 1));
    ASSERT_FALSE(parser.next().has_value()) << "complete too early at byte " << i;
  }
  parser.feed(bytes.substr(bytes.size() - 1));
  const auto reply = parser.next();
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->elements.size(), 3U);
  EXPECT_EQ(reply->elements[0].str, "message");
  EXPECT_EQ(reply->elements[1].str, "lottery:feed");
  EXPECT_EQ(reply->elements[2].str, payload);
  EXPECT_EQ(parser.buffered(), 0U);
}

TEST(RespParseArray, SeveralRepliesInOneRead) {
  ReplyParser parser;
  parser.feed("+OK\r\n:7\r\n$1\r\n");
  EXPECT_EQ(parser.next()->str, "OK");
  EXPECT_EQ(parser.next()->integer, 7);
  EXPECT_FALSE(parser.next().has_value());  // the bulk string is incomplete
  parser.feed("x\r\n");
  EXPECT_EQ(parser.next()->str, "x");
}

TEST(RespParseErrors, ProtocolErrorThrows) {
  ReplyParser parser;
  parser.feed("!oops\r\n");
  EXPECT_THROW(parser.next(), std::runtime_error);
}

TEST(RespParseErrors, BufferLimit) {
  ReplyParser parser(16);
  parser.feed("$100\r\n");
  EXPECT_THROW(parser.feed(std::string(20, 'a')), std::runtime_error);
}

TEST(RespParseErrors, ResetStartsClean) {
  ReplyParser parser;
  parser.feed("$10\r\nabc");
  EXPECT_FALSE(parser.next().has_value());
  parser.reset();
  parser.feed("+PONG\r\n");
  EXPECT_EQ(parser.next()->str, "PONG");
}

}  // namespace
}  // namespace lottery::scale
