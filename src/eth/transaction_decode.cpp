// SPDX-License-Identifier: Apache-2.0
// Strict decoding of raw transactions (the inverse of encode_transaction).

#include "eth/rlp.hpp"
#include "eth/transaction.hpp"

#include <span>
#include <utility>

namespace lottery::eth {
namespace {

using Fields = std::span<const rlp::Item>;

constexpr std::size_t kLegacyFieldCount = 9;
constexpr std::size_t kAccessListFieldCount = 11;
constexpr std::size_t kDynamicFeeFieldCount = 12;

// Assigns the decoded value or returns its error from the enclosing function. Keeps the long
// field-by-field decoders below readable without exceptions.
#define LOTTERY_ETH_TRY_ASSIGN(target, expr)                    \
  do {                                                          \
    auto lottery_try_result = (expr);                           \
    if (!lottery_try_result) return lottery_try_result.error(); \
    (target) = std::move(*lottery_try_result);                  \
  } while (false)

Result<std::optional<Address>> decode_to(const rlp::Item& item) noexcept {
  if (item.is_list) return make_error_code(Errc::kUnexpectedList);
  if (item.bytes.empty()) return std::optional<Address>{};
  auto address = rlp::as_address(item);
  if (!address) return address.error();
  return std::optional<Address>{*address};
}

Result<AccessList> decode_access_list(const rlp::Item& item) noexcept {
  auto entries = rlp::as_list(item);
  if (!entries) return entries.error();
  AccessList out;
  out.reserve(entries->size());
  for (const auto& entry_item : *entries) {
    auto entry_fields = rlp::as_list(entry_item);
    if (!entry_fields) return entry_fields.error();
    if (entry_fields->size() != 2) return make_error_code(Errc::kWrongLength);
    AccessListEntry entry;
    LOTTERY_ETH_TRY_ASSIGN(entry.address, rlp::as_address((*entry_fields)[0]));
    auto keys = rlp::as_list((*entry_fields)[1]);
    if (!keys) return keys.error();
    entry.storage_keys.reserve(keys->size());
    for (const auto& key_item : *keys) {
      auto key = rlp::as_fixed<32>(key_item);
      if (!key) return key.error();
      entry.storage_keys.push_back(*key);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Result<std::uint8_t> decode_y_parity(const rlp::Item& item) noexcept {
  auto parity = rlp::as_u64(item);
  if (!parity) return parity.error();
  if (*parity > 1) return make_error_code(Errc::kInvalidSignature);
  return static_cast<std::uint8_t>(*parity);
}

// r and s follow the y parity (or v) as the last two fields of every form.
Result<void> decode_r_s(const rlp::Item& r, const rlp::Item& s, Signature& sig) noexcept {
  LOTTERY_ETH_TRY_ASSIGN(sig.r, rlp::as_u256(r));
  LOTTERY_ETH_TRY_ASSIGN(sig.s, rlp::as_u256(s));
  return check_signature(sig);
}

// Splits a legacy v into (chain id, recovery id): 27/28 before EIP-155, 2 * chain_id + 35/36
// after. Chain id 0 with the EIP-155 form would re-encode as 27/28, so it is refused to keep
// decoding one-to-one.
Result<void> split_legacy_v(const U256& v, Transaction& txn, Signature& sig) noexcept {
  if (v >= 27 && v <= 28) {
    txn.chain_id = 0;
    sig.recovery_id = static_cast<std::uint8_t>(v - 27);
    return {};
  }
  if (v < 37) return make_error_code(Errc::kInvalidSignature);
  const U256 offset = v - 35;
  auto chain_id = u256_to_u64(offset >> 1);
  if (!chain_id) return chain_id.error();
  txn.chain_id = *chain_id;
  sig.recovery_id = static_cast<std::uint8_t>(offset & 1);
  return {};
}

Result<SignedTransaction> decode_legacy(Fields f) noexcept {
  if (f.size() != kLegacyFieldCount) return make_error_code(Errc::kWrongLength);
  SignedTransaction out;
  Transaction& txn = out.txn;
  txn.type = TxType::kLegacy;
  LOTTERY_ETH_TRY_ASSIGN(txn.nonce, rlp::as_u64(f[0]));
  LOTTERY_ETH_TRY_ASSIGN(txn.gas_price, rlp::as_u256(f[1]));
  LOTTERY_ETH_TRY_ASSIGN(txn.gas_limit, rlp::as_u64(f[2]));
  LOTTERY_ETH_TRY_ASSIGN(txn.to, decode_to(f[3]));
  LOTTERY_ETH_TRY_ASSIGN(txn.value, rlp::as_u256(f[4]));
  auto data = rlp::as_bytes(f[5]);
  if (!data) return data.error();
  txn.data.assign(data->begin(), data->end());
  U256 v;
  LOTTERY_ETH_TRY_ASSIGN(v, rlp::as_u256(f[6]));
  if (auto ok = split_legacy_v(v, txn, out.signature); !ok) return ok.error();
  if (auto ok = decode_r_s(f[7], f[8], out.signature); !ok) return ok.error();
  return out;
}

Result<SignedTransaction> decode_typed(TxType type, Fields f) noexcept {
  const bool dynamic = type == TxType::kDynamicFee;
  if (f.size() != (dynamic ? kDynamicFeeFieldCount : kAccessListFieldCount)) {
    return make_error_code(Errc::kWrongLength);
  }
  SignedTransaction out;
  Transaction& txn = out.txn;
  txn.type = type;
  std::size_t i = 0;
  LOTTERY_ETH_TRY_ASSIGN(txn.chain_id, rlp::as_u64(f[i++]));
  LOTTERY_ETH_TRY_ASSIGN(txn.nonce, rlp::as_u64(f[i++]));
  if (dynamic) {
    LOTTERY_ETH_TRY_ASSIGN(txn.max_priority_fee_per_gas, rlp::as_u256(f[i++]));
    LOTTERY_ETH_TRY_ASSIGN(txn.max_fee_per_gas, rlp::as_u256(f[i++]));
  } else {
    LOTTERY_ETH_TRY_ASSIGN(txn.gas_price, rlp::as_u256(f[i++]));
  }
  LOTTERY_ETH_TRY_ASSIGN(txn.gas_limit, rlp::as_u64(f[i++]));
  LOTTERY_ETH_TRY_ASSIGN(txn.to, decode_to(f[i++]));
  LOTTERY_ETH_TRY_ASSIGN(txn.value, rlp::as_u256(f[i++]));
  auto data = rlp::as_bytes(f[i++]);
  if (!data) return data.error();
  txn.data.assign(data->begin(), data->end());
  LOTTERY_ETH_TRY_ASSIGN(txn.access_list, decode_access_list(f[i++]));
  LOTTERY_ETH_TRY_ASSIGN(out.signature.recovery_id, decode_y_parity(f[i++]));
  if (auto ok = decode_r_s(f[i], f[i + 1], out.signature); !ok) return ok.error();
  return out;
}

#undef LOTTERY_ETH_TRY_ASSIGN

}  // namespace

Result<SignedTransaction> decode_transaction(ByteView raw) noexcept {
  if (raw.empty()) return make_error_code(Errc::kEmptyInput);
  const std::uint8_t first = raw[0];
  TxType type = TxType::kLegacy;
  ByteView body = raw;
  if (first < 0x80) {
    // EIP-2718: a first byte below 0x80 is a transaction type.
    if (first != static_cast<std::uint8_t>(TxType::kAccessList) &&
        first != static_cast<std::uint8_t>(TxType::kDynamicFee)) {
      return make_error_code(Errc::kUnsupportedTxType);
    }
    type = static_cast<TxType>(first);
    body = raw.subspan(1);
    if (body.empty()) return make_error_code(Errc::kTruncated);
  }
  auto item = rlp::decode(body);
  if (!item) return item.error();
  auto fields = rlp::as_list(*item);
  if (!fields) return fields.error();
  return type == TxType::kLegacy ? decode_legacy(*fields) : decode_typed(type, *fields);
}

}  // namespace lottery::eth
