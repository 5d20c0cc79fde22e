// SPDX-License-Identifier: Apache-2.0
#pragma once
// The route table: method + path pattern -> handler. The same table answers
// 404 vs 405 (with the Allow header) and generates the OpenAPI document, so a
// route cannot exist without being documented.

#include "infra/task.hpp"
#include "server/http.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace lottery::server {

/// One documented parameter of a route.
struct ParamSpec {
  enum class In : std::uint8_t { kPath, kQuery };
  std::string name;
  In in = In::kQuery;
  std::string type = "string";  ///< OpenAPI schema type: "string" or "integer"
  std::string description;
  bool required = false;
  std::optional<std::int64_t> minimum;  ///< integers only
  std::optional<std::int64_t> maximum;
  std::optional<std::int64_t> default_value;
};

/// Everything the router and the OpenAPI document know about a route.
struct RouteSpec {
  http::verb method = http::verb::get;
  /// "/api/history/{round_id}": literal segments and `{name}` parameters.
  std::string pattern;
  std::string summary;
  std::string tag = "lottery";
  std::vector<ParamSpec> params;
  /// Status codes with their meaning; 200 is added when absent.
  std::vector<std::pair<int, std::string>> responses;
  std::string response_content_type = "application/json";
  /// A JSON request body is expected (described by `request_description`).
  bool has_json_body = false;
  std::string request_description;
  /// Counted against the per-IP POST / upgrade budget.
  bool rate_limited = false;
  /// A WebSocket endpoint (GET with Upgrade).
  bool websocket = false;
  /// Another name for `pattern` (documented as its own path).
  std::vector<std::string> aliases;
};

/// What a handler gets.
struct RequestContext {
  const Request& request;
  std::string path;   ///< decoded
  QueryParams query;  ///< decoded
  std::vector<std::pair<std::string, std::string>> path_params;
  std::string client_ip;

  /// A path parameter by name ("" when absent).
  std::string_view param(std::string_view name) const noexcept;
};

using Handler = std::function<infra::Task<Response>(RequestContext&)>;

struct Route {
  RouteSpec spec;
  Handler handler;
  std::vector<std::string> segments;  ///< of the pattern, split on '/'
};

/// The outcome of matching a request.
struct RouteMatch {
  enum class Kind : std::uint8_t { kMatched, kNotFound, kMethodNotAllowed };
  Kind kind = Kind::kNotFound;
  const Route* route = nullptr;  ///< when matched
  std::vector<std::pair<std::string, std::string>> path_params;
  /// For kMethodNotAllowed: the methods the path accepts, e.g. "GET, HEAD".
  std::string allow;
};

class Router {
 public:
  /// Adds a route (and one per alias). Not thread-safe: build the table before serving.
  /// Throws std::invalid_argument for a malformed pattern or a duplicate method+pattern.
  void add(const RouteSpec& spec, const Handler& handler);

  /// Matches a decoded path. HEAD matches GET routes. A path whose segments
  /// match some route with another method gives kMethodNotAllowed.
  RouteMatch match(http::verb method, std::string_view path) const;

  /// Every route, aliases included, in the order added.
  const std::vector<Route>& routes() const noexcept { return routes_; }

  /// An OpenAPI 3.0 document describing every route.
  boost::json::object openapi(std::string_view title, std::string_view version) const;

 private:
  std::vector<Route> routes_;
};

/// Splits "/a/b/c" into {"a", "b", "c"} ("/" gives {""}).
std::vector<std::string_view> split_path(std::string_view path);

}  // namespace lottery::server
