// SPDX-License-Identifier: Apache-2.0
#include "eth/transaction.hpp"

#include "eth/keccak.hpp"
#include "eth/rlp.hpp"

namespace lottery::eth {
namespace {

void append_to(Bytes& out, const std::optional<Address>& to) {
  if (to) {
    rlp::append_string(out, to->bytes);
  } else {
    rlp::append_string(out, {});  // contract creation: the empty string
  }
}

void append_access_list(Bytes& out, const AccessList& access_list) {
  Bytes entries;
  for (const auto& entry : access_list) {
    Bytes keys;
    for (const auto& key : entry.storage_keys) rlp::append_string(keys, key);
    Bytes fields;
    rlp::append_string(fields, entry.address.bytes);
    rlp::append_list(fields, keys);
    rlp::append_list(entries, fields);
  }
  rlp::append_list(out, entries);
}

// The fields every form of a transaction starts with: everything except the signature (and,
// for legacy, the EIP-155 chain id triple).
Bytes unsigned_fields(const Transaction& txn) {
  Bytes out;
  switch (txn.type) {
    case TxType::kLegacy:
      rlp::append_uint(out, txn.nonce);
      rlp::append_uint(out, txn.gas_price);
      rlp::append_uint(out, txn.gas_limit);
      append_to(out, txn.to);
      rlp::append_uint(out, txn.value);
      rlp::append_string(out, txn.data);
      break;
    case TxType::kAccessList:
      rlp::append_uint(out, txn.chain_id);
      rlp::append_uint(out, txn.nonce);
      rlp::append_uint(out, txn.gas_price);
      rlp::append_uint(out, txn.gas_limit);
      append_to(out, txn.to);
      rlp::append_uint(out, txn.value);
      rlp::append_string(out, txn.data);
      append_access_list(out, txn.access_list);
      break;
    case TxType::kDynamicFee:
      rlp::append_uint(out, txn.chain_id);
      rlp::append_uint(out, txn.nonce);
      rlp::append_uint(out, txn.max_priority_fee_per_gas);
      rlp::append_uint(out, txn.max_fee_per_gas);
      rlp::append_uint(out, txn.gas_limit);
      append_to(out, txn.to);
      rlp::append_uint(out, txn.value);
      rlp::append_string(out, txn.data);
      append_access_list(out, txn.access_list);
      break;
  }
  return out;
}

// Wraps a field payload as the final envelope: a bare list for legacy, type || list otherwise.
Bytes envelope(TxType type, ByteView fields) {
  Bytes out;
  if (type != TxType::kLegacy) out.push_back(static_cast<std::uint8_t>(type));
  rlp::append_list(out, fields);
  return out;
}

}  // namespace

Bytes signing_payload(const Transaction& txn) {
  Bytes fields = unsigned_fields(txn);
  if (txn.type == TxType::kLegacy && txn.chain_id != 0) {
    rlp::append_uint(fields, txn.chain_id);
    rlp::append_uint(fields, std::uint64_t{0});
    rlp::append_uint(fields, std::uint64_t{0});
  }
  return envelope(txn.type, fields);
}

Hash32 signing_hash(const Transaction& txn) {
  return keccak256(ByteView(signing_payload(txn)));
}

Result<SignedTransaction> sign_transaction(const Transaction& txn, const PrivateKey& key) noexcept {
  auto signature = sign_hash(key, signing_hash(txn));
  if (!signature) return signature.error();
  return SignedTransaction{txn, *signature};
}

U256 legacy_v(std::uint64_t chain_id, std::uint8_t recovery_id) {
  if (chain_id == 0) return U256(27U + recovery_id);
  return U256(chain_id) * 2 + 35 + recovery_id;
}

Bytes encode_transaction(const SignedTransaction& signed_txn) {
  const Transaction& txn = signed_txn.txn;
  const Signature& sig = signed_txn.signature;
  Bytes fields = unsigned_fields(txn);
  if (txn.type == TxType::kLegacy) {
    rlp::append_uint(fields, legacy_v(txn.chain_id, sig.recovery_id));
  } else {
    rlp::append_uint(fields, std::uint64_t{sig.recovery_id});
  }
  rlp::append_uint(fields, sig.r);
  rlp::append_uint(fields, sig.s);
  return envelope(txn.type, fields);
}

Hash32 transaction_hash(const SignedTransaction& signed_txn) {
  return keccak256(ByteView(encode_transaction(signed_txn)));
}

Result<Address> recover_sender(const SignedTransaction& signed_txn) noexcept {
  return recover_address(signing_hash(signed_txn.txn), signed_txn.signature);
}

}  // namespace lottery::eth
