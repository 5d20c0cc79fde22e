// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for everything a JSON-RPC node sends back: single
// replies, batch replies, WebSocket messages (incl. eth_subscription
// notifications), and the typed eth_* result parsers on top of them.
// Any input must yield a value or a typed error, never a crash or a leak.
#include "rpc/eth_json.hpp"
#include "rpc/json_rpc.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace {

using namespace lottery::rpc;

/// Runs one typed parser; RpcException (kMalformedResponse) is the only
/// acceptable failure.
template <class F>
void typed(F&& parse) {
  try {
    parse();
  } catch (const RpcException& e) {
    if (e.kind() != RpcErrc::kMalformedResponse) __builtin_trap();
  }
}

void exercise_result(const boost::json::value& result) {
  typed([&] { (void)eth_json::parse_block_header(result); });
  typed([&] { (void)eth_json::parse_logs(result); });
  typed([&] { (void)eth_json::parse_receipt(result); });
  typed([&] { (void)eth_json::parse_fee_history(result); });
  typed([&] { (void)eth_json::parse_u64(result, "fuzz"); });
  typed([&] { (void)eth_json::parse_data(result, "fuzz"); });
  typed([&] { (void)eth_json::parse_hash(result, "fuzz"); });
  typed([&] { (void)eth_json::parse_address(result, "fuzz"); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const auto single = parse_response(text, 1);
  if (single.ok()) {
    exercise_result(single.result);
  } else if (single.error->kind == RpcErrc::kExecutionReverted) {
    (void)single.error->revert_data();
  }
  if (single.error) (void)single.error->describe();

  const std::vector<RequestId> ids{1, 2, 3};
  const auto batch = parse_batch_response(text, ids);
  if (batch.size() != ids.size()) __builtin_trap();
  for (const auto& outcome : batch) {
    if (outcome.ok()) exercise_result(outcome.result);
  }

  const auto message = inspect_message(text);
  if (message.kind == IncomingMessage::Kind::kNotification) {
    exercise_result(message.result);
  } else if (message.kind == IncomingMessage::Kind::kResponse && message.ids.empty()) {
    __builtin_trap();
  }
  return 0;
}
