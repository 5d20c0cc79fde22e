// SPDX-License-Identifier: Apache-2.0
// Micro-benchmarks for the ABI paths the service runs on every head: decoding the
// participants() result, encoding an operator call, decoding contract logs.
#include "eth/abi_codec.hpp"
#include "eth/abi_event.hpp"
#include "eth/abi_signature.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <vector>

namespace {

using namespace lottery::eth;

template <class T>
T must(Result<T> r) {
  if (!r) std::abort();
  return std::move(*r);
}

// An (address[],uint256[]) result with `n` participants and stakes.
Bytes participants_result(std::size_t n, const std::vector<AbiType>& types) {
  AbiList addresses;
  AbiList stakes;
  for (std::size_t i = 0; i < n; ++i) {
    Address a;
    for (std::size_t k = 0; k < a.bytes.size(); ++k) {
      a.bytes[k] = static_cast<std::uint8_t>(i * 7 + k);
    }
    addresses.push_back(abi_address(a));
    stakes.push_back(abi_uint(U256{i + 1} * U256{1000000000000000000ULL}));
  }
  const AbiList values = {abi_list(std::move(addresses)), abi_list(std::move(stakes))};
  return must(abi_encode(types, values));
}

void BM_AbiDecodeParticipants(benchmark::State& state) {
  const auto types = must(parse_abi_type_list("address[],uint256[]"));
  const Bytes data = participants_result(static_cast<std::size_t>(state.range(0)), types);
  for (auto _ : state) {
    auto decoded = abi_decode(types, data);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(data.size()));
}
BENCHMARK(BM_AbiDecodeParticipants)->Arg(500);

void BM_AbiEncodeCall(benchmark::State& state) {
  // Parsed once, as a binding would hold it.
  const AbiSignature signature = must(parse_abi_signature("transfer(address,uint256)"));
  Address to;
  to.bytes.fill(0x5a);
  const AbiList args = {abi_address(to), abi_uint(U256{1000000000000000000ULL})};
  for (auto _ : state) {
    auto call = abi_encode_call(signature, args);
    benchmark::DoNotOptimize(call);
  }
}
BENCHMARK(BM_AbiEncodeCall);

void BM_AbiSelectorFromText(benchmark::State& state) {
  for (auto _ : state) {
    auto selector = abi_selector("transfer(address,uint256)");
    benchmark::DoNotOptimize(selector);
  }
}
BENCHMARK(BM_AbiSelectorFromText);

void BM_AbiDecodeLog(benchmark::State& state) {
  const AbiEvent event = must(parse_abi_event(
      "BetPlaced(uint256 indexed roundId,address indexed player,uint256 amount,uint256 total)"));
  std::vector<Hash32> topics(3);
  topics[0] = event.topic0();
  topics[1][31] = 7;
  topics[2].fill(0);
  for (std::size_t k = 12; k < 32; ++k) topics[2][k] = static_cast<std::uint8_t>(k);
  const auto data_types = must(parse_abi_type_list("uint256,uint256"));
  const AbiList data_values = {abi_uint(U256{10000000000000000ULL}),
                               abi_uint(U256{50000000000000000ULL})};
  const Bytes data = must(abi_encode(data_types, data_values));
  for (auto _ : state) {
    auto fields = abi_decode_log(event, topics, data);
    benchmark::DoNotOptimize(fields);
  }
}
BENCHMARK(BM_AbiDecodeLog);

}  // namespace
