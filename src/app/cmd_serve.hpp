// SPDX-License-Identifier: Apache-2.0
#pragma once

// `lottery serve`: the service — follower, store, operator and the HTTP/WebSocket server.

#include <CLI/CLI.hpp>

namespace lottery::app {

/// Registers `lottery serve [--config FILE] [--set K=V]... [--port N]`. Exit codes:
/// 0 after a graceful stop, 2 for a bad configuration, 1 for a fatal runtime error
/// (e.g. the node reports another chain id than configured).
void register_serve_command(CLI::App& cli);

}  // namespace lottery::app
