// SPDX-License-Identifier: Apache-2.0
#pragma once
// `lottery set-operator`: the publisher names the address that runs rounds.

#include <CLI/CLI.hpp>

namespace lottery::app {

/// Registers `lottery set-operator --rpc-url URL --contract ADDR --operator ADDR
/// [--key-file FILE] [--chain-id N] [--confirmations N]`. The publisher's key
/// comes from --key-file, else DEPLOYER_PRIVATE_KEY_FILE, else
/// DEPLOYER_PRIVATE_KEY. The call is simulated first, so a key that is not the
/// publisher's fails with the contract's reason before anything is sent.
/// Exit codes: 0 set, 2 a bad key or address (malformed options: CLI11's own
/// non-zero codes), 1 the transaction failed.
void register_set_operator_command(CLI::App& cli);

}  // namespace lottery::app
