// SPDX-License-Identifier: Apache-2.0
#include "server/ws_handshake.hpp"

#include <gtest/gtest.h>

namespace lottery::server {
namespace {

Request upgrade_request() {
  Request req{http::verb::get, "/ws/lottery", 11};
  req.set(http::field::host, "lottery.example");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  return req;
}

TEST(WsHandshake, AcceptsAValidUpgradeWithTheRfcAcceptKey) {
  const auto answer = ws_handshake(upgrade_request());
  ASSERT_FALSE(answer.refusal.has_value());
  EXPECT_EQ(answer.accept.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0U);
  EXPECT_NE(answer.accept.find("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
            std::string::npos);
  EXPECT_NE(answer.accept.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_EQ(answer.accept.substr(answer.accept.size() - 4), "\r\n\r\n");
}

TEST(WsHandshake, RefusesAnotherProtocolVersionWith426) {
  auto req = upgrade_request();
  req.set(http::field::sec_websocket_version, "8");
  const auto answer = ws_handshake(req);
  ASSERT_TRUE(answer.refusal.has_value());
  EXPECT_EQ(answer.refusal->status, http::status::upgrade_required);
  EXPECT_EQ(answer.refusal->header("Sec-WebSocket-Version"), "13");
  EXPECT_TRUE(answer.accept.empty());
}

TEST(WsHandshake, RefusesBadKeysAndNonUpgradesWith400) {
  auto missing = upgrade_request();
  missing.erase(http::field::sec_websocket_key);
  auto short_key = upgrade_request();
  short_key.set(http::field::sec_websocket_key, "c2hvcnQ=");
  auto post = upgrade_request();
  post.method(http::verb::post);
  auto http10 = upgrade_request();
  http10.version(10);
  auto no_upgrade = upgrade_request();
  no_upgrade.erase(http::field::upgrade);
  for (const auto& req : {missing, short_key, post, http10, no_upgrade}) {
    const auto answer = ws_handshake(req);
    ASSERT_TRUE(answer.refusal.has_value());
    EXPECT_EQ(answer.refusal->status, http::status::bad_request);
    EXPECT_NE(answer.refusal->body->find("\"error\""), std::string::npos);
  }
}

}  // namespace
}  // namespace lottery::server
