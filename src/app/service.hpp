// SPDX-License-Identifier: Apache-2.0
#pragma once

// The running service: every component of `lottery serve` wired together.
// Kept out of cmd_serve.cpp so `lottery demo` can run the same service.

#include "config/settings.hpp"

#include <memory>

namespace lottery::app {

/// Builds the components from `settings`, runs them until SIGINT/SIGTERM, then
/// shuts down gracefully. Returns the process exit code: 0 after a graceful
/// stop, 1 after a fatal error (logged with what to do).
int run_service(const config::Settings& settings);

}  // namespace lottery::app
