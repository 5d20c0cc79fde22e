// SPDX-License-Identifier: Apache-2.0
#pragma once
// `lottery healthcheck [--url URL] [--timeout SECONDS]`: for container health
// checks without curl. Exit 0 when GET <url> answers 200 with status "ok" or
// "degraded", 1 otherwise (one line on stderr says why).

#include <CLI/CLI.hpp>

#include <chrono>
#include <string>

namespace lottery::app {

/// The outcome of one health probe.
struct HealthProbe {
  bool healthy = false;
  std::string detail;  ///< "ok", "degraded", or why the probe failed
};

/// GETs `url` (http://host[:port][/path]; default path /health) within
/// `timeout` and judges the answer as the command does.
HealthProbe probe_health(const std::string& url, std::chrono::milliseconds timeout);

void register_healthcheck_command(CLI::App& cli);

}  // namespace lottery::app
