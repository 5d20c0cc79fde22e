// SPDX-License-Identifier: Apache-2.0
#pragma once
// Checks a wallet-signed raw transaction before POST /api/bet relays it.

#include "eth/address.hpp"
#include "eth/bytes.hpp"
#include "eth/u256.hpp"
#include "server/http.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lottery::server {

/// What the relay requires of a transaction.
struct BetRules {
  std::uint64_t chain_id = 0;     ///< the chain the service follows (0: not known yet)
  eth::Address contract_address;  ///< `to` must be this
  eth::U256 min_bet = 0;          ///< `value` must be at least this (0: not checked)
};

/// A transaction that passed the checks.
struct CheckedBet {
  std::string raw_hex;  ///< "0x…" lower case, as relayed
  eth::Address sender;
  eth::U256 value = 0;
  eth::Hash32 tx_hash{};
};

/// Validates the body `{"raw_transaction": "0x…"}` of POST /api/bet: JSON
/// shape, hex, strict transaction decoding, EIP-155 chain id == rules.chain_id,
/// `to` == contract, call data exactly the `placeBet()` selector, value >=
/// min bet, recoverable signature. Errors are 400-style ParamErrors with the
/// codes invalid_json, missing_field, invalid_hex, invalid_transaction,
/// wrong_chain, wrong_contract, wrong_function, bet_too_small, invalid_signature.
ParamResult<CheckedBet> check_bet_request(std::string_view body, const BetRules& rules);

}  // namespace lottery::server
