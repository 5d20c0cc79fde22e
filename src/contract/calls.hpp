// SPDX-License-Identifier: Apache-2.0
#pragma once

// Call data for the Lottery contract's functions (SPEC §2). The selectors are
// computed from the canonical signatures once, at first use.

#include "eth/abi_signature.hpp"
#include "eth/address.hpp"
#include "eth/bytes.hpp"
#include "eth/u256.hpp"

namespace lottery::contract {

/// Operator actions.
eth::Bytes draw_winner_call();
eth::Bytes refund_round_call();
eth::Bytes refund_expired_round_call();
/// Pays the next batch of a large refund (after `RefundsPending`); anyone may call it.
eth::Bytes continue_refund_call(std::uint64_t round_id);

/// Player and publisher actions (demo, deploy and set-operator commands, relay checks).
eth::Bytes place_bet_call();
eth::Bytes set_operator_call(const eth::Address& operator_address);
eth::Bytes start_round_call();

/// Views, read in one batch per head by the follower.
eth::Bytes get_round_call();
eth::Bytes get_last_round_call();
eth::Bytes get_participants_with_bets_call();
eth::Bytes get_config_call();
eth::Bytes max_participants_call();
eth::Bytes operator_call();
eth::Bytes get_round_participants_with_bets_call(std::uint64_t round_id);
/// `getRoundById(roundId)`: any round's summary (decode with `decode_round`).
eth::Bytes get_round_by_id_call(std::uint64_t round_id);
/// `refundProgress(roundId)`: how many of a refunded round's stakes were returned (decode with
/// `decode_u64`); equal to the participant count once the refund is complete.
eth::Bytes refund_progress_call(std::uint64_t round_id);

/// The selector of `placeBet()`, which the bet relay requires raw transactions to call.
eth::Selector place_bet_selector();

/// Constructor arguments appended to the creation bytecode (deploy).
eth::Bytes constructor_args(const eth::U256& publisher_commission_bps);

}  // namespace lottery::contract
