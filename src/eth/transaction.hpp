// SPDX-License-Identifier: Apache-2.0
#pragma once

// Ethereum transactions: legacy (with EIP-155 replay protection), EIP-2930 (type 0x01, access
// lists) and EIP-1559 (type 0x02, dynamic fees). Building, signing, serialising for
// eth_sendRawTransaction, hashing, strict decoding and sender recovery.

#include "eth/address.hpp"
#include "eth/bytes.hpp"
#include "eth/error.hpp"
#include "eth/secp256k1.hpp"
#include "eth/u256.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace lottery::eth {

/// EIP-2718 transaction type. Legacy transactions carry no type byte on the wire.
enum class TxType : std::uint8_t {
  kLegacy = 0x00,
  kAccessList = 0x01,  ///< EIP-2930
  kDynamicFee = 0x02,  ///< EIP-1559
};

/// One EIP-2930 access-list entry: an account and the storage slots the transaction will touch.
struct AccessListEntry {
  Address address;
  std::vector<Hash32> storage_keys;

  friend bool operator==(const AccessListEntry&, const AccessListEntry&) = default;
};

using AccessList = std::vector<AccessListEntry>;

/// An unsigned transaction. One struct for every type; fields a type does not have are ignored
/// when encoding or signing and are left zero/empty by the decoder:
/// - legacy: chain_id (0 = pre-EIP-155, unprotected), nonce, gas_price, gas_limit, to, value, data;
/// - kAccessList: chain_id, nonce, gas_price, gas_limit, to, value, data, access_list;
/// - kDynamicFee: chain_id, nonce, max_priority_fee_per_gas, max_fee_per_gas, gas_limit, to,
///   value, data, access_list.
struct Transaction {
  TxType type = TxType::kDynamicFee;
  std::uint64_t chain_id = 0;
  std::uint64_t nonce = 0;
  U256 gas_price;                 ///< wei per gas (legacy, kAccessList)
  U256 max_priority_fee_per_gas;  ///< wei per gas (kDynamicFee)
  U256 max_fee_per_gas;           ///< wei per gas (kDynamicFee)
  std::uint64_t gas_limit = 0;
  std::optional<Address> to;  ///< no value: contract creation
  U256 value;                 ///< wei
  Bytes data;
  AccessList access_list;

  friend bool operator==(const Transaction&, const Transaction&) = default;
};

/// A transaction with its signature. `signature.recovery_id` is the y parity (0 or 1); for legacy
/// transactions the wire `v` is derived from it and `txn.chain_id` (see `legacy_v`).
struct SignedTransaction {
  Transaction txn;
  Signature signature;

  friend bool operator==(const SignedTransaction&, const SignedTransaction&) = default;
};

/// The bytes whose Keccak-256 is signed: for legacy RLP([nonce, gasPrice, gas, to, value, data])
/// plus [chainId, 0, 0] under EIP-155 (chain_id != 0); for typed transactions
/// type || RLP([...fields without signature]).
Bytes signing_payload(const Transaction& txn);

/// keccak256(signing_payload(txn)).
Hash32 signing_hash(const Transaction& txn);

/// Signs `txn` deterministically (RFC 6979, low s). Errors: as `sign_hash`.
Result<SignedTransaction> sign_transaction(const Transaction& txn, const PrivateKey& key) noexcept;

/// The legacy wire `v`: recovery_id + 27 without a chain id, recovery_id + 35 + 2 * chain_id with.
U256 legacy_v(std::uint64_t chain_id, std::uint8_t recovery_id);

/// The raw bytes accepted by eth_sendRawTransaction: RLP list for legacy, type || RLP list for
/// typed transactions.
Bytes encode_transaction(const SignedTransaction& signed_txn);

/// The transaction hash: keccak256(encode_transaction(signed_txn)).
Hash32 transaction_hash(const SignedTransaction& signed_txn);

/// Strictly decodes raw transaction bytes, so that `encode_transaction` gives back `raw` exactly.
/// Errors:
/// - kEmptyInput for no bytes; any `rlp::decode` error for malformed or non-canonical RLP,
///   including kTrailingBytes;
/// - kUnsupportedTxType for a type byte other than 0x01 and 0x02 (e.g. EIP-4844 blobs);
///   kUnexpectedString when the input is an RLP string rather than a transaction;
/// - kWrongLength for a wrong number of fields, an address that is not 20 bytes, a storage key
///   that is not 32 bytes or a malformed access-list entry;
/// - kLeadingZeros / kOverflow for non-canonical or too large integers (nonce, gas limit and
///   chain id must fit 64 bits); kUnexpectedList / kUnexpectedString for a list/string mix-up;
/// - kInvalidSignature for a y parity other than 0/1, a legacy v that is neither 27/28 nor
///   2 * chain_id + 35/36 with chain_id >= 1, or r/s out of range (high s included).
Result<SignedTransaction> decode_transaction(ByteView raw) noexcept;

/// The sender's address, recovered from the signature over `signing_hash(signed_txn.txn)`.
/// Errors: kInvalidSignature.
Result<Address> recover_sender(const SignedTransaction& signed_txn) noexcept;

}  // namespace lottery::eth
