// SPDX-License-Identifier: Apache-2.0
// Micro-benchmarks for the eth primitives on the hot paths: hashing (selectors, addresses,
// signing digests), hex (every JSON-RPC value) and decimal u256 parsing (config, API input).
#include "eth/address.hpp"
#include "eth/hex.hpp"
#include "eth/keccak.hpp"
#include "eth/u256.hpp"

#include <benchmark/benchmark.h>

#include <string>

namespace {

using lottery::eth::Bytes;
using lottery::eth::ByteView;

Bytes pattern_bytes(std::size_t n) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(i * 31 + 7);
  return out;
}

void BM_Keccak256(benchmark::State& state) {
  const Bytes input = pattern_bytes(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(lottery::eth::keccak256(ByteView(input)));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Keccak256)->Arg(32)->Arg(1024);

void BM_HexEncode(benchmark::State& state) {
  const Bytes input = pattern_bytes(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(lottery::eth::hex_encode(input));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_HexEncode)->Arg(32)->Arg(1024);

void BM_HexDecode(benchmark::State& state) {
  const std::string text =
      lottery::eth::hex_encode(pattern_bytes(static_cast<std::size_t>(state.range(0))));
  for (auto _ : state) {
    auto bytes = lottery::eth::hex_decode(text);
    benchmark::DoNotOptimize(bytes);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_HexDecode)->Arg(32)->Arg(1024);

void BM_U256FromDec(benchmark::State& state) {
  // A typical wei amount and the 78-digit maximum.
  const std::string text =
      state.range(0) == 0
          ? "1500000000000000000"
          : "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  for (auto _ : state) {
    auto value = lottery::eth::u256_from_dec(text);
    benchmark::DoNotOptimize(value);
  }
  state.SetLabel(std::to_string(text.size()) + " digits");
}
BENCHMARK(BM_U256FromDec)->Arg(0)->Arg(1);

void BM_U256FromQuantity(benchmark::State& state) {
  const std::string text = "0x14d1120d7b160000";
  for (auto _ : state) {
    auto value = lottery::eth::u256_from_quantity(text);
    benchmark::DoNotOptimize(value);
  }
}
BENCHMARK(BM_U256FromQuantity);

void BM_ToChecksum(benchmark::State& state) {
  const auto address = *lottery::eth::parse_address("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
  for (auto _ : state) {
    benchmark::DoNotOptimize(lottery::eth::to_checksum(address));
  }
}
BENCHMARK(BM_ToChecksum);

}  // namespace
