// SPDX-License-Identifier: Apache-2.0
#include "server/relay.hpp"

#include "contract/calls.hpp"
#include "eth/hex.hpp"
#include "eth/secp256k1.hpp"
#include "eth/transaction.hpp"

#include <gtest/gtest.h>

namespace lottery::server {
namespace {

// Anvil's first account (published test key).
constexpr std::string_view kKey =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr std::string_view kSender = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
constexpr std::string_view kContract = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

eth::Address addr(std::string_view text) {
  return *eth::parse_address(text);
}

BetRules rules() {
  BetRules r;
  r.chain_id = 31337;
  r.contract_address = addr(kContract);
  r.min_bet = eth::U256{1000};
  return r;
}

std::string body_for(eth::Transaction txn) {
  auto key = eth::PrivateKey::from_hex(kKey);
  auto signed_txn = eth::sign_transaction(txn, *key);
  return R"({"raw_transaction":")" + eth::hex_encode(eth::encode_transaction(*signed_txn)) + "\"}";
}

eth::Transaction good_txn(eth::TxType type = eth::TxType::kDynamicFee) {
  eth::Transaction txn;
  txn.type = type;
  txn.chain_id = 31337;
  txn.nonce = 1;
  txn.gas_price = eth::U256{1'000'000'000};
  txn.max_fee_per_gas = eth::U256{2'000'000'000};
  txn.max_priority_fee_per_gas = eth::U256{1};
  txn.gas_limit = 150'000;
  txn.to = addr(kContract);
  txn.value = eth::U256{5000};
  txn.data = contract::place_bet_call();
  return txn;
}

std::string code_of(const ParamResult<CheckedBet>& r) {
  const auto* e = std::get_if<ParamError>(&r);
  return e == nullptr ? std::string("ok") : e->code;
}

TEST(CheckBet, AcceptsEveryTransactionType) {
  for (auto type : {eth::TxType::kLegacy, eth::TxType::kAccessList, eth::TxType::kDynamicFee}) {
    auto r = check_bet_request(body_for(good_txn(type)), rules());
    ASSERT_EQ(code_of(r), "ok") << static_cast<int>(type);
    const auto& bet = std::get<CheckedBet>(r);
    EXPECT_EQ(bet.sender, addr(kSender));
    EXPECT_EQ(bet.value, eth::U256{5000});
    EXPECT_EQ(bet.raw_hex.substr(0, 2), "0x");
  }
}

TEST(CheckBet, RefusesWhatIsNotAPlaceBetForThisChainAndContract) {
  auto txn = good_txn();
  txn.chain_id = 1;
  EXPECT_EQ(code_of(check_bet_request(body_for(txn), rules())), "wrong_chain");
  txn = good_txn(eth::TxType::kLegacy);
  txn.chain_id = 0;  // pre-EIP-155: replayable on any chain
  EXPECT_EQ(code_of(check_bet_request(body_for(txn), rules())), "wrong_chain");
  txn = good_txn();
  txn.to = addr(kSender);
  EXPECT_EQ(code_of(check_bet_request(body_for(txn), rules())), "wrong_contract");
  txn.to.reset();
  EXPECT_EQ(code_of(check_bet_request(body_for(txn), rules())), "wrong_contract");
  txn = good_txn();
  txn.data = contract::draw_winner_call();
  EXPECT_EQ(code_of(check_bet_request(body_for(txn), rules())), "wrong_function");
  txn.data = contract::place_bet_call();
  txn.data.push_back(0);
  EXPECT_EQ(code_of(check_bet_request(body_for(txn), rules())), "wrong_function");
  txn = good_txn();
  txn.value = eth::U256{999};
  const auto too_small = check_bet_request(body_for(txn), rules());
  EXPECT_EQ(code_of(too_small), "bet_too_small");
  // The minimum in the unit players think in, and exactly in wei.
  EXPECT_EQ(std::get<ParamError>(too_small).message,
            "The bet must be at least the minimum bet of 0.000000000000001 ETH (1000 wei).");
  txn.value = 0;
  EXPECT_EQ(code_of(check_bet_request(body_for(txn), rules())), "bet_too_small");
}

TEST(CheckBet, RefusesMalformedBodies) {
  EXPECT_EQ(code_of(check_bet_request("", rules())), "invalid_json");
  EXPECT_EQ(code_of(check_bet_request("[1]", rules())), "invalid_json");
  EXPECT_EQ(code_of(check_bet_request("{\"raw_transaction\":", rules())), "invalid_json");
  EXPECT_EQ(code_of(check_bet_request("{}", rules())), "missing_field");
  EXPECT_EQ(code_of(check_bet_request(R"({"raw_transaction":5})", rules())), "missing_field");
  EXPECT_EQ(code_of(check_bet_request(R"({"raw_transaction":"0x"})", rules())), "invalid_hex");
  EXPECT_EQ(code_of(check_bet_request(R"({"raw_transaction":"abcd"})", rules())), "invalid_hex");
  EXPECT_EQ(code_of(check_bet_request(R"({"raw_transaction":"0xabc"})", rules())), "invalid_hex");
  EXPECT_EQ(code_of(check_bet_request(R"({"raw_transaction":"0x02c0"})", rules())),
            "invalid_transaction");
  EXPECT_EQ(code_of(check_bet_request(R"({"raw_transaction":"0x05c0"})", rules())),
            "invalid_transaction");
}

TEST(CheckBet, UnknownChainIdIsNotChecked) {
  BetRules r = rules();
  r.chain_id = 0;
  auto txn = good_txn();
  txn.chain_id = 5;
  EXPECT_EQ(code_of(check_bet_request(body_for(txn), r)), "ok");
}

}  // namespace
}  // namespace lottery::server
