// SPDX-License-Identifier: Apache-2.0
#include "eth/keccak.hpp"

#include <crypto++/keccak.h>

namespace lottery::eth {

Hash32 keccak256(ByteView data) noexcept {
  Hash32 out{};
  CryptoPP::Keccak_256 hasher;
  // Crypto++ asserts on a null pointer in debug builds, and an empty span may carry one.
  if (!data.empty()) hasher.Update(data.data(), data.size());
  hasher.Final(out.data());
  return out;
}

Hash32 keccak256(std::string_view text) noexcept {
  Hash32 out{};
  CryptoPP::Keccak_256 hasher;
  if (!text.empty()) {
    // The hash is over the raw bytes; char and uint8_t share representation.
    hasher.Update(reinterpret_cast<const CryptoPP::byte*>(text.data()), text.size());
  }
  hasher.Final(out.data());
  return out;
}

}  // namespace lottery::eth
