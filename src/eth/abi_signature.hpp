// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eth/abi_type.hpp"
#include "eth/abi_value.hpp"
#include "eth/bytes.hpp"
#include "eth/error.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lottery::eth {

/// The first four bytes of keccak256 of a canonical function signature.
using Selector = std::array<std::uint8_t, 4>;

/// A function, error or event signature: a name and its parameter types.
struct AbiSignature {
  std::string name;
  std::vector<AbiType> inputs;

  /// "name(T1,T2,...)" with canonical type names (uint -> uint256).
  std::string canonical() const;
};

/// Parses "name(T1,T2,...)": name is [A-Za-z_$][A-Za-z0-9_$]*, types as in
/// `parse_abi_type`, no whitespace. Errors: kInvalidType, and those of `parse_abi_type`.
Result<AbiSignature> parse_abi_signature(std::string_view text) noexcept;

/// keccak256(canonical signature)[0..4].
Selector abi_selector(const AbiSignature& signature) noexcept;

/// Parses and canonicalises `text` first, so "transfer(address,uint)" gives the
/// same selector as "transfer(address,uint256)" (0xa9059cbb).
Result<Selector> abi_selector(std::string_view text) noexcept;

/// Event topic0: keccak256 of the canonical event signature, e.g.
/// "Transfer(address,address,uint256)". Errors as `parse_abi_signature`.
Result<Hash32> abi_event_topic(std::string_view text) noexcept;

/// Call data: selector followed by the ABI encoding of `args` for the inputs.
/// Errors as `abi_encode`.
Result<Bytes> abi_encode_call(const AbiSignature& signature,
                              std::span<const AbiValue> args) noexcept;

/// Parses `text` with `parse_abi_signature`, then as above.
Result<Bytes> abi_encode_call(std::string_view text, std::span<const AbiValue> args) noexcept;

/// Decodes call data for `signature`: kTruncated if shorter than a selector,
/// kInvalidType if the selector is another function's, else as `abi_decode`.
Result<AbiList> abi_decode_call(const AbiSignature& signature, ByteView call_data) noexcept;

}  // namespace lottery::eth
