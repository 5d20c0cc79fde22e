// SPDX-License-Identifier: Apache-2.0
#pragma once
// `lottery deploy`: deploys the Lottery contract from a key (env or file),
// optionally sets its operator, and prints the new address on stdout.

#include <CLI/CLI.hpp>

namespace lottery::app {

/// Registers `lottery deploy --rpc-url URL [--key-file FILE] [--commission BPS]
/// [--operator ADDR] [--chain-id N] [--confirmations N] [--bytecode FILE]`.
/// The key comes from --key-file, else DEPLOYER_PRIVATE_KEY_FILE, else
/// DEPLOYER_PRIVATE_KEY; it is never printed. Progress goes to stderr, the
/// contract address (alone) to stdout. Exit codes: 0 deployed, 2 a bad key,
/// address or bytecode file (malformed or out-of-range options exit with
/// CLI11's own non-zero codes), 1 the deployment failed (one line says why: wrong chain,
/// insufficient funds, node unreachable, revert, ...).
void register_deploy_command(CLI::App& cli);

}  // namespace lottery::app
