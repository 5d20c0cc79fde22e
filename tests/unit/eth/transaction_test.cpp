// SPDX-License-Identifier: Apache-2.0
#include "eth/transaction.hpp"

#include "eth/hex.hpp"
#include "eth/keccak.hpp"
#include "eth/rlp.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lottery::eth {
namespace {

Bytes from_hex(std::string_view text) {
  auto bytes = hex_decode(text);
  EXPECT_TRUE(bytes) << text;
  return bytes ? *bytes : Bytes{};
}

template <class T>
T must(Result<T> result) {
  EXPECT_TRUE(result) << result.error().message();
  if (!result) std::abort();
  return std::move(*result);
}

Address addr(std::string_view text) {
  return must(parse_address(text));
}
U256 dec(std::string_view text) {
  return must(u256_from_dec(text));
}
Hash32 h32(std::string_view text) {
  return must(hex_decode_fixed<32>(text));
}

PrivateKey eip155_key() {
  return must(
      PrivateKey::from_hex("0x4646464646464646464646464646464646464646464646464646464646464646"));
}

// The address of the EIP-155 example key.
constexpr const char* kEip155Sender = "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F";

// ---- EIP-155 example (https://eips.ethereum.org/EIPS/eip-155), written out as data
// ----------------
constexpr const char* kEip155SigningData =
    "0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080";
constexpr const char* kEip155SigningHash =
    "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53";
constexpr const char* kEip155V = "37";
constexpr const char* kEip155R =
    "18515461264373351373200002665853028612451056578545711640558177340181847433846";
constexpr const char* kEip155S =
    "46948507304638947509940763649030358759909902576025900602547168820602576006531";
constexpr const char* kEip155SignedTx =
    "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a0"
    "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb70330"
    "4b3800ccf555c9f3dc64214b297fb1966a3b6d83";

Transaction eip155_txn() {
  Transaction txn;
  txn.type = TxType::kLegacy;
  txn.chain_id = 1;
  txn.nonce = 9;
  txn.gas_price = dec("20000000000");
  txn.gas_limit = 21000;
  txn.to = addr("0x3535353535353535353535353535353535353535");
  txn.value = dec("1000000000000000000");
  return txn;
}

TEST(Transaction, Eip155ExampleSigningDataAndHash) {
  const Transaction txn = eip155_txn();
  EXPECT_EQ(hex_encode(signing_payload(txn)), kEip155SigningData);
  EXPECT_EQ(hex_encode(signing_hash(txn)), kEip155SigningHash);
}

TEST(Transaction, Eip155ExampleSignature) {
  const SignedTransaction signed_txn = must(sign_transaction(eip155_txn(), eip155_key()));
  EXPECT_EQ(legacy_v(signed_txn.txn.chain_id, signed_txn.signature.recovery_id), dec(kEip155V));
  EXPECT_EQ(signed_txn.signature.r, dec(kEip155R));
  EXPECT_EQ(signed_txn.signature.s, dec(kEip155S));
  EXPECT_EQ(hex_encode(encode_transaction(signed_txn)), kEip155SignedTx);
  EXPECT_EQ(transaction_hash(signed_txn), keccak256(ByteView(from_hex(kEip155SignedTx))));
}

TEST(Transaction, Eip155ExampleDecodesAndRecovers) {
  const SignedTransaction decoded = must(decode_transaction(from_hex(kEip155SignedTx)));
  EXPECT_EQ(decoded.txn, eip155_txn());
  EXPECT_EQ(decoded.signature.r, dec(kEip155R));
  EXPECT_EQ(decoded.signature.s, dec(kEip155S));
  EXPECT_EQ(decoded.signature.recovery_id, 0);
  EXPECT_EQ(to_checksum(must(recover_sender(decoded))), kEip155Sender);
}

TEST(Transaction, PreEip155LegacyUsesV27Or28) {
  Transaction txn = eip155_txn();
  txn.chain_id = 0;
  // Without a chain id only the first six fields are signed.
  const Bytes payload = signing_payload(txn);
  const auto item = must(rlp::decode(payload));
  EXPECT_EQ(item.items.size(), 6u);

  const PrivateKey key = eip155_key();
  const SignedTransaction signed_txn = must(sign_transaction(txn, key));
  const U256 v = legacy_v(0, signed_txn.signature.recovery_id);
  EXPECT_TRUE(v == 27 || v == 28);
  const Bytes raw = encode_transaction(signed_txn);
  const SignedTransaction decoded = must(decode_transaction(raw));
  EXPECT_EQ(decoded, signed_txn);
  EXPECT_EQ(must(recover_sender(decoded)), key.address());
}

// Typed transactions signed by Foundry's `cast mktx` 1.7.1 (an independent implementation) with the
// EIP-155 example key, written out as data.
//   cast mktx --private-key 0x4646…46 --chain 31337 --nonce 7 --gas-limit 100000
//     --gas-price 30000000000 --priority-gas-price 1500000000 --value 123456789
//     --access-list '[{"address":"0x1111…11","storageKeys":["0x…01","0x…ff"]},
//                     {"address":"0x2222…22","storageKeys":[]}]'
//     0x3535…35 "transfer(address,uint256)" 0x2222…22 1000
constexpr const char* kCastDynamicFeeTx =
    "0x02f9012a827a69078459682f008506fc23ac00830186a0943535353535353535353535353535353535353535"
    "84075bcd15b844a9059cbb0000000000000000000000002222222222222222222222222222222222222222000000"
    "00000000000000000000000000000000000000000000000000000003e8f872f859941111111111111111111111"
    "111111111111111111f842a00000000000000000000000000000000000000000000000000000000000000001a0"
    "00000000000000000000000000000000000000000000000000000000000000ffd69422222222222222222222222"
    "22222222222222222c001a0855ddadb061fe879977a408f35779177527442ce0b2ebdeb8f1b6ada7c691f20a009"
    "41577479d6e6f81f63aabb0cc46c0fec49e1da4faf1b4c0b8947ce548c62e8";

//   cast mktx --private-key 0x4646…46 --chain 5 --nonce 0 --gas-limit 50000 --gas-price 1000000000
//     --legacy --access-list '[{"address":"0x1111…11","storageKeys":["0x…01"]}]'
//     --create 0x6001600055
constexpr const char* kCastAccessListCreateTx =
    "0x01f88f0580843b9aca0082c3508080856001600055f838f7941111111111111111111111111111111111111111"
    "e1a0000000000000000000000000000000000000000000000000000000000000000101a08277fd045789b31ea36e"
    "a4babea98f2f080c1c2d90c64766596d3e90029aa25aa04053097b6de7b87a44b047d18f081486eb08c98f1698c4"
    "1077cf8a327b706400";

Transaction cast_dynamic_fee_txn() {
  Transaction txn;
  txn.type = TxType::kDynamicFee;
  txn.chain_id = 31337;
  txn.nonce = 7;
  txn.max_priority_fee_per_gas = dec("1500000000");
  txn.max_fee_per_gas = dec("30000000000");
  txn.gas_limit = 100000;
  txn.to = addr("0x3535353535353535353535353535353535353535");
  txn.value = dec("123456789");
  txn.data = from_hex(
      "0xa9059cbb0000000000000000000000002222222222222222222222222222222222222222"
      "00000000000000000000000000000000000000000000000000000000000003e8");
  txn.access_list = {
      {addr("0x1111111111111111111111111111111111111111"),
       {h32("0x0000000000000000000000000000000000000000000000000000000000000001"),
        h32("0x00000000000000000000000000000000000000000000000000000000000000ff")}},
      {addr("0x2222222222222222222222222222222222222222"), {}},
  };
  return txn;
}

Transaction cast_access_list_create_txn() {
  Transaction txn;
  txn.type = TxType::kAccessList;
  txn.chain_id = 5;
  txn.nonce = 0;
  txn.gas_price = dec("1000000000");
  txn.gas_limit = 50000;
  txn.data = from_hex("0x6001600055");
  txn.access_list = {
      {addr("0x1111111111111111111111111111111111111111"),
       {h32("0x0000000000000000000000000000000000000000000000000000000000000001")}},
  };
  return txn;
}

TEST(Transaction, TypedTransactionsMatchIndependentSigner) {
  const PrivateKey key = eip155_key();
  const std::pair<Transaction, const char*> cases[] = {
      {cast_dynamic_fee_txn(), kCastDynamicFeeTx},
      {cast_access_list_create_txn(), kCastAccessListCreateTx},
  };
  for (const auto& [txn, raw_hex] : cases) {
    const SignedTransaction signed_txn = must(sign_transaction(txn, key));
    EXPECT_EQ(hex_encode(encode_transaction(signed_txn)), raw_hex);

    const SignedTransaction decoded = must(decode_transaction(from_hex(raw_hex)));
    EXPECT_EQ(decoded, signed_txn);
    EXPECT_EQ(to_checksum(must(recover_sender(decoded))), kEip155Sender);
  }
}

TEST(Transaction, TypedSigningPayloadStartsWithType) {
  const Bytes dynamic = signing_payload(cast_dynamic_fee_txn());
  ASSERT_FALSE(dynamic.empty());
  EXPECT_EQ(dynamic[0], 0x02);
  EXPECT_TRUE(rlp::decode(ByteView(dynamic).subspan(1)));
  const Bytes access = signing_payload(cast_access_list_create_txn());
  ASSERT_FALSE(access.empty());
  EXPECT_EQ(access[0], 0x01);
}

TEST(Transaction, RoundTripsEncodeDecodeRecover) {
  const U256 max = ~U256(0);
  std::vector<Transaction> txns;
  {
    Transaction t;  // minimal 1559: everything zero, contract creation, empty access list
    t.type = TxType::kDynamicFee;
    t.chain_id = 1;
    txns.push_back(t);
  }
  {
    Transaction t;  // extremes: 64-bit fields at their maximum, 256-bit values at their maximum
    t.type = TxType::kDynamicFee;
    t.chain_id = ~std::uint64_t{0};
    t.nonce = ~std::uint64_t{0};
    t.max_priority_fee_per_gas = max;
    t.max_fee_per_gas = max;
    t.gas_limit = ~std::uint64_t{0};
    t.to = addr("0x0000000000000000000000000000000000000000");
    t.value = max;
    t.data = Bytes(300, 0xfe);
    for (std::uint8_t i = 0; i < 5; ++i) {
      AccessListEntry entry;
      entry.address.bytes.fill(i);
      for (std::uint8_t k = 0; k < i; ++k) {
        Hash32 slot{};
        slot[31] = k;
        entry.storage_keys.push_back(slot);
      }
      t.access_list.push_back(entry);
    }
    txns.push_back(t);
  }
  {
    Transaction t;  // 2930 with a call and a long access list
    t.type = TxType::kAccessList;
    t.chain_id = 11155111;
    t.nonce = 1;
    t.gas_price = 1;
    t.gas_limit = 21000;
    t.to = addr("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    t.value = dec("1");
    t.access_list.push_back(
        {addr("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"), std::vector<Hash32>(40, Hash32{})});
    txns.push_back(t);
  }
  {
    Transaction t = eip155_txn();  // legacy with a large chain id (v needs more than 8 bytes)
    t.chain_id = ~std::uint64_t{0};
    txns.push_back(t);
  }

  const PrivateKey key = must(PrivateKey::from_bytes(keccak256(std::string_view("round trip"))));
  for (const auto& txn : txns) {
    const SignedTransaction signed_txn = must(sign_transaction(txn, key));
    const Bytes raw = encode_transaction(signed_txn);
    const SignedTransaction decoded = must(decode_transaction(raw));
    EXPECT_EQ(decoded, signed_txn);
    EXPECT_EQ(encode_transaction(decoded), raw);
    EXPECT_EQ(must(recover_sender(decoded)), key.address());
    EXPECT_EQ(transaction_hash(decoded), keccak256(ByteView(raw)));
  }
}

TEST(Transaction, TamperedTransactionRecoversAnotherSender) {
  SignedTransaction signed_txn = must(decode_transaction(from_hex(kCastDynamicFeeTx)));
  signed_txn.txn.value += 1;
  auto sender = recover_sender(signed_txn);
  if (sender) {
    EXPECT_NE(to_checksum(*sender), kEip155Sender);
  }
}

// ---- Malformed raw transactions
// --------------------------------------------------------------------

Bytes with_prefix(std::uint8_t prefix, const Bytes& body) {
  Bytes out{prefix};
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// Re-encodes a valid transaction after `mutate` has edited its RLP field list.
Bytes mutate_legacy(const std::function<void(std::vector<rlp::Item>&)>& mutate) {
  rlp::Item item = must(rlp::decode(from_hex(kEip155SignedTx)));
  mutate(item.items);
  return rlp::encode(item);
}

Bytes mutate_typed(const char* raw_hex,
                   const std::function<void(std::vector<rlp::Item>&)>& mutate) {
  const Bytes raw = from_hex(raw_hex);
  rlp::Item item = must(rlp::decode(ByteView(raw).subspan(1)));
  mutate(item.items);
  return with_prefix(raw[0], rlp::encode(item));
}

// The same envelope body under another type byte.
Bytes retype(const char* raw_hex, std::uint8_t type) {
  Bytes raw = from_hex(raw_hex);
  raw[0] = type;
  return raw;
}

rlp::Item uint_item(const U256& value) {
  return rlp::Item::string(u256_to_be_minimal(value));
}
rlp::Item bytes_item(std::initializer_list<std::uint8_t> bytes) {
  return rlp::Item::string(std::vector<std::uint8_t>(bytes));
}

TEST(Transaction, RejectsMalformedRawTransactions) {
  const Bytes eip155 = from_hex(kEip155SignedTx);
  const U256& n = secp256k1_order();
  Bytes trailing = eip155;
  trailing.push_back(0x00);
  Bytes truncated = eip155;
  truncated.pop_back();
  Bytes typed_trailing = from_hex(kCastDynamicFeeTx);
  typed_trailing.push_back(0xc0);

  struct Case {
    const char* name;
    Bytes raw;
    Errc error;
  };
  const std::vector<Case> cases = {
      {"empty", {}, Errc::kEmptyInput},
      {"type_0x00", from_hex("0x00c0"), Errc::kUnsupportedTxType},
      {"blob_type_0x03", with_prefix(0x03, from_hex("0xc0")), Errc::kUnsupportedTxType},
      {"type_0x04", from_hex("0x04c0"), Errc::kUnsupportedTxType},
      {"type_0x7f", from_hex("0x7f"), Errc::kUnsupportedTxType},
      {"type_byte_only", from_hex("0x02"), Errc::kTruncated},
      {"rlp_string_not_list", from_hex("0x83646f67"), Errc::kUnexpectedString},
      {"typed_string_payload", from_hex("0x0283646f67"), Errc::kUnexpectedString},
      {"trailing_byte", trailing, Errc::kTrailingBytes},
      {"typed_trailing_byte", typed_trailing, Errc::kTrailingBytes},
      {"truncated", truncated, Errc::kTruncated},
      {"legacy_eight_fields", mutate_legacy([](auto& f) { f.pop_back(); }), Errc::kWrongLength},
      {"legacy_ten_fields", mutate_legacy([](auto& f) { f.push_back(rlp::Item::string({})); }),
       Errc::kWrongLength},
      {"nonce_leading_zero", mutate_legacy([](auto& f) {
         f[0] = bytes_item({0x00, 0x09});
       }),
       Errc::kLeadingZeros},
      {"nonce_zero_byte", mutate_legacy([](auto& f) { f[0] = bytes_item({0x00}); }),
       Errc::kLeadingZeros},
      {"nonce_too_large", mutate_legacy([](auto& f) { f[0] = uint_item(U256(1) << 64); }),
       Errc::kOverflow},
      {"value_33_bytes", mutate_legacy([](auto& f) { f[4] = rlp::Item::string(Bytes(33, 0x01)); }),
       Errc::kOverflow},
      {"to_19_bytes", mutate_legacy([](auto& f) { f[3] = rlp::Item::string(Bytes(19, 0x35)); }),
       Errc::kWrongLength},
      {"to_is_list", mutate_legacy([](auto& f) { f[3] = rlp::Item::list({}); }),
       Errc::kUnexpectedList},
      {"data_is_list", mutate_legacy([](auto& f) { f[5] = rlp::Item::list({}); }),
       Errc::kUnexpectedList},
      {"v_29", mutate_legacy([](auto& f) { f[6] = uint_item(29); }), Errc::kInvalidSignature},
      {"v_0", mutate_legacy([](auto& f) { f[6] = uint_item(0); }), Errc::kInvalidSignature},
      {"v_35_chain_zero", mutate_legacy([](auto& f) { f[6] = uint_item(35); }),
       Errc::kInvalidSignature},
      {"v_chain_id_over_64_bits",
       mutate_legacy([](auto& f) { f[6] = uint_item((U256(1) << 65) + 35); }), Errc::kOverflow},
      {"r_zero", mutate_legacy([](auto& f) { f[7] = uint_item(0); }), Errc::kInvalidSignature},
      {"r_equals_n", mutate_legacy([&](auto& f) { f[7] = uint_item(n); }), Errc::kInvalidSignature},
      {"s_high", mutate_legacy([&](auto& f) { f[8] = uint_item(n - dec(kEip155S)); }),
       Errc::kInvalidSignature},
      {"typed_eleven_fields", mutate_typed(kCastDynamicFeeTx, [](auto& f) { f.pop_back(); }),
       Errc::kWrongLength},
      {"access_list_type_with_1559_fields", retype(kCastDynamicFeeTx, 0x01), Errc::kWrongLength},
      {"dynamic_fee_type_with_2930_fields", retype(kCastAccessListCreateTx, 0x02),
       Errc::kWrongLength},
      {"chain_id_leading_zero",
       mutate_typed(kCastDynamicFeeTx,
                    [](auto& f) {
                      f[0] = bytes_item({0x00, 0x7a, 0x69});
                    }),
       Errc::kLeadingZeros},
      {"y_parity_2", mutate_typed(kCastDynamicFeeTx, [](auto& f) { f[9] = uint_item(2); }),
       Errc::kInvalidSignature},
      {"y_parity_zero_byte",
       mutate_typed(kCastDynamicFeeTx, [](auto& f) { f[9] = bytes_item({0x00}); }),
       Errc::kLeadingZeros},
      {"typed_s_high",
       mutate_typed(kCastDynamicFeeTx,
                    [&](auto& f) { f[11] = uint_item(n - must(rlp::as_u256(f[11]))); }),
       Errc::kInvalidSignature},
      {"access_list_is_string",
       mutate_typed(kCastDynamicFeeTx, [](auto& f) { f[8] = rlp::Item::string({}); }),
       Errc::kUnexpectedString},
      {"access_entry_one_field",
       mutate_typed(kCastDynamicFeeTx, [](auto& f) { f[8].items[0].items.pop_back(); }),
       Errc::kWrongLength},
      {"access_entry_is_string",
       mutate_typed(kCastDynamicFeeTx, [](auto& f) { f[8].items[0] = rlp::Item::string({}); }),
       Errc::kUnexpectedString},
      {"access_address_21_bytes",
       mutate_typed(kCastDynamicFeeTx,
                    [](auto& f) { f[8].items[0].items[0] = rlp::Item::string(Bytes(21, 1)); }),
       Errc::kWrongLength},
      {"storage_key_31_bytes",
       mutate_typed(
           kCastDynamicFeeTx,
           [](auto& f) { f[8].items[0].items[1].items[0] = rlp::Item::string(Bytes(31, 1)); }),
       Errc::kWrongLength},
      {"storage_keys_is_string",
       mutate_typed(kCastDynamicFeeTx,
                    [](auto& f) { f[8].items[0].items[1] = rlp::Item::string(Bytes(32, 1)); }),
       Errc::kUnexpectedString},
      {"gas_price_list",
       mutate_typed(kCastAccessListCreateTx, [](auto& f) { f[2] = rlp::Item::list({}); }),
       Errc::kUnexpectedList},
  };
  for (const auto& c : cases) {
    auto decoded = decode_transaction(c.raw);
    ASSERT_FALSE(decoded) << c.name;
    EXPECT_EQ(decoded.error(), make_error_code(c.error))
        << c.name << ": got " << decoded.error().message();
  }
}

}  // namespace
}  // namespace lottery::eth
