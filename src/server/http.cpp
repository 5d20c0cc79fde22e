// SPDX-License-Identifier: Apache-2.0
#include "server/http.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace lottery::server {

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits `text` on `sep`, calling `fn(piece)` for each piece (empty ones too).
template <class Fn>
void split(std::string_view text, char sep, Fn&& fn) {
  std::size_t start = 0;
  while (true) {
    const std::size_t pos = text.find(sep, start);
    fn(text.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
}

}  // namespace

std::string_view Response::header(std::string_view name) const noexcept {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

Response json_response(std::string body, http::status status) {
  return json_response(std::make_shared<const std::string>(std::move(body)), status);
}

Response json_response(std::shared_ptr<const std::string> body, http::status status) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

std::string error_body(std::string_view code, std::string_view message) {
  std::string out = "{\"error\":";
  out += boost::json::serialize(boost::json::string(code));
  out += ",\"message\":";
  out += boost::json::serialize(boost::json::string(message));
  out += '}';
  return out;
}

Response error_response(http::status status, std::string_view code, std::string_view message) {
  return json_response(error_body(code, message), status);
}

const std::vector<std::pair<std::string, std::string>>& security_headers() {
  // The UI talks to this origin over HTTP and WebSocket only; wallets are
  // browser extensions (EIP-1193) and need no connect-src entry. Vite emits
  // no inline scripts; inline styles are common in React components.
  static const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Security-Policy",
       "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
       "style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; "
       "frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
  };
  return headers;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<Target> parse_target(std::string_view target) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  const std::size_t qpos = target.find('?');
  std::string_view raw_path = target.substr(0, qpos);
  std::string_view raw_query =
      qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
  if (const std::size_t hash = raw_query.find('#'); hash != std::string_view::npos) {
    raw_query = raw_query.substr(0, hash);
  }
  Target out;
  auto path = percent_decode(raw_path, false);
  if (!path) return std::nullopt;
  if (path->find('\0') != std::string::npos || path->find('\\') != std::string::npos) {
    return std::nullopt;
  }
  bool traversal = false;
  split(std::string_view(*path).substr(1), '/', [&](std::string_view segment) {
    if (segment == ".." || segment == ".") traversal = true;
  });
  if (traversal) return std::nullopt;
  out.path = std::move(*path);
  if (!raw_query.empty()) {
    bool bad = false;
    split(raw_query, '&', [&](std::string_view pair) {
      if (pair.empty() || bad) return;
      const std::size_t eq = pair.find('=');
      auto key = percent_decode(pair.substr(0, eq), true);
      auto value = percent_decode(
          eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
      if (!key || !value) {
        bad = true;
        return;
      }
      out.query.emplace_back(std::move(*key), std::move(*value));
    });
    if (bad) return std::nullopt;
  }
  return out;
}

std::optional<std::string_view> query_value(const QueryParams& query, std::string_view name) {
  for (const auto& [key, value] : query) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

ParamResult<std::size_t> parse_limit(const QueryParams& query, std::size_t fallback,
                                     std::size_t min, std::size_t max) {
  const auto text = query_value(query, "limit");
  if (!text) return fallback;
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  std::size_t value = 0;
  const char* begin = text->data();
  const char* end = begin + text->size();
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (text->empty() || ec != std::errc{} || ptr != end || (*text)[0] == '+' || (*text)[0] == '-') {
    return ParamError{"invalid_limit", "limit must be an integer in " + range + "."};
  }
  if (value < min || value > max) {
    return ParamError{"invalid_limit", "limit must be in " + range + "."};
  }
  return value;
}

ParamResult<std::uint64_t> parse_round_id(std::string_view text) {
  ParamError error{"invalid_round_id",
                   "round id must be a decimal number without sign or leading zeros."};
  if (text.empty() || text.size() > 20) return error;
  if (text.size() > 1 && text[0] == '0') return error;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return error;
  }
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return error;
  return value;
}

ParamResult<eth::Address> parse_address_param(std::string_view text, std::string_view what) {
  auto parsed = eth::parse_address(text);
  if (parsed) return *parsed;
  std::string message(what);
  if (parsed.error() == eth::make_error_code(eth::Errc::kBadChecksum)) {
    message += " has mixed case but an invalid EIP-55 checksum.";
  } else {
    message += " must be an address: 0x followed by 40 hex digits.";
  }
  return ParamError{"invalid_address", std::move(message)};
}

CorsPolicy::CorsPolicy(std::vector<std::string> allowed) : allowed_(std::move(allowed)) {
  for (auto& origin : allowed_) {
    while (!origin.empty() && origin.back() == '/') origin.pop_back();
    if (origin == "*") any_ = true;
  }
}

bool CorsPolicy::listed(std::string_view origin) const {
  if (origin.empty()) return false;
  if (any_) return true;
  return std::any_of(allowed_.begin(), allowed_.end(),
                     [&](const std::string& allowed) { return iequals(allowed, origin); });
}

bool CorsPolicy::allows(std::string_view origin, std::string_view host) const {
  if (origin.empty()) return true;
  if (listed(origin)) return true;
  // Same origin: the Origin's authority equals the Host header. The scheme is
  // not compared: behind a TLS-terminating proxy the browser says https while
  // this server speaks http.
  const std::size_t scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos || host.empty()) return false;
  return iequals(origin.substr(scheme_end + 3), host);
}

Encoding choose_encoding(std::string_view accept_encoding, bool have_br, bool have_gzip) {
  // q-values only decide "acceptable or not" here: precompressed files are
  // always preferable when the client accepts them.
  bool br = false;
  bool gzip = false;
  bool star = false;
  bool br_refused = false;
  bool gzip_refused = false;
  split(accept_encoding, ',', [&](std::string_view item) {
    item = trim(item);
    std::string_view name = item;
    bool refused = false;
    if (const std::size_t semi = item.find(';'); semi != std::string_view::npos) {
      name = trim(item.substr(0, semi));
      std::string_view param = trim(item.substr(semi + 1));
      if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        std::string_view q = param.substr(2);
        refused = !q.empty() &&
                  std::all_of(q.begin(), q.end(), [](char c) { return c == '0' || c == '.'; });
      }
    }
    if (iequals(name, "br")) {
      (refused ? br_refused : br) = true;
    } else if (iequals(name, "gzip") || iequals(name, "x-gzip")) {
      (refused ? gzip_refused : gzip) = true;
    } else if (name == "*" && !refused) {
      star = true;
    }
  });
  if (have_br && !br_refused && (br || star)) return Encoding::kBrotli;
  if (have_gzip && !gzip_refused && (gzip || star)) return Encoding::kGzip;
  return Encoding::kIdentity;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  auto strip_weak = [](std::string_view tag) {
    tag = trim(tag);
    if (tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
    return tag;
  };
  const std::string_view ours = strip_weak(etag);
  bool match = false;
  split(if_none_match, ',', [&](std::string_view item) {
    item = trim(item);
    if (item == "*" || (!ours.empty() && strip_weak(item) == ours)) match = true;
  });
  return match;
}

}  // namespace lottery::server
