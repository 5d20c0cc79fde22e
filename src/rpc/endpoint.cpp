// SPDX-License-Identifier: Apache-2.0
#include "rpc/endpoint.hpp"

#include "eth/base64.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <stdexcept>

namespace lottery::rpc {

namespace {

const char* scheme_name(Scheme s) {
  switch (s) {
    case Scheme::kHttp:
      return "http";
    case Scheme::kHttps:
      return "https";
    case Scheme::kWs:
      return "ws";
    case Scheme::kWss:
      return "wss";
  }
  return "http";
}

std::uint16_t default_port(Scheme s) {
  return (s == Scheme::kHttps || s == Scheme::kWss) ? 443 : 80;
}

}  // namespace

std::string Endpoint::host_header() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != default_port(scheme)) out += ":" + std::to_string(port);
  return out;
}

std::string Endpoint::redacted() const {
  std::string out = std::string(scheme_name(scheme)) + "://" +
                    (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                    std::to_string(port);
  if (target != "/") out += "/…";
  return out;
}

Endpoint parse_endpoint(std::string_view text) {
  if (text.find("://") == std::string_view::npos) {
    throw std::invalid_argument(
        "RPC URL has no scheme: start it with http://, https://, ws:// or wss://");
  }
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    throw std::invalid_argument(
        "RPC URL is not a valid absolute URL (expected e.g. http://127.0.0.1:8545)");
  }
  const boost::urls::url_view& u = *parsed;
  Endpoint ep;
  const std::string scheme(u.scheme());
  std::string lowered;
  for (char c : scheme) lowered += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lowered == "http") {
    ep.scheme = Scheme::kHttp;
  } else if (lowered == "https") {
    ep.scheme = Scheme::kHttps;
  } else if (lowered == "ws") {
    ep.scheme = Scheme::kWs;
  } else if (lowered == "wss") {
    ep.scheme = Scheme::kWss;
  } else {
    throw std::invalid_argument("RPC URL scheme \"" + scheme +
                                "\" is not supported (use http, https, ws or wss)");
  }
  if (!u.has_authority() || u.host_address().empty()) {
    throw std::invalid_argument("RPC URL has no host (expected e.g. " +
                                std::string(scheme_name(ep.scheme)) + "://127.0.0.1:8545)");
  }
  if (u.has_fragment()) throw std::invalid_argument("RPC URL must not contain a #fragment");
  ep.host = u.host_address();
  if (u.has_port()) {
    const auto port_text = u.port();
    if (port_text.empty() || u.port_number() == 0) {
      throw std::invalid_argument("RPC URL port must be a number from 1 to 65535");
    }
    // port_number() is 0 on overflow; reject "65536" and the like explicitly.
    if (std::to_string(u.port_number()) != std::string(port_text)) {
      throw std::invalid_argument("RPC URL port must be a number from 1 to 65535");
    }
    ep.port = u.port_number();
  } else {
    ep.port = default_port(ep.scheme);
  }
  std::string target(u.encoded_path());
  if (target.empty()) target = "/";
  if (u.has_query()) target += "?" + std::string(u.encoded_query());
  ep.target = std::move(target);
  if (u.has_userinfo()) {
    ep.authorization =
        "Basic " + eth::base64_encode(std::string(u.user()) + ":" + std::string(u.password()));
  }
  ep.url = std::string(text);
  return ep;
}

std::vector<Endpoint> parse_endpoint_list(std::string_view urls) {
  std::vector<Endpoint> out;
  std::size_t item = 0;
  std::size_t start = 0;
  for (;;) {
    const auto comma = urls.find(',', start);
    auto piece = urls.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!piece.empty() && (piece.front() == ' ' || piece.front() == '\t'))
      piece.remove_prefix(1);
    while (!piece.empty() && (piece.back() == ' ' || piece.back() == '\t')) piece.remove_suffix(1);
    ++item;
    if (piece.empty()) {
      throw std::invalid_argument("RPC URL list item " + std::to_string(item) + " is empty");
    }
    try {
      out.push_back(parse_endpoint(piece));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("RPC URL list item " + std::to_string(item) + ": " + e.what());
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace lottery::rpc
