// SPDX-License-Identifier: Apache-2.0
#include "eth/error.hpp"

#include <string>

namespace lottery::eth {
namespace {

// Boost's error_category deliberately has a non-virtual destructor (categories are static
// singletons never deleted through a base pointer), which -Wnon-virtual-dtor flags.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class EthCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "lottery.eth"; }

  std::string message(int value) const override { return describe(value); }

 private:
  // One sentence per rule so a log line or an HTTP error says exactly what was wrong.
  static const char* describe(int value) noexcept {
    switch (static_cast<Errc>(value)) {
      case Errc::kOk:
        return "success";
      case Errc::kMissingHexPrefix:
        return "hex value must start with \"0x\"";
      case Errc::kOddHexLength:
        return "hex value has an odd number of digits";
      case Errc::kInvalidHexDigit:
        return "hex value contains a character that is not a hex digit";
      case Errc::kWrongLength:
        return "value has the wrong length for its fixed size";
      case Errc::kEmptyInput:
        return "value is empty where a number or data is required";
      case Errc::kInvalidDecimal:
        return "value is not a plain decimal number (digits 0-9 only)";
      case Errc::kOverflow:
        return "number is too large for its type";
      case Errc::kLeadingZeros:
        return "number has leading zeros, which is not canonical";
      case Errc::kBadChecksum:
        return "mixed-case address has a wrong EIP-55 checksum; check it for typos";
      case Errc::kTruncated:
        return "input ends before the encoded item is complete";
      case Errc::kTrailingBytes:
        return "input has extra bytes after the encoded item";
      case Errc::kNonCanonical:
        return "encoding is not canonical and is refused";
      case Errc::kTooDeep:
        return "encoding is nested deeper than allowed";
      case Errc::kTooLarge:
        return "encoded length exceeds the allowed limit";
      case Errc::kUnexpectedList:
        return "RLP list found where a string was expected";
      case Errc::kUnexpectedString:
        return "RLP string found where a list was expected";
      case Errc::kInvalidType:
        return "ABI type is malformed or does not match the value";
      case Errc::kOutOfRange:
        return "value is outside the allowed range for its type";
      case Errc::kInvalidPrivateKey:
        return "private key is invalid (zero or not below the secp256k1 curve order)";
      case Errc::kInvalidSignature:
        return "signature is invalid (r, s or v out of range, or not recoverable)";
      case Errc::kUnsupportedTxType:
        return "transaction type is not supported";
      case Errc::kInternal:
        return "the crypto library refused the operation";
    }
    return "unknown lottery.eth error";
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& eth_category() noexcept {
  static const EthCategory category;
  return category;
}

}  // namespace lottery::eth
