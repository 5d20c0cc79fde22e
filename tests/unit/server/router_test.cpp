// SPDX-License-Identifier: Apache-2.0
#include "server/router.hpp"

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

namespace lottery::server {
namespace {

Handler answer(int tag) {
  return [tag](RequestContext&) -> infra::Task<Response> {
    co_return json_response(std::to_string(tag));
  };
}

RouteSpec spec(http::verb method, std::string pattern) {
  RouteSpec s;
  s.method = method;
  s.pattern = std::move(pattern);
  s.summary = "test route";
  return s;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add(spec(http::verb::get, "/api/history"), answer(1));
    auto round = spec(http::verb::get, "/api/history/{round_id}");
    ParamSpec id;
    id.name = "round_id";
    id.in = ParamSpec::In::kPath;
    id.type = "integer";
    round.params = {id};
    router_.add(round, answer(2));
    router_.add(spec(http::verb::get, "/api/user/{address}/bets"), answer(3));
    auto bet = spec(http::verb::post, "/api/bet");
    bet.has_json_body = true;
    bet.rate_limited = true;
    router_.add(bet, answer(4));
    auto status = spec(http::verb::get, "/api/round/status");
    status.aliases = {"/api/draw/current"};
    router_.add(status, answer(5));
  }
  Router router_;
};

TEST_F(RouterTest, MatchesLiteralAndParameterSegments) {
  auto m = router_.match(http::verb::get, "/api/history");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kMatched);
  EXPECT_EQ(m.route->spec.pattern, "/api/history");

  m = router_.match(http::verb::get, "/api/history/42");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kMatched);
  EXPECT_EQ(m.route->spec.pattern, "/api/history/{round_id}");
  ASSERT_EQ(m.path_params.size(), 1u);
  EXPECT_EQ(m.path_params[0].first, "round_id");
  EXPECT_EQ(m.path_params[0].second, "42");

  m = router_.match(http::verb::get, "/api/user/0xabc/bets");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kMatched);
  EXPECT_EQ(m.path_params[0].second, "0xabc");
}

TEST_F(RouterTest, AliasesMatchAsTheirOwnRoutes) {
  auto m = router_.match(http::verb::get, "/api/draw/current");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kMatched);
  EXPECT_EQ(m.route->spec.pattern, "/api/draw/current");
  EXPECT_EQ(router_.routes().size(), 6u);
}

TEST_F(RouterTest, HeadMatchesGet) {
  EXPECT_EQ(router_.match(http::verb::head, "/api/history").kind, RouteMatch::Kind::kMatched);
}

TEST_F(RouterTest, NotFoundVersusMethodNotAllowed) {
  for (const char* path :
       {"/api/nothing", "/api/history/", "/api/history/1/2", "/api/user//bets", "/", "/api"}) {
    EXPECT_EQ(router_.match(http::verb::get, path).kind, RouteMatch::Kind::kNotFound) << path;
  }
  auto m = router_.match(http::verb::post, "/api/history");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, HEAD, OPTIONS");
  m = router_.match(http::verb::get, "/api/bet");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "OPTIONS, POST");
  m = router_.match(http::verb::unknown, "/api/history/7");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
}

TEST_F(RouterTest, RejectsBadAndDuplicatePatterns) {
  EXPECT_THROW(router_.add(spec(http::verb::get, "api/x"), answer(9)), std::invalid_argument);
  EXPECT_THROW(router_.add(spec(http::verb::get, "/api/history"), answer(9)),
               std::invalid_argument);
  // Same path, other method: fine.
  EXPECT_NO_THROW(router_.add(spec(http::verb::delete_, "/api/history"), answer(9)));
}

TEST_F(RouterTest, OpenApiDescribesEveryRoute) {
  const auto doc = router_.openapi("Test", "1.2.3");
  EXPECT_EQ(doc.at("openapi").as_string(), "3.0.3");
  EXPECT_EQ(doc.at("info").at("version").as_string(), "1.2.3");
  const auto& paths = doc.at("paths").as_object();
  for (const auto& route : router_.routes()) {
    ASSERT_TRUE(paths.contains(route.spec.pattern)) << route.spec.pattern;
    std::string method(http::to_string(route.spec.method));
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto& op = paths.at(route.spec.pattern).at(method).as_object();
    EXPECT_TRUE(op.contains("responses")) << route.spec.pattern;
    EXPECT_TRUE(op.contains("summary"));
    EXPECT_TRUE(op.contains("operationId"));
  }
  const auto& by_id = paths.at("/api/history/{round_id}").at("get").at("parameters").as_array();
  ASSERT_EQ(by_id.size(), 1u);
  EXPECT_EQ(by_id[0].at("in").as_string(), "path");
  EXPECT_EQ(by_id[0].at("required"), true);
  EXPECT_EQ(by_id[0].at("schema").at("type").as_string(), "integer");
  const auto& bet = paths.at("/api/bet").at("post").as_object();
  EXPECT_TRUE(bet.contains("requestBody"));
  EXPECT_EQ(bet.at("x-rate-limited"), true);
  EXPECT_TRUE(doc.at("components").at("schemas").as_object().contains("Error"));
}

TEST(SplitPath, Segments) {
  EXPECT_EQ(split_path("/"), (std::vector<std::string_view>{""}));
  EXPECT_EQ(split_path("/a/b"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(split_path("/a/"), (std::vector<std::string_view>{"a", ""}));
}

}  // namespace
}  // namespace lottery::server
