// SPDX-License-Identifier: Apache-2.0
#pragma once
// Request/response types shared by the router, the handlers and the
// connection loop, plus the pure helpers for parsing what clients send:
// query strings, limits, round ids, addresses, CORS and Accept-Encoding.

#include "eth/address.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace lottery::server {

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;

/// What a handler answers. The body is shared, so pre-serialised store views
/// are sent without copying.
struct Response {
  http::status status = http::status::ok;
  std::string content_type = "application/json";
  std::shared_ptr<const std::string> body;                   ///< null = empty body
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers
  bool close = false;                                        ///< close the connection after sending

  /// Body size (0 when there is no body).
  std::size_t body_size() const noexcept { return body ? body->size() : 0; }
  /// The value of an extra header, or "" when absent (case-insensitive name).
  std::string_view header(std::string_view name) const noexcept;
};

/// 200 (or `status`) with a JSON body.
Response json_response(std::string body, http::status status = http::status::ok);
Response json_response(std::shared_ptr<const std::string> body,
                       http::status status = http::status::ok);
/// The error shape of SPEC §5: `{"error": code, "message": text}`.
Response error_response(http::status status, std::string_view code, std::string_view message);
/// `{"error": code, "message": text}` as a string.
std::string error_body(std::string_view code, std::string_view message);

/// The security headers every response carries (CSP, nosniff, frame-deny,
/// referrer policy), as (name, value) pairs.
const std::vector<std::pair<std::string, std::string>>& security_headers();

/// Decoded query parameters, in order of appearance (repeats kept).
using QueryParams = std::vector<std::pair<std::string, std::string>>;

/// A request target split into its decoded path and query.
struct Target {
  std::string path;  ///< percent-decoded, starts with '/'
  QueryParams query;
};

/// Splits and percent-decodes an origin-form request target ("/a/b?x=1").
/// nullopt for anything else: absolute or authority form, "*", bad
/// percent-escapes, a decoded NUL or backslash, or a ".." / "." path segment
/// (path traversal is refused here, before any handler sees the path).
std::optional<Target> parse_target(std::string_view target);

/// Decodes %XX escapes (and '+' as space when `plus_is_space`); nullopt on a
/// malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

/// The first value of `name`, or nullopt.
std::optional<std::string_view> query_value(const QueryParams& query, std::string_view name);

/// A validation failure: the error code and one sentence for the client.
struct ParamError {
  std::string code;
  std::string message;
};

template <class T>
using ParamResult = std::variant<T, ParamError>;

/// `limit` from the query: absent -> `fallback`; a decimal integer in
/// [min, max] -> that; anything else -> ParamError{"invalid_limit", …}.
ParamResult<std::size_t> parse_limit(const QueryParams& query, std::size_t fallback,
                                     std::size_t min, std::size_t max);

/// A round id path segment: decimal digits only (no sign, no leading zeros
/// except "0"), fits 64 bits; else ParamError{"invalid_round_id", …}.
ParamResult<std::uint64_t> parse_round_id(std::string_view text);

/// An address: "0x" + 40 hex digits, all-lower/all-upper or a valid EIP-55
/// checksum; else ParamError{"invalid_address", …} naming `what`.
ParamResult<eth::Address> parse_address_param(std::string_view text, std::string_view what);

/// CORS decision for one request (SERVER_CORS_ORIGINS).
class CorsPolicy {
 public:
  /// `allowed` are full origins ("https://app.example.com"); "*" allows any.
  explicit CorsPolicy(std::vector<std::string> allowed = {});

  /// True when a request with this Origin may read responses / make writes:
  /// no Origin (not a browser cross-origin request), the same origin as the
  /// Host header, or an allow-listed origin.
  bool allows(std::string_view origin, std::string_view host) const;
  /// True when `origin` is on the allow-list (so CORS headers are added).
  bool listed(std::string_view origin) const;

 private:
  std::vector<std::string> allowed_;
  bool any_ = false;
};

/// Which precompressed variant to serve for an Accept-Encoding header.
enum class Encoding : std::uint8_t { kIdentity, kGzip, kBrotli };
/// Prefers br, then gzip, honouring q=0 ("br;q=0" refuses br) and "*".
/// `have_br`/`have_gzip` say which siblings exist.
Encoding choose_encoding(std::string_view accept_encoding, bool have_br, bool have_gzip);

/// True when an If-None-Match header matches `etag` (weak comparison, "*"
/// matches anything, lists are comma-separated).
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace lottery::server
