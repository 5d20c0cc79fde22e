// SPDX-License-Identifier: Apache-2.0
#pragma once

// Builders shared by the store tests.

#include "eth/address.hpp"
#include "store/events.hpp"
#include "store/store.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>

namespace lottery::store::test {

// Anvil's first well-known accounts (published EIP-55 forms).
inline constexpr std::string_view kAlice = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
inline constexpr std::string_view kBob = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
inline constexpr std::string_view kCarol = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
inline constexpr std::string_view kDave = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

inline Address addr(std::string_view text) {
  auto parsed = eth::parse_address(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.has_value() ? *parsed : Address{};
}

/// A recognisable 32-byte hash: first byte `tag`, last 8 bytes `n` big-endian.
inline Hash32 hash_of(std::uint8_t tag, std::uint64_t n) {
  Hash32 h{};
  h[0] = tag;
  for (int i = 0; i < 8; ++i)
    h[31 - static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (8 * i));
  return h;
}

/// Block hash of block `n` on fork `fork` (fork 0 is the canonical chain).
inline Hash32 block_hash(std::uint64_t n, std::uint8_t fork = 0) {
  return hash_of(static_cast<std::uint8_t>(0xb0 + fork), n);
}

inline EventMeta meta(std::uint64_t block, std::uint64_t log_index, std::uint8_t fork = 0) {
  EventMeta m;
  m.block_number = block;
  m.block_hash = block_hash(block, fork);
  m.log_index = log_index;
  m.tx_hash = hash_of(0x7a, block * 100 + log_index);
  m.timestamp = 1'700'000'000 + block * 12;
  return m;
}

inline ChainEvent bet_event(std::uint64_t block, std::uint64_t log_index, std::uint64_t round_id,
                            std::string_view player, std::uint64_t amount, std::uint64_t new_total,
                            std::uint8_t fork = 0) {
  return ChainEvent{meta(block, log_index, fork),
                    BetPlaced{round_id, addr(player), U256{amount}, U256{new_total}}};
}

inline ChainEvent completed_event(std::uint64_t block, std::uint64_t log_index,
                                  std::uint64_t round_id, std::string_view winner,
                                  std::uint64_t pot, std::uint64_t participants,
                                  std::uint64_t seed) {
  // 2% commission, as with publisherCommission = 200 bps.
  const U256 commission = U256{pot} * 200 / 10000;
  return ChainEvent{meta(block, log_index),
                    RoundCompleted{round_id, addr(winner), U256{pot}, participants,
                                   U256{pot} - commission, commission, U256{seed}}};
}

inline ChainEvent refunded_event(std::uint64_t block, std::uint64_t log_index,
                                 std::uint64_t round_id, std::uint64_t total,
                                 std::uint64_t participants) {
  return ChainEvent{meta(block, log_index), RoundRefunded{round_id, U256{total}, participants,
                                                          "Insufficient participants"}};
}

inline ChainStatus head(std::uint64_t block) {
  ChainStatus s;
  s.chain_id = 31337;
  s.latest_block = block;
  s.head_hash = block_hash(block);
  s.head_timestamp = 1'700'000'000 + block * 12;
  s.reachable = true;
  s.synced = true;
  return s;
}

}  // namespace lottery::store::test
