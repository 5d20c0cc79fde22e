// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eth/bytes.hpp"
#include "eth/error.hpp"

#include <boost/multiprecision/cpp_int.hpp>

#include <string>
#include <string_view>

namespace lottery::eth {

/// 256-bit unsigned integer with wrap-around arithmetic (like the EVM).
/// Use the checked helpers below where overflow must be an error.
using U256 = boost::multiprecision::number<boost::multiprecision::cpp_int_backend<
    256, 256, boost::multiprecision::unsigned_magnitude, boost::multiprecision::unchecked, void>>;

/// Parses a plain decimal number ("0", "1000"): digits only, no sign, no
/// leading zeros except "0" itself. Errors: kEmptyInput, kInvalidDecimal,
/// kLeadingZeros, kOverflow.
Result<U256> u256_from_dec(std::string_view text) noexcept;

/// Parses a JSON-RPC quantity: "0x" then hex digits without leading zeros
/// ("0x0", "0x1a"). Errors: kMissingHexPrefix, kEmptyInput, kInvalidHexDigit,
/// kLeadingZeros, kOverflow.
Result<U256> u256_from_quantity(std::string_view text) noexcept;

/// Parses "0x"-prefixed hex, leading zeros allowed (up to 64 digits), for
/// 32-byte words such as ABI results. Errors as `u256_from_quantity` minus kLeadingZeros.
Result<U256> u256_from_hex(std::string_view text) noexcept;

/// Big-endian bytes, at most 32 (else kOverflow); empty means zero.
Result<U256> u256_from_be(ByteView bytes) noexcept;

std::string u256_to_dec(const U256& value);
/// JSON-RPC quantity: "0x0", "0x1a" (no leading zeros).
std::string u256_to_quantity(const U256& value);
/// Exactly 32 big-endian bytes.
Hash32 u256_to_be32(const U256& value) noexcept;
/// Minimal big-endian bytes (zero gives no bytes), as RLP wants.
Bytes u256_to_be_minimal(const U256& value);

/// Checked arithmetic: kOverflow when the exact result does not fit.
Result<U256> checked_add(const U256& a, const U256& b) noexcept;
Result<U256> checked_mul(const U256& a, const U256& b) noexcept;

/// Narrowing to uint64_t; kOverflow when it does not fit.
Result<std::uint64_t> u256_to_u64(const U256& value) noexcept;

}  // namespace lottery::eth
