// SPDX-License-Identifier: Apache-2.0
#pragma once
// `lottery demo`: the whole lottery on a local dev chain in one command.

#include <CLI/CLI.hpp>

#include <array>
#include <cstdint>
#include <string_view>

namespace lottery::app {

/// Anvil's default accounts' private keys (mnemonic "test test test test test
/// test test test test test test junk"). They are public, well-known
/// development keys: anyone can use them, so they must never hold real funds.
/// Account 0 deploys (publisher), account 1 operates, 2.. are simulated players.
inline constexpr std::array<std::string_view, 10> kAnvilDevKeys = {
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6"};

/// At most this many simulated players (accounts 2..9).
inline constexpr std::uint32_t kMaxDemoPlayers = 8;

/// Registers `lottery demo [--port N] [--round-seconds S] [--players N]
/// [--no-players] [--block-time S] [--anvil PATH] [--chain-port N]
/// [--config FILE] [--set K=V]...`: starts Anvil (from --anvil, ANVIL_BIN, or
/// node_modules/.bin/anvil above the current directory or the binary) with a
/// block time, deploys the contract from account 0, makes account 1 the
/// operator, sets the betting duration, runs the service (API, web UI from
/// web/dist when built, operator) and the simulated players, and prints the
/// URL, the chain and wallet accounts. SIGINT/SIGTERM stops everything it
/// started. Exit codes: 0 after Ctrl-C, 2 bad configuration or no Anvil /
/// bytecode found (out-of-range options: CLI11's own non-zero codes), 1
/// when start-up or the service failed.
void register_demo_command(CLI::App& cli);

}  // namespace lottery::app
