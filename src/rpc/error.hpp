// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eth/bytes.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lottery::rpc {

/// What went wrong with a JSON-RPC call, in terms the caller can act on.
/// Node errors are classified from their code and message (the texts differ
/// between geth, erigon, nethermind, anvil and hosted providers); the rest
/// are produced by this client.
enum class RpcErrc : std::uint8_t {
  kRateLimited,    ///< HTTP 429, "rate limit", "too many requests", -32005 "limit exceeded"
  kRangeTooLarge,  ///< eth_getLogs range/result limit: shrink the block range and retry
  kNonceTooLow,    ///< nonce already used: re-sync the nonce
  kNonceTooHigh,   ///< nonce gap: re-sync the nonce
  kUnderpriced,    ///< fee below the node's minimum or the block base fee
  kReplacementUnderpriced,  ///< same-nonce replacement without enough fee bump
  kAlreadyKnown,            ///< the node already has this transaction
  kExecutionReverted,       ///< the EVM reverted; `RpcError::revert_data()` has the data
  kInsufficientFunds,       ///< balance below gas * price + value
  kMethodNotFound,          ///< -32601: the node does not offer this method
  kTimeout,                 ///< no answer within the per-request deadline
  kTransport,               ///< connect/TLS/read/write failure, dropped connection, HTTP 5xx
  kMalformedResponse,       ///< not JSON, not JSON-RPC 2.0, wrong or missing id, bad field
  kResponseTooLarge,        ///< reply body or headers above the configured limit
  kOther,                   ///< any other node error (its code and message are kept)
};

/// Short stable name, e.g. "rate_limited" (for logs and metrics labels).
std::string_view to_string(RpcErrc kind) noexcept;

/// Transient failures worth retrying on the same endpoint after a backoff:
/// rate limits, timeouts and transport errors. Never node verdicts such as
/// reverts or nonce errors.
bool is_retriable(RpcErrc kind) noexcept;

/// Failures that say the endpoint (not the request) is bad: retriable ones
/// plus malformed and oversized replies. They count against the endpoint's
/// health and make the client fail over to another endpoint.
bool is_endpoint_fault(RpcErrc kind) noexcept;

/// A failed call with everything the node said.
struct RpcError {
  RpcErrc kind = RpcErrc::kOther;
  std::int64_t code = 0;    ///< JSON-RPC error code; 0 when the error is ours
  std::string message;      ///< the node's message, or our description
  boost::json::value data;  ///< the node's "data" member (null when absent)
  int http_status = 0;      ///< HTTP status when known and not 200
  std::string endpoint;     ///< redacted endpoint label, filled in by the client
  std::string method;       ///< JSON-RPC method, filled in by the client

  /// For reverts: the revert data bytes (e.g. Error(string) or a custom
  /// error), read from `data` as a hex string or `{"data": "0x…"}`; nullopt
  /// when the node sent none or it is not valid hex.
  std::optional<eth::Bytes> revert_data() const;

  /// One line: "<method> on <endpoint> failed: <kind>: <message> (code N)".
  std::string describe() const;
};

/// Classifies a node error. `http_status` 0 means unknown/200.
RpcErrc classify_node_error(std::int64_t code, std::string_view message,
                            int http_status = 0) noexcept;

/// Builds an RpcError of a kind this client produced (timeout, transport, …).
RpcError make_error(RpcErrc kind, std::string message);

/// The exception thrown by the rpc layer; carries the full `RpcError`.
class RpcException : public std::runtime_error {
 public:
  explicit RpcException(RpcError error);
  const RpcError& error() const noexcept { return error_; }
  RpcErrc kind() const noexcept { return error_.kind; }

 private:
  RpcError error_;
};

}  // namespace lottery::rpc
