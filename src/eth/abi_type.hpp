// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eth/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lottery::eth {

/// The shape of one Solidity ABI type.
enum class AbiKind : std::uint8_t {
  kUint,        ///< uint<M>, M = 8..256 step 8
  kInt,         ///< int<M>, M = 8..256 step 8 (two's complement)
  kAddress,     ///< 20-byte account address
  kBool,        ///< 0 or 1
  kFixedBytes,  ///< bytes<M>, M = 1..32
  kBytes,       ///< dynamic byte string
  kString,      ///< dynamic UTF-8 string (bytes are not validated)
  kArray,       ///< T[] (dynamic length)
  kFixedArray,  ///< T[k], k >= 1
  kTuple,       ///< (T1,...,Tn), n >= 1
};

/// Deepest nesting (tuple levels plus array suffixes) a type may have. Bounds the
/// recursion of the parser, the encoder and the decoder.
inline constexpr std::size_t kAbiMaxDepth = 32;

/// Largest static encoding (in bytes) of a parsed type, e.g. `uint256[k]`; anything
/// bigger cannot be real contract data and would only feed size arithmetic overflows.
inline constexpr std::size_t kAbiMaxStaticSize = std::size_t{1} << 32;

/// A Solidity ABI type as a tree. Build it with `parse_abi_type` or the factories;
/// the factories do not validate, `parse_abi_type` does.
struct AbiType {
  AbiKind kind = AbiKind::kUint;
  /// Bits for kUint/kInt, bytes for kFixedBytes, element count for kFixedArray, else 0.
  std::size_t size = 256;
  /// The element type (exactly one) for kArray/kFixedArray; the members for kTuple.
  std::vector<AbiType> components;

  static AbiType uint_n(std::size_t bits = 256);
  static AbiType int_n(std::size_t bits = 256);
  static AbiType address();
  static AbiType boolean();
  static AbiType fixed_bytes(std::size_t len);
  static AbiType bytes();
  static AbiType string();
  static AbiType array(AbiType element);
  static AbiType fixed_array(AbiType element, std::size_t len);
  static AbiType tuple(std::vector<AbiType> members);

  /// True for bytes, string, T[], and T[k] / tuples containing a dynamic type.
  bool is_dynamic() const noexcept;

  /// Bytes this type takes in the head of an enclosing tuple: 32 for dynamic
  /// types, the full static encoding otherwise (saturates at SIZE_MAX).
  std::size_t head_size() const noexcept;

  /// True for the single-word types (uint, int, address, bool, bytes<M>).
  bool is_value_type() const noexcept;

  /// Canonical spelling used in signatures, e.g. "(uint256,bytes32[2])[]".
  std::string canonical() const;

  friend bool operator==(const AbiType&, const AbiType&) = default;
};

/// Parses one canonical type string, e.g. "uint256", "(address,bytes)[3][]".
/// Accepts the aliases "uint" (uint256) and "int" (int256); no whitespace, no
/// "tuple" keyword, no fixed/ufixed/function types, no empty tuple "()", no
/// zero-length array "T[0]", no leading zeros in sizes.
/// Errors: kInvalidType (malformed), kTooDeep (nesting beyond kAbiMaxDepth),
/// kTooLarge (static size beyond kAbiMaxStaticSize).
Result<AbiType> parse_abi_type(std::string_view text) noexcept;

/// Parses a comma-separated list of types without surrounding parentheses,
/// e.g. "address,uint256"; the empty string gives an empty list.
/// Errors as `parse_abi_type`.
Result<std::vector<AbiType>> parse_abi_type_list(std::string_view text) noexcept;

/// Canonical spelling of a parameter list: "T1,T2,...".
std::string canonical_type_list(const std::vector<AbiType>& types);

}  // namespace lottery::eth
