// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "rpc/error.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// JSON-RPC 2.0 wire format: request serialisation and strict, never-throwing
/// parsing of replies (single, batch, and eth_subscription notifications).
/// Everything here is pure and synchronous so it can be unit-tested and fuzzed.
namespace lottery::rpc {

using RequestId = std::uint64_t;

/// One method call.
struct Call {
  std::string method;
  boost::json::array params;
};

/// The result of one call: the "result" value, or an error (the node's, or
/// ours when the reply was malformed). Exactly one of the two is meaningful.
struct CallOutcome {
  boost::json::value result;
  std::optional<RpcError> error;

  bool ok() const noexcept { return !error.has_value(); }
  /// The result, or throws RpcException with the error.
  const boost::json::value& value() const;
};

/// Nesting limit applied to every reply (a hostile node cannot make the
/// parser recurse deeply).
inline constexpr std::size_t kMaxJsonDepth = 64;

/// `{"jsonrpc":"2.0","id":<id>,"method":…,"params":[…]}`
std::string serialize_request(RequestId id, const Call& call);

/// A JSON array of requests; `ids[i]` belongs to `calls[i]` (same length).
std::string serialize_batch(std::span<const RequestId> ids, std::span<const Call> calls);

/// Parses JSON with the depth limit; nullopt when it is not valid JSON.
std::optional<boost::json::value> parse_json(std::string_view text) noexcept;

/// Parses the reply to a single request with id `expected_id`. Never throws:
/// invalid JSON, a wrong id, a batch where one reply was expected, both or
/// neither of result/error, or a malformed error object give a
/// kMalformedResponse outcome. A reply with `"id": null` and an error (what
/// proxies send for rate limits and parse errors) is accepted as the error.
CallOutcome parse_response(std::string_view text, RequestId expected_id) noexcept;
/// Same on an already parsed reply.
CallOutcome parse_response_value(const boost::json::value& reply, RequestId expected_id) noexcept;

/// Parses a batch reply; the outcome vector is parallel to `ids`. Replies may
/// come in any order. A reply with an unknown or duplicated id makes every
/// outcome kMalformedResponse (the node cannot be trusted to have matched
/// them); a call without a reply gets its own kMalformedResponse. A single
/// error object instead of an array (e.g. "batch too large", rate limit)
/// becomes every call's error.
std::vector<CallOutcome> parse_batch_response(std::string_view text,
                                              std::span<const RequestId> ids) noexcept;
/// Same on an already parsed reply.
std::vector<CallOutcome> parse_batch_response_value(const boost::json::value& reply,
                                                    std::span<const RequestId> ids) noexcept;

/// What a message pushed by a WebSocket server is.
struct IncomingMessage {
  enum class Kind : std::uint8_t { kResponse, kNotification, kInvalid };
  Kind kind = Kind::kInvalid;
  std::vector<RequestId> ids;  ///< kResponse: the numeric ids in it (batch: all of them)
  std::string subscription;    ///< kNotification: the subscription id
  boost::json::value result;   ///< kNotification: params.result
  std::optional<boost::json::value> parsed;  ///< the whole message, when it was JSON
};

/// Classifies a WebSocket message: a reply (object or array with ids), an
/// `eth_subscription` notification, or something invalid. Never throws.
IncomingMessage inspect_message(std::string_view text) noexcept;

}  // namespace lottery::rpc
