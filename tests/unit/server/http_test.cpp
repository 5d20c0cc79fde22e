// SPDX-License-Identifier: Apache-2.0
#include "server/http.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace lottery::server {
namespace {

template <class T>
const ParamError* error_of(const ParamResult<T>& r) {
  return std::get_if<ParamError>(&r);
}

TEST(ParseTarget, SplitsAndDecodes) {
  auto t = parse_target("/api/history?limit=5&x=a%20b&y=c+d&flag");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/api/history");
  ASSERT_EQ(t->query.size(), 4u);
  EXPECT_EQ(t->query[0], (std::pair<std::string, std::string>{"limit", "5"}));
  EXPECT_EQ(t->query[1].second, "a b");
  EXPECT_EQ(t->query[2].second, "c d");
  EXPECT_EQ(t->query[3], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(*query_value(t->query, "x"), "a b");
  EXPECT_FALSE(query_value(t->query, "nope"));
  t = parse_target("/a%2Fb");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/a/b");
}

TEST(ParseTarget, RefusesTraversalAndOddForms) {
  for (const char* bad :
       {"", "*", "http://x/", "api", "/../etc/passwd", "/a/../../b", "/a/./b", "/%2e%2e/x",
        "/..%2fx", "/a%5cb", "/a%00b", "/bad%zz", "/bad%4", "/x?q=%g1"}) {
    EXPECT_FALSE(parse_target(bad)) << bad;
  }
  EXPECT_TRUE(parse_target("/..x/y"));  // not a dot segment
}

TEST(ParseLimit, RangeAndSyntax) {
  QueryParams none;
  EXPECT_EQ(std::get<std::size_t>(parse_limit(none, 50, 1, 200)), 50u);
  for (const auto& [text, value] :
       std::vector<std::pair<std::string, std::size_t>>{{"1", 1}, {"200", 200}, {"007", 7}}) {
    QueryParams q{{"limit", text}};
    auto r = parse_limit(q, 50, 1, 200);
    ASSERT_FALSE(error_of(r)) << text;
    EXPECT_EQ(std::get<std::size_t>(r), value);
  }
  for (const char* text :
       {"0", "201", "", "-1", "+1", "1.0", "abc", "1e3", "99999999999999999999999999"}) {
    QueryParams q{{"limit", text}};
    auto r = parse_limit(q, 50, 1, 200);
    ASSERT_TRUE(error_of(r)) << text;
    EXPECT_EQ(error_of(r)->code, "invalid_limit");
    EXPECT_NE(error_of(r)->message.find("1..200"), std::string::npos);
  }
}

TEST(ParseRoundId, Strict) {
  EXPECT_EQ(std::get<std::uint64_t>(parse_round_id("0")), 0u);
  EXPECT_EQ(std::get<std::uint64_t>(parse_round_id("18446744073709551615")),
            18446744073709551615ULL);
  for (const char* bad : {"", "01", "-1", "+1", "1a", "18446744073709551616", "0x10", " 1"}) {
    auto r = parse_round_id(bad);
    ASSERT_TRUE(error_of(r)) << bad;
    EXPECT_EQ(error_of(r)->code, "invalid_round_id");
  }
}

TEST(ParseAddress, Eip55) {
  // EIP-55 test vector.
  EXPECT_FALSE(error_of(parse_address_param("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "a")));
  EXPECT_FALSE(error_of(parse_address_param("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "a")));
  EXPECT_FALSE(error_of(parse_address_param("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", "a")));
  auto bad = parse_address_param("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "player");
  ASSERT_TRUE(error_of(bad));
  EXPECT_EQ(error_of(bad)->code, "invalid_address");
  EXPECT_NE(error_of(bad)->message.find("checksum"), std::string::npos);
  for (const char* text : {"", "0x", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x1234",
                           "0xZZaeb6053f3e94c9b9a09f33669435e7ef1beaed"}) {
    EXPECT_TRUE(error_of(parse_address_param(text, "player"))) << text;
  }
}

TEST(ErrorShape, JsonWithCodeAndMessage) {
  const auto res = error_response(http::status::bad_request, "invalid_limit", "say \"why\"");
  EXPECT_EQ(res.status, http::status::bad_request);
  EXPECT_EQ(res.content_type, "application/json");
  const auto doc = boost::json::parse(*res.body);
  EXPECT_EQ(doc.at("error").as_string(), "invalid_limit");
  EXPECT_EQ(doc.at("message").as_string(), "say \"why\"");
}

TEST(SecurityHeaders, Present) {
  std::map<std::string, std::string> headers(security_headers().begin(), security_headers().end());
  EXPECT_EQ(headers["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(headers["X-Frame-Options"], "DENY");
  EXPECT_EQ(headers["Referrer-Policy"], "no-referrer");
  EXPECT_NE(headers["Content-Security-Policy"].find("default-src 'self'"), std::string::npos);
  EXPECT_NE(headers["Content-Security-Policy"].find("connect-src 'self' ws: wss:"),
            std::string::npos);
}

TEST(Cors, SameOriginOnlyByDefault) {
  CorsPolicy none;
  EXPECT_TRUE(none.allows("", "lottery.example"));
  EXPECT_TRUE(none.allows("https://lottery.example", "lottery.example"));
  EXPECT_TRUE(none.allows("http://127.0.0.1:6080", "127.0.0.1:6080"));
  EXPECT_FALSE(none.allows("http://127.0.0.1:6081", "127.0.0.1:6080"));
  EXPECT_FALSE(none.allows("https://evil.example", "lottery.example"));
  EXPECT_FALSE(none.allows("null", "lottery.example"));
  EXPECT_FALSE(none.listed("https://lottery.example"));
}

TEST(Cors, AllowList) {
  CorsPolicy list({"https://app.example/", "http://localhost:5173"});
  EXPECT_TRUE(list.listed("https://app.example"));
  EXPECT_TRUE(list.listed("HTTPS://APP.EXAMPLE"));
  EXPECT_TRUE(list.allows("http://localhost:5173", "api.example"));
  EXPECT_FALSE(list.listed("https://app.example.evil"));
  EXPECT_FALSE(list.listed(""));
  CorsPolicy any({"*"});
  EXPECT_TRUE(any.listed("https://whatever.example"));
}

TEST(ChooseEncoding, PrefersBrotliThenGzip) {
  EXPECT_EQ(choose_encoding("gzip, deflate, br", true, true), Encoding::kBrotli);
  EXPECT_EQ(choose_encoding("gzip, deflate, br", false, true), Encoding::kGzip);
  EXPECT_EQ(choose_encoding("gzip", true, true), Encoding::kGzip);
  EXPECT_EQ(choose_encoding("br;q=0, gzip", true, true), Encoding::kGzip);
  EXPECT_EQ(choose_encoding("br;q=0.0, gzip;q=0", true, true), Encoding::kIdentity);
  EXPECT_EQ(choose_encoding("*", true, false), Encoding::kBrotli);
  EXPECT_EQ(choose_encoding("identity", true, true), Encoding::kIdentity);
  EXPECT_EQ(choose_encoding("", true, true), Encoding::kIdentity);
  EXPECT_EQ(choose_encoding("br;q=0.5", true, true), Encoding::kBrotli);
}

TEST(EtagMatches, WeakComparisonAndLists) {
  const std::string etag = "\"abc-1\"";
  EXPECT_TRUE(etag_matches("\"abc-1\"", etag));
  EXPECT_TRUE(etag_matches("W/\"abc-1\"", etag));
  EXPECT_TRUE(etag_matches("\"x\", \"abc-1\"", etag));
  EXPECT_TRUE(etag_matches("*", etag));
  EXPECT_FALSE(etag_matches("\"abc\"", etag));
  EXPECT_FALSE(etag_matches("", etag));
}

}  // namespace
}  // namespace lottery::server
