// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eth/abi_type.hpp"
#include "eth/abi_value.hpp"
#include "eth/bytes.hpp"
#include "eth/error.hpp"

#include <span>

namespace lottery::eth {

/// Encodes `values` as the ABI encoding of the tuple `(types...)` (head/tail
/// layout as in the Solidity ABI specification; the result of `abi.encode`).
/// Errors: kWrongLength (value count differs from type count, array or tuple
/// element count differs from T[k]/tuple arity, bytes<M> value not M bytes),
/// kInvalidType (value alternative does not fit the type, see AbiValue),
/// kOutOfRange (uint<M>/int<M> value outside M bits), kTooDeep (hand-built type
/// nested beyond kAbiMaxDepth).
Result<Bytes> abi_encode(std::span<const AbiType> types, std::span<const AbiValue> values) noexcept;

/// Strictly decodes `data` as the encoding of the tuple `(types...)`. Safe for
/// hostile input: work and memory are linear in `data.size()`.
///
/// Only the canonical encoding (what `abi_encode` and Solidity produce) is
/// accepted, so decode-then-encode gives back `data` exactly:
///  - every dynamic member's tail starts exactly where the previous one ended
///    (the first right after the head); gaps, overlaps, reordering and misaligned
///    offsets are kNonCanonical. This also stops "offset aliasing" inputs whose
///    decoded tree would be far larger than the input.
///  - padding must be zero: bytes<M> right padding, bytes/string right padding
///    (kNonCanonical).
///  - trailing bytes after the last tail are refused (kTrailingBytes).
/// Other errors:
///  - kTruncated: the input ends inside a head word, a length word or data padding
///  - kOutOfRange: an offset points past the end of the input; uint<M> with bits
///    above M, int<M> not sign-extended, bool other than 0/1, address with
///    non-zero upper 12 bytes
///  - kTooLarge: a bytes/string/T[] length that needs more bytes than remain
///  - kTooDeep: hand-built type nested beyond kAbiMaxDepth
Result<AbiList> abi_decode(std::span<const AbiType> types, ByteView data) noexcept;

/// Decodes a single 32-byte word (an event topic) as the value type `type`
/// (uint/int/address/bool/bytes<M>) with the same range and padding checks as
/// `abi_decode`. Errors: kInvalidType for a non-value type, kWrongLength if
/// `word` is not 32 bytes, else as `abi_decode`.
Result<AbiValue> abi_decode_word(const AbiType& type, ByteView word) noexcept;

}  // namespace lottery::eth
