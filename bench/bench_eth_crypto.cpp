// SPDX-License-Identifier: Apache-2.0
// Micro-benchmarks for the operator's signing path and for reading transactions back: secp256k1
// signing and recovery, RLP encode/decode of a typical EIP-1559 transaction, and the full
// raw-transaction decode + sender recovery.
#include "eth/keccak.hpp"
#include "eth/rlp.hpp"
#include "eth/secp256k1.hpp"
#include "eth/transaction.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string_view>

namespace {

using namespace lottery::eth;

PrivateKey bench_key() {
  auto key = PrivateKey::from_bytes(keccak256(std::string_view("bench key")));
  if (!key) std::abort();
  return std::move(*key);
}

// A contract call shaped like the operator's: 1559 fees, 68 bytes of calldata, one access-list
// entry with two slots.
Transaction bench_txn() {
  Transaction txn;
  txn.type = TxType::kDynamicFee;
  txn.chain_id = 1;
  txn.nonce = 1234;
  txn.max_priority_fee_per_gas = U256(1'500'000'000);
  txn.max_fee_per_gas = U256(40'000'000'000);
  txn.gas_limit = 250'000;
  Address to;
  to.bytes.fill(0x35);
  txn.to = to;
  txn.value = U256(10'000'000'000'000'000);
  txn.data = Bytes(68, 0xab);
  AccessListEntry entry;
  entry.address = to;
  entry.storage_keys = {Hash32{}, Hash32{}};
  entry.storage_keys[1][31] = 1;
  txn.access_list.push_back(entry);
  return txn;
}

SignedTransaction bench_signed() {
  auto signed_txn = sign_transaction(bench_txn(), bench_key());
  if (!signed_txn) std::abort();
  return *signed_txn;
}

void BM_SignHash(benchmark::State& state) {
  const PrivateKey key = bench_key();
  Hash32 hash = keccak256(std::string_view("message"));
  for (auto _ : state) {
    auto sig = sign_hash(key, hash);
    benchmark::DoNotOptimize(sig);
    hash[0] = static_cast<std::uint8_t>(hash[0] + 1);  // defeat any caching
  }
}
BENCHMARK(BM_SignHash);

void BM_RecoverAddress(benchmark::State& state) {
  const PrivateKey key = bench_key();
  const Hash32 hash = keccak256(std::string_view("message"));
  auto sig = sign_hash(key, hash);
  if (!sig) std::abort();
  for (auto _ : state) {
    benchmark::DoNotOptimize(recover_address(hash, *sig));
  }
}
BENCHMARK(BM_RecoverAddress);

void BM_PrivateKeyToAddress(benchmark::State& state) {
  const PrivateKey key = bench_key();
  for (auto _ : state) {
    benchmark::DoNotOptimize(key.address());
  }
}
BENCHMARK(BM_PrivateKeyToAddress);

void BM_TransactionEncode(benchmark::State& state) {
  const SignedTransaction signed_txn = bench_signed();
  for (auto _ : state) {
    benchmark::DoNotOptimize(encode_transaction(signed_txn));
  }
}
BENCHMARK(BM_TransactionEncode);

void BM_RlpDecodeTransaction(benchmark::State& state) {
  const Bytes raw = encode_transaction(bench_signed());
  const ByteView body = ByteView(raw).subspan(1);  // the RLP list after the type byte
  for (auto _ : state) {
    benchmark::DoNotOptimize(rlp::decode(body));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_RlpDecodeTransaction);

void BM_TransactionDecode(benchmark::State& state) {
  const Bytes raw = encode_transaction(bench_signed());
  for (auto _ : state) {
    benchmark::DoNotOptimize(decode_transaction(raw));
  }
}
BENCHMARK(BM_TransactionDecode);

void BM_TransactionSign(benchmark::State& state) {
  const PrivateKey key = bench_key();
  const Transaction txn = bench_txn();
  for (auto _ : state) {
    benchmark::DoNotOptimize(sign_transaction(txn, key));
  }
}
BENCHMARK(BM_TransactionSign);

void BM_TransactionDecodeAndRecover(benchmark::State& state) {
  const Bytes raw = encode_transaction(bench_signed());
  for (auto _ : state) {
    auto decoded = decode_transaction(raw);
    if (!decoded) std::abort();
    benchmark::DoNotOptimize(recover_sender(*decoded));
  }
}
BENCHMARK(BM_TransactionDecodeAndRecover);

}  // namespace
