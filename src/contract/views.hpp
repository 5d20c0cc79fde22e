// SPDX-License-Identifier: Apache-2.0
#pragma once

// Strict decoders for the results of the Lottery contract's views. The bytes
// come from a remote node, so every value is range-checked (times and counts
// must fit 64 bits, the state must be a known enum value) and malformed
// results are errors, never crashes.

#include "eth/bytes.hpp"
#include "eth/error.hpp"
#include "store/types.hpp"

#include <vector>

namespace lottery::contract {

/// `getRound()` / `getLastRound()` result. Errors: those of `eth::abi_decode`,
/// kOutOfRange for a time or count above 2^64-1 or an unknown state.
eth::Result<store::Round> decode_round(eth::ByteView data) noexcept;

/// `getParticipantsWithBets()` result `(address[], uint256[])`, zipped in the
/// contract's (first-bet) order. Errors: kWrongLength when the arrays differ in length.
eth::Result<std::vector<store::Participant>> decode_participants_with_bets(
    eth::ByteView data) noexcept;

/// `getConfig()` result; `max_participants` is left 0 (it is a separate view).
eth::Result<store::ContractConfig> decode_config(eth::ByteView data) noexcept;

/// A single `uint256` result (e.g. `maxParticipants()`), narrowed to 64 bits.
eth::Result<std::uint64_t> decode_u64(eth::ByteView data) noexcept;

/// A single `address` result (e.g. `operator()`).
eth::Result<eth::Address> decode_address(eth::ByteView data) noexcept;

}  // namespace lottery::contract
