// SPDX-License-Identifier: Apache-2.0
#include "rpc/endpoint.hpp"

#include <gtest/gtest.h>

using lottery::rpc::parse_endpoint;
using lottery::rpc::parse_endpoint_list;
using lottery::rpc::Scheme;

TEST(Endpoint, ParsesAllSchemesWithDefaults) {
  auto http = parse_endpoint("http://127.0.0.1:8545");
  EXPECT_EQ(http.scheme, Scheme::kHttp);
  EXPECT_EQ(http.host, "127.0.0.1");
  EXPECT_EQ(http.port, 8545);
  EXPECT_EQ(http.target, "/");
  EXPECT_FALSE(http.is_tls());
  EXPECT_FALSE(http.is_websocket());
  EXPECT_EQ(http.host_header(), "127.0.0.1:8545");

  auto https = parse_endpoint("https://mainnet.infura.io/v3/SECRETKEY");
  EXPECT_EQ(https.scheme, Scheme::kHttps);
  EXPECT_EQ(https.port, 443);
  EXPECT_EQ(https.target, "/v3/SECRETKEY");
  EXPECT_TRUE(https.is_tls());
  EXPECT_EQ(https.host_header(), "mainnet.infura.io");
  EXPECT_EQ(https.redacted(), "https://mainnet.infura.io:443/…");
  EXPECT_EQ(https.redacted().find("SECRET"), std::string::npos);

  auto ws = parse_endpoint("ws://localhost:8546/path?x=1");
  EXPECT_EQ(ws.scheme, Scheme::kWs);
  EXPECT_TRUE(ws.is_websocket());
  EXPECT_EQ(ws.target, "/path?x=1");

  auto wss = parse_endpoint("WSS://node.example.org");
  EXPECT_EQ(wss.scheme, Scheme::kWss);
  EXPECT_EQ(wss.port, 443);
  EXPECT_TRUE(wss.is_tls());
}

TEST(Endpoint, Ipv6AndCredentials) {
  auto v6 = parse_endpoint("http://[::1]:8545/");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.host_header(), "[::1]:8545");
  auto auth = parse_endpoint("https://user:pass@rpc.example.com/");
  EXPECT_EQ(auth.host, "rpc.example.com");
  EXPECT_EQ(auth.authorization, "Basic dXNlcjpwYXNz");  // base64("user:pass")
  EXPECT_EQ(auth.redacted().find("pass"), std::string::npos);
}

TEST(Endpoint, RejectsWithClearMessages) {
  auto message = [](const char* url) {
    try {
      parse_endpoint(url);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message("ftp://example.com").find("scheme \"ftp\" is not supported"),
            std::string::npos);
  EXPECT_NE(message("127.0.0.1:8545").find("has no scheme"), std::string::npos);
  EXPECT_NE(message("not a url").find("has no scheme"), std::string::npos);
  EXPECT_NE(message("http://exa mple.com").find("not a valid absolute URL"), std::string::npos);
  EXPECT_NE(message("http://").find("no host"), std::string::npos);
  EXPECT_NE(message("http://host:0").find("port"), std::string::npos);
  EXPECT_NE(message("http://host:70000").find("port"), std::string::npos);
  EXPECT_NE(message("http://host/#frag").find("fragment"), std::string::npos);
  EXPECT_EQ(message(""), "RPC URL has no scheme: start it with http://, https://, ws:// or wss://");
}

TEST(Endpoint, ListSplitsOnCommasAndNamesBadItem) {
  auto list = parse_endpoint_list(" http://a:1 , ws://b:2,https://c ");
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].host, "a");
  EXPECT_EQ(list[1].scheme, Scheme::kWs);
  EXPECT_EQ(list[2].port, 443);
  try {
    parse_endpoint_list("http://a:1,,http://b");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("item 2 is empty"), std::string::npos);
  }
  try {
    parse_endpoint_list("http://a:1,gopher://b");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("item 2: RPC URL scheme"), std::string::npos);
  }
}
