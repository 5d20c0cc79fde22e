// SPDX-License-Identifier: Apache-2.0
#pragma once

// Recursive Length Prefix (Ethereum Yellow Paper, appendix B): an encoder and a strict decoder.
//
// The decoder accepts exactly one canonical encoding per value, so that `encode(decode(x)) == x`
// for every input it accepts. That property is what lets us hash or compare raw bytes received
// from the network without normalising them first.

#include "eth/address.hpp"
#include "eth/bytes.hpp"
#include "eth/error.hpp"
#include "eth/u256.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace lottery::eth::rlp {

/// Default limit on list nesting for `decode`. Every Ethereum structure we read (transactions
/// with access lists) nests at most four lists deep; the limit bounds recursion on hostile input.
inline constexpr std::size_t kDefaultMaxDepth = 16;

/// One decoded RLP item: either a byte string or a list of items.
struct Item {
  bool is_list = false;
  Bytes bytes;              ///< the payload when `!is_list`
  std::vector<Item> items;  ///< the children when `is_list`

  friend bool operator==(const Item&, const Item&) = default;

  /// A byte-string item holding `data`.
  static Item string(ByteView data);
  /// A list item holding `children`.
  static Item list(std::vector<Item> children);
};

// ---- Encoding -----------------------------------------------------------------------------------
// The `append_*` functions write one encoded item to the end of `out`; the `encode_*` functions
// return it. A list is encoded by appending its children's encodings to a payload buffer and then
// calling `append_list(out, payload)`.

/// Appends the encoding of the byte string `data`.
void append_string(Bytes& out, ByteView data);
/// Appends the encoding of `value` as a minimal big-endian string (zero is the empty string).
void append_uint(Bytes& out, std::uint64_t value);
/// Appends the encoding of `value` as a minimal big-endian string (zero is the empty string).
void append_uint(Bytes& out, const U256& value);
/// Appends a list whose payload (the concatenated encodings of its items) is `payload`.
void append_list(Bytes& out, ByteView payload);
/// Appends the encoding of a whole item tree.
void append_item(Bytes& out, const Item& item);

Bytes encode_string(ByteView data);
Bytes encode_uint(std::uint64_t value);
Bytes encode_uint(const U256& value);
Bytes encode_list(ByteView payload);
Bytes encode(const Item& item);

// ---- Decoding -----------------------------------------------------------------------------------

/// Decodes exactly one item that spans all of `input`.
///
/// Rejects, with the first rule broken:
/// - kEmptyInput: `input` is empty;
/// - kTruncated: a length prefix or payload runs past the end of the input or of its parent list;
/// - kNonCanonical: a single byte below 0x80 wrapped as a one-byte string, or the long length form
///   used for a payload of at most 55 bytes;
/// - kLeadingZeros: a long-form length field starting with a zero byte;
/// - kTrailingBytes: bytes left after the item;
/// - kTooDeep: lists nested more than `max_depth` levels (a top-level list is level 1).
Result<Item> decode(ByteView input, std::size_t max_depth = kDefaultMaxDepth) noexcept;

// ---- Typed views of decoded items ---------------------------------------------------------------
// All of these fail with kUnexpectedList when given a list.

/// The item's bytes as a canonical unsigned integer: no leading zero bytes (kLeadingZeros), at most
/// 8 bytes (kOverflow). The empty string is zero.
Result<std::uint64_t> as_u64(const Item& item) noexcept;
/// As `as_u64`, at most 32 bytes (kOverflow).
Result<U256> as_u256(const Item& item) noexcept;
/// Exactly 20 bytes (kWrongLength).
Result<Address> as_address(const Item& item) noexcept;
/// The item's bytes, any length.
Result<ByteView> as_bytes(const Item& item) noexcept;
/// The children of a list item; kUnexpectedString when given a byte string.
Result<std::span<const Item>> as_list(const Item& item) noexcept;

/// Exactly `N` bytes (kWrongLength).
template <std::size_t N>
Result<std::array<std::uint8_t, N>> as_fixed(const Item& item) noexcept {
  if (item.is_list) return make_error_code(Errc::kUnexpectedList);
  if (item.bytes.size() != N) return make_error_code(Errc::kWrongLength);
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = item.bytes[i];
  return out;
}

}  // namespace lottery::eth::rlp
