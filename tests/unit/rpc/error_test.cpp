// SPDX-License-Identifier: Apache-2.0
#include "rpc/error.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

using lottery::rpc::classify_node_error;
using lottery::rpc::RpcErrc;

namespace {

struct Case {
  std::int64_t code;
  const char* message;
  int http_status;
  RpcErrc expected;
};

// Messages as real nodes and providers send them (geth, erigon, nethermind,
// reth, anvil, infura, alchemy, tenderly, thirdweb, ...).
const Case kCases[] = {
    {-32005, "query returned more than 10000 results", 0, RpcErrc::kRangeTooLarge},
    {-32005,
     "query returned more than 10000 results. Try with this block range [0xBDE5F8, 0x102DBCC].", 0,
     RpcErrc::kRangeTooLarge},
    {-32602,
     "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range "
     "and no limit on "
     "the response size, or you can request any block range with a cap of 10K logs in the "
     "response.",
     0, RpcErrc::kRangeTooLarge},
    {-32602, "range 1000000 exceeds limit of 10000", 0, RpcErrc::kRangeTooLarge},
    {-32602, "query exceeds max block range 100000", 0, RpcErrc::kRangeTooLarge},
    {-32602, "query exceeds max results 20000, retry with the range 23879634-23879696", 0,
     RpcErrc::kRangeTooLarge},
    {-32603, "eth_getLogs range is too large, max is 1k blocks", 0, RpcErrc::kRangeTooLarge},
    {-32000, "block range is bigger than maxBlockRange", 0, RpcErrc::kRangeTooLarge},
    {-32000, "exceed maximum block range: 5000", 0, RpcErrc::kRangeTooLarge},
    {-32602, "invalid params range 9009594 is bigger than range limit 2000", 0,
     RpcErrc::kRangeTooLarge},
    {-32602, "Maximum allowed number of requested blocks is 1000", 0, RpcErrc::kRangeTooLarge},
    {35, "ranges over 10000 blocks are not supported on freetier", 0, RpcErrc::kRangeTooLarge},

    {-32005, "limit exceeded", 0, RpcErrc::kRateLimited},
    {-32005, "project ID request rate exceeded", 0, RpcErrc::kRateLimited},
    {429, "Your app has exceeded its compute units per second capacity.", 0, RpcErrc::kRateLimited},
    {-32000, "Too Many Requests", 0, RpcErrc::kRateLimited},
    {0, "", 429, RpcErrc::kRateLimited},
    {-32090, "Too many requests, reason: call rate limit exhausted, retry in 10s", 0,
     RpcErrc::kRateLimited},

    {-32000, "nonce too low", 0, RpcErrc::kNonceTooLow},
    {-32000, "nonce too low: address 0xf39F…, tx: 3 state: 5", 0, RpcErrc::kNonceTooLow},
    {-32010, "Transaction nonce is too low. Try incrementing the nonce.", 0, RpcErrc::kNonceTooLow},
    {-32010, "OldNonce", 0, RpcErrc::kNonceTooLow},
    {-32000, "nonce too high", 0, RpcErrc::kNonceTooHigh},
    {-32000, "replacement transaction underpriced", 0, RpcErrc::kReplacementUnderpriced},
    {-32000, "transaction underpriced", 0, RpcErrc::kUnderpriced},
    {-32000, "max fee per gas less than block base fee: address 0x…, maxFeePerGas: 1 baseFee: 7", 0,
     RpcErrc::kUnderpriced},
    {-32010, "FeeTooLow, MaxFeePerGas too low", 0, RpcErrc::kUnderpriced},
    {-32000, "already known", 0, RpcErrc::kAlreadyKnown},
    {-32003, "transaction already imported", 0, RpcErrc::kAlreadyKnown},
    {-32010, "Transaction with the same hash was already imported.", 0, RpcErrc::kAlreadyKnown},
    {-32010, "AlreadyKnown", 0, RpcErrc::kAlreadyKnown},
    {-32000, "insufficient funds for gas * price + value: balance 0, tx cost 21000", 0,
     RpcErrc::kInsufficientFunds},
    {-32003, "Insufficient funds for gas * price + value", 0, RpcErrc::kInsufficientFunds},
    {3, "execution reverted: Round not in betting state", 0, RpcErrc::kExecutionReverted},
    {3, "execution reverted", 0, RpcErrc::kExecutionReverted},
    {-32015, "VM execution error.", 0, RpcErrc::kExecutionReverted},
    {-32601, "the method eth_foo does not exist/is not available", 0, RpcErrc::kMethodNotFound},
    {-32601, "Method not found", 0, RpcErrc::kMethodNotFound},
    {-32000, "header not found", 0, RpcErrc::kOther},
    {-32602, "invalid argument 0: hex string has length 3, want 40 for common.Address", 0,
     RpcErrc::kOther},
    {-32603, "internal error", 502, RpcErrc::kTransport},
};

}  // namespace

TEST(RpcErrorClassification, MatchesKnownNodeMessages) {
  for (const auto& c : kCases) {
    EXPECT_EQ(classify_node_error(c.code, c.message, c.http_status), c.expected)
        << "code " << c.code << " message \"" << c.message << "\" http " << c.http_status << " got "
        << lottery::rpc::to_string(classify_node_error(c.code, c.message, c.http_status));
  }
}

TEST(RpcErrorClassification, RetriableOnlyForTransientFaults) {
  using lottery::rpc::is_endpoint_fault;
  using lottery::rpc::is_retriable;
  EXPECT_TRUE(is_retriable(RpcErrc::kRateLimited));
  EXPECT_TRUE(is_retriable(RpcErrc::kTimeout));
  EXPECT_TRUE(is_retriable(RpcErrc::kTransport));
  for (auto k : {RpcErrc::kExecutionReverted, RpcErrc::kNonceTooLow, RpcErrc::kNonceTooHigh,
                 RpcErrc::kUnderpriced, RpcErrc::kReplacementUnderpriced, RpcErrc::kAlreadyKnown,
                 RpcErrc::kInsufficientFunds, RpcErrc::kRangeTooLarge, RpcErrc::kMethodNotFound,
                 RpcErrc::kOther, RpcErrc::kMalformedResponse, RpcErrc::kResponseTooLarge}) {
    EXPECT_FALSE(is_retriable(k)) << lottery::rpc::to_string(k);
  }
  EXPECT_TRUE(is_endpoint_fault(RpcErrc::kMalformedResponse));
  EXPECT_TRUE(is_endpoint_fault(RpcErrc::kResponseTooLarge));
  EXPECT_FALSE(is_endpoint_fault(RpcErrc::kExecutionReverted));
  EXPECT_FALSE(is_endpoint_fault(RpcErrc::kNonceTooLow));
}

TEST(RpcError, RevertDataFromStringOrObject) {
  lottery::rpc::RpcError e;
  e.kind = RpcErrc::kExecutionReverted;
  e.data = boost::json::parse(R"("0x08c379a0")");
  ASSERT_TRUE(e.revert_data().has_value());
  EXPECT_EQ(*e.revert_data(), (lottery::eth::Bytes{0x08, 0xc3, 0x79, 0xa0}));
  e.data = boost::json::parse(R"({"data":"0xdeadbeef","message":"x"})");
  EXPECT_EQ(*e.revert_data(), (lottery::eth::Bytes{0xde, 0xad, 0xbe, 0xef}));
  e.data = boost::json::parse(R"("not hex")");
  EXPECT_FALSE(e.revert_data().has_value());
  e.data = nullptr;
  EXPECT_FALSE(e.revert_data().has_value());
}

TEST(RpcError, DescribeNamesMethodEndpointKindAndCode) {
  auto e = lottery::rpc::make_error(RpcErrc::kNonceTooLow, "nonce too low");
  e.code = -32000;
  e.method = "eth_sendRawTransaction";
  e.endpoint = "http://127.0.0.1:8545";
  EXPECT_EQ(e.describe(),
            "eth_sendRawTransaction on http://127.0.0.1:8545 failed: nonce_too_low: nonce too low "
            "(code -32000)");
  lottery::rpc::RpcException ex(e);
  EXPECT_EQ(ex.kind(), RpcErrc::kNonceTooLow);
  EXPECT_STREQ(ex.what(), e.describe().c_str());
}
