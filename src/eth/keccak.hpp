// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eth/bytes.hpp"

#include <string_view>

namespace lottery::eth {

/// Keccak-256 as Ethereum uses it (original padding, not SHA3-256).
Hash32 keccak256(ByteView data) noexcept;

/// Keccak-256 of the UTF-8 bytes of `text` (signatures, strings).
Hash32 keccak256(std::string_view text) noexcept;

}  // namespace lottery::eth
