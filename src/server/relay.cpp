// SPDX-License-Identifier: Apache-2.0
#include "server/relay.hpp"

#include "contract/calls.hpp"
#include "eth/hex.hpp"
#include "eth/transaction.hpp"
#include "store/types.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

namespace lottery::server {

ParamResult<CheckedBet> check_bet_request(std::string_view body, const BetRules& rules) {
  boost::system::error_code ec;
  const boost::json::value doc = boost::json::parse(body, ec);
  if (ec || !doc.is_object()) {
    return ParamError{"invalid_json",
                      "The body must be a JSON object {\"raw_transaction\": \"0x…\"}."};
  }
  const auto* raw = doc.as_object().if_contains("raw_transaction");
  if (raw == nullptr || !raw->is_string()) {
    return ParamError{"missing_field", "raw_transaction (a 0x-prefixed hex string) is required."};
  }
  const std::string_view text = raw->as_string();
  auto bytes = eth::hex_decode(text);
  if (!bytes || bytes->empty()) {
    return ParamError{"invalid_hex",
                      "raw_transaction must be 0x followed by an even number of hex digits."};
  }
  auto signed_txn = eth::decode_transaction(*bytes);
  if (!signed_txn) {
    return ParamError{"invalid_transaction", "raw_transaction is not a valid signed transaction: " +
                                                 signed_txn.error().message() + "."};
  }
  const eth::Transaction& txn = signed_txn->txn;
  if (rules.chain_id != 0 && txn.chain_id != rules.chain_id) {
    return ParamError{"wrong_chain", "The transaction is for chain id " +
                                         std::to_string(txn.chain_id) +
                                         "; this service follows chain id " +
                                         std::to_string(rules.chain_id) + "."};
  }
  if (!txn.to || *txn.to != rules.contract_address) {
    return ParamError{"wrong_contract", "The transaction must be sent to the lottery contract " +
                                            eth::to_checksum(rules.contract_address) + "."};
  }
  const auto selector = contract::place_bet_selector();
  if (txn.data.size() != selector.size() ||
      !std::equal(selector.begin(), selector.end(), txn.data.begin())) {
    return ParamError{"wrong_function", "The transaction must call placeBet() with no arguments."};
  }
  if (txn.value == 0 || (rules.min_bet != 0 && txn.value < rules.min_bet)) {
    return ParamError{"bet_too_small", "The bet must be at least the minimum bet of " +
                                           store::format_ether(rules.min_bet) + " ETH (" +
                                           eth::u256_to_dec(rules.min_bet) + " wei)."};
  }
  auto sender = eth::recover_sender(*signed_txn);
  if (!sender) {
    return ParamError{"invalid_signature",
                      "The transaction's signature does not recover a sender."};
  }
  CheckedBet out;
  out.raw_hex = eth::hex_encode(*bytes);
  out.sender = *sender;
  out.value = txn.value;
  out.tx_hash = eth::transaction_hash(*signed_txn);
  return out;
}

}  // namespace lottery::server
