// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <system_error>
#include <type_traits>

namespace lottery::eth {

/// Every way a pure Ethereum primitive can reject its input. One enum for the
/// whole `eth` layer keeps the error category small; the enumerator says which
/// rule was broken so callers (and users) can act on it.
enum class Errc : int {
  kOk = 0,
  kMissingHexPrefix,   ///< hex string without the required "0x"
  kOddHexLength,       ///< hex string with an odd number of digits
  kInvalidHexDigit,    ///< a character outside [0-9a-fA-F]
  kWrongLength,        ///< input has the wrong fixed size
  kEmptyInput,         ///< empty where a value is required
  kInvalidDecimal,     ///< not a plain decimal number
  kOverflow,           ///< value does not fit the target type
  kLeadingZeros,       ///< non-canonical integer with leading zeros
  kBadChecksum,        ///< mixed-case address whose EIP-55 checksum is wrong
  kTruncated,          ///< input ends before the encoded item does
  kTrailingBytes,      ///< bytes left over after a complete item
  kNonCanonical,       ///< encoding that a strict decoder must refuse
  kTooDeep,            ///< nesting deeper than the allowed limit
  kTooLarge,           ///< length beyond the allowed limit
  kUnexpectedList,     ///< RLP list where a string was expected
  kUnexpectedString,   ///< RLP string where a list was expected
  kInvalidType,        ///< malformed ABI type or value/type mismatch
  kOutOfRange,         ///< value outside the allowed range for its type
  kInvalidPrivateKey,  ///< zero or >= curve order
  kInvalidSignature,   ///< r/s/v outside their ranges or not recoverable
  kUnsupportedTxType,  ///< typed transaction envelope we do not know
  kInternal,           ///< the crypto library refused an operation
};

/// The error category for `Errc`; `message()` returns a short English sentence.
const boost::system::error_category& eth_category() noexcept;

inline boost::system::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), eth_category()};
}

/// Result type used throughout `eth`: a value or an `Errc` error code.
template <class T>
using Result = boost::system::result<T, boost::system::error_code>;

}  // namespace lottery::eth

template <>
struct boost::system::is_error_code_enum<lottery::eth::Errc> : std::true_type {};
