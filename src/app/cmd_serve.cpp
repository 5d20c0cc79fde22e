// SPDX-License-Identifier: Apache-2.0
#include "app/cmd_serve.hpp"

#include "app/cmd_config.hpp"
#include "app/service.hpp"
#include "logging/log.hpp"

#include <cstdio>
#include <exception>
#include <optional>
#include <string>

namespace lottery::app {

void register_serve_command(CLI::App& cli) {
  CLI::App* cmd = cli.add_subcommand(
      "serve", "Run the service: follow the contract, serve the API and web UI, operate rounds.");
  auto options = add_config_options(*cmd);
  auto port = std::make_shared<std::optional<std::uint16_t>>();
  cmd->add_option_function<std::uint16_t>(
      "--port", [port](const std::uint16_t& value) { *port = value; },
      "HTTP port (overrides SERVER_PORT)");

  cmd->callback([options, port]() {
    std::vector<std::pair<std::string, std::string>> extra;
    if (*port) extra.emplace_back("server.port", std::to_string(**port));
    const config::LoadResult loaded = load_settings(*options, extra);
    exit_on_config_errors(loaded);
    try {
      logging::configure(config::log_options(loaded.settings));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "serve: %s\n", e.what());
      throw CLI::RuntimeError(2);
    }
    const int code = run_service(loaded.settings);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace lottery::app
