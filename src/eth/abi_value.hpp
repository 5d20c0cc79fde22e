// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eth/address.hpp"
#include "eth/bytes.hpp"
#include "eth/u256.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace lottery::eth {

struct AbiValue;
using AbiList = std::vector<AbiValue>;

/// One ABI value as a plain tree. Which alternative goes with which type:
///   uint<M>          U256 (must be < 2^M)
///   int<M>           U256 holding the two's-complement bit pattern of the value
///                    (e.g. -1 is 2^256-1); it must be the sign extension of an M-bit value
///   address          Address
///   bool             bool
///   bytes<M>, bytes  Bytes (exactly M bytes for bytes<M>)
///   string           std::string (raw bytes; UTF-8 is not validated)
///   T[], T[k], tuple AbiList (elements / members in order)
/// Two's complement keeps int and uint on one representation, which is what the EVM does.
struct AbiValue {
  using Data = std::variant<U256, bool, Address, Bytes, std::string, AbiList>;
  Data data;

  const U256* as_u256() const noexcept { return std::get_if<U256>(&data); }
  const bool* as_bool() const noexcept { return std::get_if<bool>(&data); }
  const Address* as_address() const noexcept { return std::get_if<Address>(&data); }
  const Bytes* as_bytes() const noexcept { return std::get_if<Bytes>(&data); }
  const std::string* as_string() const noexcept { return std::get_if<std::string>(&data); }
  const AbiList* as_list() const noexcept { return std::get_if<AbiList>(&data); }

  friend bool operator==(const AbiValue&, const AbiValue&) = default;
};

inline AbiValue abi_uint(U256 value) {
  return AbiValue{AbiValue::Data(std::in_place_type<U256>, std::move(value))};
}

/// A signed value from its two's-complement 256-bit pattern.
inline AbiValue abi_int_twos(U256 value) {
  return AbiValue{AbiValue::Data(std::in_place_type<U256>, std::move(value))};
}

/// A signed value from a machine integer (stored as two's complement).
inline AbiValue abi_int(std::int64_t value) {
  if (value >= 0) return abi_uint(U256{static_cast<std::uint64_t>(value)});
  // -(value + 1) cannot overflow, even for INT64_MIN.
  const auto magnitude = static_cast<std::uint64_t>(-(value + 1)) + 1U;
  return abi_int_twos(U256{0} - U256{magnitude});
}

inline AbiValue abi_bool(bool value) {
  return AbiValue{AbiValue::Data(std::in_place_type<bool>, value)};
}
inline AbiValue abi_address(const Address& value) {
  return AbiValue{AbiValue::Data(std::in_place_type<Address>, value)};
}
inline AbiValue abi_bytes(Bytes value) {
  return AbiValue{AbiValue::Data(std::in_place_type<Bytes>, std::move(value))};
}
inline AbiValue abi_string(std::string value) {
  return AbiValue{AbiValue::Data(std::in_place_type<std::string>, std::move(value))};
}
inline AbiValue abi_list(AbiList values) {
  return AbiValue{AbiValue::Data(std::in_place_type<AbiList>, std::move(values))};
}

}  // namespace lottery::eth
