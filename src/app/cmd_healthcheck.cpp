// SPDX-License-Identifier: Apache-2.0
#include "app/cmd_healthcheck.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include <cstdio>
#include <memory>

namespace lottery::app {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct ParsedUrl {
  std::string host;
  std::string port = "80";
  std::string target = "/health";
};

bool parse_http_url(const std::string& url, ParsedUrl& out, std::string& why) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) {
    why = "the URL must start with http:// (got '" + url + "')";
    return false;
  }
  std::string rest = url.substr(scheme.size());
  const std::size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) out.target = rest.substr(slash);
  if (!authority.empty() && authority.front() == '[') {  // [v6]:port
    const std::size_t close = authority.find(']');
    if (close == std::string::npos) {
      why = "unterminated IPv6 address in '" + url + "'";
      return false;
    }
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') {
      out.port = authority.substr(close + 2);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) out.port = authority.substr(colon + 1);
  }
  if (out.host.empty() || out.port.empty()) {
    why = "no host or port in '" + url + "'";
    return false;
  }
  return true;
}

}  // namespace

HealthProbe probe_health(const std::string& url, std::chrono::milliseconds timeout) {
  HealthProbe probe;
  ParsedUrl parsed;
  if (!parse_http_url(url, parsed, probe.detail)) return probe;
  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  http::request<http::empty_body> req{http::verb::get, parsed.target, 11};
  req.set(http::field::host, parsed.host + ':' + parsed.port);
  req.set(http::field::user_agent, "lottery-healthcheck");
  req.keep_alive(false);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  beast::error_code failure;
  stream.expires_after(timeout);
  resolver.async_resolve(parsed.host, parsed.port, [&](beast::error_code ec, auto results) {
    if (ec) {
      failure = ec;
      return;
    }
    stream.async_connect(results, [&](beast::error_code cec, const auto&) {
      if (cec) {
        failure = cec;
        return;
      }
      http::async_write(stream, req, [&](beast::error_code wec, std::size_t) {
        if (wec) {
          failure = wec;
          return;
        }
        http::async_read(stream, buffer, parser, [&](beast::error_code rec, std::size_t) {
          if (rec) failure = rec;
        });
      });
    });
  });
  // The resolver is not covered by the stream's timer; bound the whole run.
  ioc.run_for(timeout + std::chrono::milliseconds(100));
  if (!parser.is_done()) {
    probe.detail =
        "no answer from " + url + ": " + (failure ? failure.message() : std::string("timed out"));
    return probe;
  }
  const auto& res = parser.get();
  if (res.result() != http::status::ok) {
    probe.detail = url + " answered HTTP " + std::to_string(res.result_int());
    return probe;
  }
  boost::system::error_code ec;
  const auto doc = boost::json::parse(res.body(), ec);
  const boost::json::value* status =
      !ec && doc.is_object() ? doc.as_object().if_contains("status") : nullptr;
  if (status == nullptr || !status->is_string()) {
    probe.detail = url + " did not answer a health document";
    return probe;
  }
  const std::string value(status->as_string());
  probe.detail = value;
  probe.healthy = value == "ok" || value == "degraded";
  if (!probe.healthy) probe.detail = url + " reports status '" + value + "'";
  return probe;
}

void register_healthcheck_command(CLI::App& cli) {
  CLI::App* cmd = cli.add_subcommand(
      "healthcheck",
      "Probe a running service (for container health checks): exit 0 when /health answers "
      "ok or degraded, else 1.");
  auto url = std::make_shared<std::string>("http://127.0.0.1:6080/health");
  auto timeout_s = std::make_shared<double>(3.0);
  cmd->add_option("--url", *url, "Health URL")->capture_default_str();
  cmd->add_option("--timeout", *timeout_s, "Seconds to wait for the answer")
      ->check(CLI::Range(0.1, 60.0))
      ->capture_default_str();
  cmd->callback([url, timeout_s] {
    const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(*timeout_s * 1000.0));
    const HealthProbe probe = probe_health(*url, timeout);
    if (!probe.healthy) {
      std::fprintf(stderr, "unhealthy: %s\n", probe.detail.c_str());
      throw CLI::RuntimeError(1);
    }
    std::printf("%s\n", probe.detail.c_str());
  });
}

}  // namespace lottery::app
