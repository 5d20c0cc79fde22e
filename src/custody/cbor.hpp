// SPDX-License-Identifier: Apache-2.0
#pragma once
// A small, strict CBOR (RFC 8949) encoder and decoder covering what Nitro
// attestation documents and COSE_Sign1 use: unsigned and negative integers,
// byte and text strings, arrays, maps, tags, false/true/null/undefined.
//
// The decoder reads hostile input: definite lengths only, shortest-form
// integers and lengths (the "preferred serialisation"), valid UTF-8 in text,
// no duplicate map keys, bounded nesting and item counts, and every length is
// checked against the bytes that remain before anything is allocated. Floats,
// indefinite lengths and other simple values are rejected.

#include "eth/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lottery::custody::cbor {

/// Thrown by `decode` (and the typed accessors) with one sentence saying what was wrong.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Type : std::uint8_t {
  kUnsigned,  ///< major type 0: `number`
  kNegative,  ///< major type 1: the value is -1 - `number`
  kBytes,     ///< major type 2: `bytes`
  kText,      ///< major type 3: `text` (valid UTF-8)
  kArray,     ///< major type 4: `items`
  kMap,       ///< major type 5: `entries`, in encoded order
  kTag,       ///< major type 6: tag `number` around `items[0]`
  kFalse,
  kTrue,
  kNull,
  kUndefined,
};

/// One CBOR data item. A plain tree; copies are deep.
struct Value {
  Type type = Type::kNull;
  std::uint64_t number = 0;
  eth::Bytes bytes;
  std::string text;
  std::vector<Value> items;
  std::vector<std::pair<Value, Value>> entries;

  static Value uint(std::uint64_t n);
  /// An integer of either sign.
  static Value integer(std::int64_t n);
  static Value byte_string(eth::ByteView data);
  static Value text_string(std::string_view s);
  static Value array(std::vector<Value> elements);
  static Value map(std::vector<std::pair<Value, Value>> pairs);
  static Value tag(std::uint64_t tag_number, Value content);
  static Value boolean(bool b);
  static Value null();

  bool is_map() const noexcept { return type == Type::kMap; }
  bool is_array() const noexcept { return type == Type::kArray; }
  bool is_bytes() const noexcept { return type == Type::kBytes; }
  bool is_text() const noexcept { return type == Type::kText; }
  bool is_null() const noexcept { return type == Type::kNull; }

  /// For a map: the value under a text key, or null when absent.
  const Value* find(std::string_view key) const noexcept;
  /// For a map: the value under an integer key, or null when absent.
  const Value* find(std::int64_t key) const noexcept;

  friend bool operator==(const Value&, const Value&) = default;
};

/// Limits of one decode (all inclusive).
struct Limits {
  std::size_t max_depth = 16;       ///< nesting of arrays, maps and tags
  std::size_t max_items = 100'000;  ///< data items in the whole input
  std::size_t max_input = 1 << 20;  ///< bytes of input
};

/// The preferred (shortest) serialisation of `value`.
eth::Bytes encode(const Value& value);

/// Decodes exactly one data item that spans all of `input` (trailing bytes are
/// an error). Throws `Error` on anything outside the strict subset above.
Value decode(eth::ByteView input, const Limits& limits = {});

/// RFC 8949 diagnostic notation (for tests and error messages), e.g.
/// `{"a": 1, "b": [2, 3]}`, `h'0102'`, `18(...)`.
std::string diagnostic(const Value& value);

}  // namespace lottery::custody::cbor
