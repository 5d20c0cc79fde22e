// SPDX-License-Identifier: Apache-2.0
#include "server/router.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace lottery::server {

namespace {

bool is_param(std::string_view segment) noexcept {
  return segment.size() >= 3 && segment.front() == '{' && segment.back() == '}';
}

std::string_view method_name(http::verb method) {
  return http::to_string(method);
}

}  // namespace

std::string_view RequestContext::param(std::string_view name) const noexcept {
  for (const auto& [key, value] : path_params) {
    if (key == name) return value;
  }
  return {};
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::size_t start = 0;
  while (true) {
    const std::size_t pos = path.find('/', start);
    if (pos == std::string_view::npos) {
      out.push_back(path.substr(start));
      break;
    }
    out.push_back(path.substr(start, pos - start));
    start = pos + 1;
  }
  return out;
}

void Router::add(const RouteSpec& spec, const Handler& handler) {
  std::vector<std::string> patterns{spec.pattern};
  patterns.insert(patterns.end(), spec.aliases.begin(), spec.aliases.end());
  for (const auto& pattern : patterns) {
    if (pattern.empty() || pattern.front() != '/') {
      throw std::invalid_argument("route pattern must start with '/': " + pattern);
    }
    Route route{spec, handler, {}};
    route.spec.pattern = pattern;
    route.spec.aliases.clear();
    for (auto segment : split_path(pattern)) route.segments.emplace_back(segment);
    for (const auto& existing : routes_) {
      if (existing.spec.method == spec.method && existing.spec.pattern == pattern) {
        throw std::invalid_argument("duplicate route " + std::string(method_name(spec.method)) +
                                    ' ' + pattern);
      }
    }
    routes_.push_back(std::move(route));
  }
}

RouteMatch Router::match(http::verb method, std::string_view path) const {
  const auto segments = split_path(path);
  const http::verb wanted = method == http::verb::head ? http::verb::get : method;
  RouteMatch out;
  std::set<std::string> allowed;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::vector<std::pair<std::string, std::string>> params;
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i) {
      const std::string& pattern = route.segments[i];
      if (is_param(pattern)) {
        if (segments[i].empty()) ok = false;
        params.emplace_back(pattern.substr(1, pattern.size() - 2), std::string(segments[i]));
      } else if (pattern != segments[i]) {
        ok = false;
      }
    }
    if (!ok) continue;
    if (route.spec.method == wanted) {
      out.kind = RouteMatch::Kind::kMatched;
      out.route = &route;
      out.path_params = std::move(params);
      return out;
    }
    allowed.emplace(method_name(route.spec.method));
    if (route.spec.method == http::verb::get) allowed.emplace("HEAD");
  }
  if (!allowed.empty()) {
    out.kind = RouteMatch::Kind::kMethodNotAllowed;
    allowed.emplace("OPTIONS");
    for (const auto& name : allowed) {
      if (!out.allow.empty()) out.allow += ", ";
      out.allow += name;
    }
  }
  return out;
}

boost::json::object Router::openapi(std::string_view title, std::string_view version) const {
  namespace json = boost::json;
  json::object paths;
  for (const auto& route : routes_) {
    const RouteSpec& spec = route.spec;
    json::object op;
    op["summary"] = spec.summary;
    op["tags"] = json::array{json::value(spec.tag)};
    std::string op_id = std::string(method_name(spec.method)) + spec.pattern;
    std::replace_if(
        op_id.begin(), op_id.end(),
        [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
    op["operationId"] = op_id;
    json::array params;
    for (const auto& p : spec.params) {
      json::object param;
      param["name"] = p.name;
      param["in"] = p.in == ParamSpec::In::kPath ? "path" : "query";
      param["required"] = p.in == ParamSpec::In::kPath || p.required;
      if (!p.description.empty()) param["description"] = p.description;
      json::object schema;
      schema["type"] = p.type;
      if (p.minimum) schema["minimum"] = *p.minimum;
      if (p.maximum) schema["maximum"] = *p.maximum;
      if (p.default_value) schema["default"] = *p.default_value;
      param["schema"] = std::move(schema);
      params.push_back(std::move(param));
    }
    if (!params.empty()) op["parameters"] = std::move(params);
    if (spec.has_json_body) {
      json::object body;
      body["required"] = true;
      body["description"] = spec.request_description;
      body["content"] = json::object{
          {"application/json", json::object{{"schema", json::object{{"type", "object"}}}}}};
      op["requestBody"] = std::move(body);
    }
    json::object responses;
    bool has_ok = false;
    for (const auto& [code, text] : spec.responses) {
      if (code >= 200 && code < 300) has_ok = true;
    }
    if (!has_ok) {
      json::object ok;
      ok["description"] = spec.websocket ? "Switching protocols (WebSocket)" : "OK";
      ok["content"] = json::object{{spec.response_content_type, json::object{}}};
      responses[spec.websocket ? "101" : "200"] = std::move(ok);
    }
    for (const auto& [code, text] : spec.responses) {
      json::object entry;
      entry["description"] = text;
      responses[std::to_string(code)] = std::move(entry);
    }
    op["responses"] = std::move(responses);
    if (spec.websocket) op["x-websocket"] = true;
    if (spec.rate_limited) op["x-rate-limited"] = true;
    std::string method(method_name(spec.method));
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto& item = paths[spec.pattern];
    if (!item.is_object()) item = json::object{};
    item.as_object()[method] = std::move(op);
  }
  json::object doc;
  doc["openapi"] = "3.0.3";
  doc["info"] = json::object{{"title", title}, {"version", version}};
  doc["paths"] = std::move(paths);
  doc["components"] = json::object{
      {"schemas",
       json::object{
           {"Error",
            json::object{
                {"type", "object"},
                {"required", json::array{"error", "message"}},
                {"properties", json::object{{"error", json::object{{"type", "string"}}},
                                            {"message", json::object{{"type", "string"}}}}}}}}}};
  return doc;
}

}  // namespace lottery::server
