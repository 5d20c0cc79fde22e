// SPDX-License-Identifier: Apache-2.0
#include "rpc/error.hpp"

#include "eth/hex.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace lottery::rpc {

namespace {

std::string lower(std::string_view text) {
  std::string out(text.size(), '\0');
  std::transform(text.begin(), text.end(), out.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return out;
}

bool contains_any(std::string_view haystack, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(), [&](std::string_view n) {
    return haystack.find(n) != std::string_view::npos;
  });
}

// Message fragments seen from common nodes and providers. Order of the checks
// below matters: the specific range messages share code -32005 with rate
// limits, and "replacement transaction underpriced" contains "underpriced".
constexpr std::string_view kRangeFragments[] = {
    "query returned more than",    // geth/infura: "query returned more than 10000 results"
    "log response size exceeded",  // alchemy
    "block range",                 // "block range too large", "block range is too wide",
                                   // "block range limit exceeded", "exceed maximum block range"
    "range too large",             // "eth_getLogs range too large"
    "range is too large",          // "eth_getLogs range is too large, max is 1k blocks"
    "exceeds max block range",     //
    "max block range",             // reth "query exceeds max block range 100000"
    "query exceeds max results",   // reth
    "is bigger than range limit",  // tenderly
    "maximum allowed number of requested blocks",  // thirdweb
    "ranges over",                                 // "ranges over 10000 blocks are not supported"
    "too many blocks",                             //
    "logs matched by query exceeds",               // erigon
    "query timeout exceeded",                      // nethermind/infura on heavy log queries
};

bool is_range_message(std::string_view msg) {
  for (auto fragment : kRangeFragments) {
    if (msg.find(fragment) != std::string_view::npos) return true;
  }
  // infura: "range 1000000 exceeds limit of 10000"
  return msg.find("range") != std::string_view::npos &&
         msg.find("exceeds limit") != std::string_view::npos;
}

}  // namespace

std::string_view to_string(RpcErrc kind) noexcept {
  switch (kind) {
    case RpcErrc::kRateLimited:
      return "rate_limited";
    case RpcErrc::kRangeTooLarge:
      return "range_too_large";
    case RpcErrc::kNonceTooLow:
      return "nonce_too_low";
    case RpcErrc::kNonceTooHigh:
      return "nonce_too_high";
    case RpcErrc::kUnderpriced:
      return "underpriced";
    case RpcErrc::kReplacementUnderpriced:
      return "replacement_underpriced";
    case RpcErrc::kAlreadyKnown:
      return "already_known";
    case RpcErrc::kExecutionReverted:
      return "execution_reverted";
    case RpcErrc::kInsufficientFunds:
      return "insufficient_funds";
    case RpcErrc::kMethodNotFound:
      return "method_not_found";
    case RpcErrc::kTimeout:
      return "timeout";
    case RpcErrc::kTransport:
      return "transport";
    case RpcErrc::kMalformedResponse:
      return "malformed_response";
    case RpcErrc::kResponseTooLarge:
      return "response_too_large";
    case RpcErrc::kOther:
      return "other";
  }
  return "other";
}

bool is_retriable(RpcErrc kind) noexcept {
  return kind == RpcErrc::kRateLimited || kind == RpcErrc::kTimeout || kind == RpcErrc::kTransport;
}

bool is_endpoint_fault(RpcErrc kind) noexcept {
  return is_retriable(kind) || kind == RpcErrc::kMalformedResponse ||
         kind == RpcErrc::kResponseTooLarge;
}

RpcErrc classify_node_error(std::int64_t code, std::string_view message, int http_status) noexcept {
  try {
    const std::string msg = lower(message);
    if (is_range_message(msg)) return RpcErrc::kRangeTooLarge;
    if (http_status == 429 || code == 429 || code == -32029 || code == -32090 ||
        contains_any(msg, {"rate limit", "ratelimit", "too many requests", "compute units",
                           "request rate exceeded", "requests per second", "daily request count",
                           "capacity exceeded", "throughput"}) ||
        (code == -32005 && msg.find("limit") != std::string::npos)) {
      return RpcErrc::kRateLimited;
    }
    if (contains_any(msg, {"nonce too low", "nonce is too low", "oldnonce", "nonce_too_low",
                           "nonce has already been used", "nonce too small"})) {
      return RpcErrc::kNonceTooLow;
    }
    if (contains_any(msg, {"nonce too high", "nonce is too high", "nonce_too_high", "noncegap",
                           "nonce gap", "nonce too far"})) {
      return RpcErrc::kNonceTooHigh;
    }
    if (contains_any(msg, {"replacement transaction underpriced", "replacement fee too low",
                           "replacement_underpriced", "replacement underpriced"})) {
      return RpcErrc::kReplacementUnderpriced;
    }
    if (contains_any(msg, {"already known", "alreadyknown", "already imported", "already_exists",
                           "already exists", "known transaction"})) {
      return RpcErrc::kAlreadyKnown;
    }
    if (contains_any(msg, {"insufficient funds", "insufficientfunds", "insufficient balance"})) {
      return RpcErrc::kInsufficientFunds;
    }
    if (contains_any(
            msg, {"underpriced", "fee too low", "feetoolow", "fee_too_low",
                  "less than block base fee", "gas price too low", "max fee per gas less than"})) {
      return RpcErrc::kUnderpriced;
    }
    // geth and anvil answer reverts with code 3; others only say it in text.
    if (code == 3 || contains_any(msg, {"execution reverted", "reverted", "vm execution error"})) {
      return RpcErrc::kExecutionReverted;
    }
    if (code == -32601 || contains_any(msg, {"method not found", "does not exist/is not available",
                                             "method not supported", "unsupported method"})) {
      return RpcErrc::kMethodNotFound;
    }
    if (http_status >= 500 || http_status == 408) return RpcErrc::kTransport;
    return RpcErrc::kOther;
  } catch (...) {
    return RpcErrc::kOther;  // allocation failure while lower-casing
  }
}

std::optional<eth::Bytes> RpcError::revert_data() const {
  const boost::json::value* hex = &data;
  if (const auto* obj = data.if_object()) {
    const auto it = obj->find("data");
    if (it == obj->end()) return std::nullopt;
    hex = &it->value();
  }
  const auto* text = hex->if_string();
  if (text == nullptr) return std::nullopt;
  auto bytes = eth::hex_decode(std::string_view(text->data(), text->size()));
  if (!bytes) return std::nullopt;
  return std::move(*bytes);
}

std::string RpcError::describe() const {
  std::string out = method.empty() ? std::string("JSON-RPC call") : method;
  if (!endpoint.empty()) out += " on " + endpoint;
  out += " failed: ";
  out += to_string(kind);
  if (!message.empty()) out += ": " + message;
  if (code != 0) out += " (code " + std::to_string(code) + ")";
  if (http_status != 0) out += " (HTTP " + std::to_string(http_status) + ")";
  return out;
}

RpcError make_error(RpcErrc kind, std::string message) {
  RpcError error;
  error.kind = kind;
  error.message = std::move(message);
  return error;
}

RpcException::RpcException(RpcError error)
    : std::runtime_error(error.describe()), error_(std::move(error)) {}

}  // namespace lottery::rpc
