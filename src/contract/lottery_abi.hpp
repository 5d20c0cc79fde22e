// SPDX-License-Identifier: Apache-2.0
#pragma once
// The contract ABI (contracts/out/Lottery.abi) compiled into the binary, so a
// lone static binary or a container image serves /contracts/abi/Lottery.abi
// without a file next to it.

#include <string_view>

namespace lottery::contract {

/// The JSON text of contracts/out/Lottery.abi as it was when this binary was
/// built (the build re-reads it whenever the file changes).
std::string_view lottery_abi_json() noexcept;

}  // namespace lottery::contract
