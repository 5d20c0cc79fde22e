// SPDX-License-Identifier: Apache-2.0
#include "follower/rpc_chain_source.hpp"

#include "contract/calls.hpp"
#include "contract/views.hpp"
#include "eth/hex.hpp"
#include "rpc/eth_json.hpp"

#include <string>
#include <utility>

namespace lottery::follower {

namespace json = boost::json;
using infra::Task;

namespace {

// Calls are built in plain functions: g++ 12 mis-compiles braced
// initializer lists inside coroutines.
rpc::Call view_call(const eth::Address& contract, eth::Bytes data, std::uint64_t number) {
  rpc::CallRequest request;
  request.to = contract;
  request.data = std::move(data);
  return rpc::eth_json::eth_call_request(request, rpc::BlockTag::at(number));
}

std::vector<rpc::Call> state_calls(const eth::Address& contract, std::uint64_t number,
                                   bool with_config) {
  std::vector<rpc::Call> calls;
  calls.push_back(view_call(contract, contract::get_round_call(), number));
  calls.push_back(view_call(contract, contract::get_participants_with_bets_call(), number));
  if (with_config) {
    calls.push_back(view_call(contract, contract::get_config_call(), number));
    calls.push_back(view_call(contract, contract::max_participants_call(), number));
  }
  return calls;
}

std::vector<rpc::Call> refund_progress_calls(const eth::Address& contract, std::uint64_t number,
                                             const std::vector<std::uint64_t>& round_ids) {
  std::vector<rpc::Call> calls;
  calls.reserve(round_ids.size());
  for (const std::uint64_t id : round_ids)
    calls.push_back(view_call(contract, contract::refund_progress_call(id), number));
  return calls;
}

std::vector<rpc::Call> header_calls(std::uint64_t from, std::uint64_t to) {
  std::vector<rpc::Call> calls;
  for (std::uint64_t n = from; n <= to; ++n)
    calls.push_back(rpc::eth_json::block_by_number_request(rpc::BlockTag::at(n)));
  return calls;
}

rpc::LogFilter logs_filter(const eth::Address& contract, std::uint64_t from, std::uint64_t to) {
  rpc::LogFilter filter;
  filter.addresses.push_back(contract);
  filter.from_block = from;
  filter.to_block = to;
  return filter;
}

// Decodes one view result or throws ChainDataError naming the view and block.
template <class T>
T decoded(eth::Result<T> result, const char* view, std::uint64_t number) {
  if (!result) {
    throw ChainDataError(std::string(view) + " at block " + std::to_string(number) +
                         " returned data that does not decode: " + result.error().message());
  }
  return std::move(*result);
}

eth::Bytes view_bytes(const rpc::CallOutcome& outcome, const char* view) {
  return rpc::eth_json::parse_data(outcome.value(), view);
}

ContractState decode_state(const std::vector<rpc::CallOutcome>& outcomes, std::uint64_t number,
                           bool with_config) {
  const std::size_t expected = with_config ? 4 : 2;
  if (outcomes.size() != expected)
    throw ChainDataError("the node answered a view batch with the wrong number of results");
  ContractState state;
  state.round =
      decoded(contract::decode_round(view_bytes(outcomes[0], "getRound()")), "getRound()", number);
  state.participants = decoded(
      contract::decode_participants_with_bets(view_bytes(outcomes[1], "getParticipantsWithBets()")),
      "getParticipantsWithBets()", number);
  if (with_config) {
    auto config = decoded(contract::decode_config(view_bytes(outcomes[2], "getConfig()")),
                          "getConfig()", number);
    // A contract without the cap view reverts here; 0 means "unknown cap".
    if (!outcomes[3].ok() && outcomes[3].error->kind == rpc::RpcErrc::kExecutionReverted) {
      config.max_participants = 0;
    } else {
      config.max_participants =
          decoded(contract::decode_u64(view_bytes(outcomes[3], "maxParticipants()")),
                  "maxParticipants()", number);
    }
    state.config = config;
  }
  return state;
}

}  // namespace

std::vector<rpc::BlockHeader> check_header_range(
    std::vector<std::optional<rpc::BlockHeader>> headers, std::uint64_t from, std::uint64_t to) {
  if (to < from || headers.size() != to - from + 1) {
    throw ChainDataError("the node answered a header batch with the wrong number of headers");
  }
  std::vector<rpc::BlockHeader> out;
  out.reserve(headers.size());
  for (std::uint64_t i = 0; i < headers.size(); ++i) {
    const std::uint64_t want = from + i;
    if (!headers[i]) throw ChainDataError("the node does not know block " + std::to_string(want));
    if (headers[i]->number != want) {
      throw ChainDataError("asked for block " + std::to_string(want) +
                           ", the node returned block " + std::to_string(headers[i]->number));
    }
    out.push_back(*headers[i]);
  }
  return out;
}

void check_logs(const std::vector<rpc::Log>& logs, const eth::Address& contract, std::uint64_t from,
                std::uint64_t to) {
  for (const auto& log : logs) {
    if (log.address != contract) {
      throw ChainDataError("eth_getLogs returned a log of another contract (" +
                           eth::to_checksum(log.address) + ") in block " +
                           std::to_string(log.block_number));
    }
    if (log.block_number < from || log.block_number > to) {
      throw ChainDataError("eth_getLogs for blocks " + std::to_string(from) + ".." +
                           std::to_string(to) + " returned a log of block " +
                           std::to_string(log.block_number));
    }
  }
}

RpcChainSource::RpcChainSource(rpc::RpcClient& client, eth::Address contract)
    : client_(client), api_(client), contract_(contract) {}

Task<std::uint64_t> RpcChainSource::chain_id() {
  co_return co_await api_.chain_id();
}

Task<rpc::BlockHeader> RpcChainSource::latest_header() {
  auto header = co_await api_.block_header(rpc::BlockTag::latest());
  if (!header) throw ChainDataError("the node returned no latest block");
  co_return *header;
}

Task<std::optional<rpc::BlockHeader>> RpcChainSource::header_at(std::uint64_t number) {
  auto header = co_await api_.block_header(rpc::BlockTag::at(number));
  if (header && header->number != number) {
    throw ChainDataError("asked for block " + std::to_string(number) +
                         ", the node returned block " + std::to_string(header->number));
  }
  co_return header;
}

Task<std::vector<rpc::BlockHeader>> RpcChainSource::headers(std::uint64_t from, std::uint64_t to) {
  if (to < from) co_return std::vector<rpc::BlockHeader>{};
  auto outcomes = co_await client_.batch(header_calls(from, to));
  std::vector<std::optional<rpc::BlockHeader>> parsed;
  parsed.reserve(outcomes.size());
  for (const auto& outcome : outcomes)
    parsed.push_back(rpc::eth_json::parse_block_header(outcome.value()));
  co_return check_header_range(std::move(parsed), from, to);
}

Task<ContractState> RpcChainSource::read_state(std::uint64_t number, bool with_config) {
  auto outcomes = co_await client_.batch(state_calls(contract_, number, with_config));
  co_return decode_state(outcomes, number, with_config);
}

Task<std::map<std::uint64_t, std::uint64_t>> RpcChainSource::refund_progress(
    std::uint64_t number, std::vector<std::uint64_t> round_ids) {
  std::map<std::uint64_t, std::uint64_t> out;
  if (round_ids.empty()) co_return out;
  auto outcomes = co_await client_.batch(refund_progress_calls(contract_, number, round_ids));
  if (outcomes.size() != round_ids.size())
    throw ChainDataError(
        "the node answered a refundProgress batch with the wrong number of results");
  for (std::size_t i = 0; i < round_ids.size(); ++i) {
    out[round_ids[i]] =
        decoded(contract::decode_u64(view_bytes(outcomes[i], "refundProgress(uint256)")),
                "refundProgress(uint256)", number);
  }
  co_return out;
}

Task<std::vector<rpc::Log>> RpcChainSource::get_logs(std::uint64_t from, std::uint64_t to) {
  auto logs = co_await api_.get_logs(logs_filter(contract_, from, to));
  check_logs(logs, contract_, from, to);
  co_return logs;
}

Task<bool> RpcChainSource::has_code(std::uint64_t number) {
  auto code = co_await api_.code(contract_, rpc::BlockTag::at(number));
  co_return !code.empty();
}

bool RpcChainSource::supports_new_heads() const {
  return client_.supports_subscriptions();
}

Task<std::shared_ptr<rpc::Subscription>> RpcChainSource::subscribe_new_heads() {
  co_return co_await api_.subscribe_new_heads();
}

}  // namespace lottery::follower
