// SPDX-License-Identifier: Apache-2.0
#include "app/cmd_config.hpp"

#include "config/render.hpp"

#include <cstdio>
#include <map>
#include <string>

namespace lottery::app {

std::shared_ptr<ConfigOptions> add_config_options(CLI::App& cmd) {
  auto options = std::make_shared<ConfigOptions>();
  cmd.add_option("--config", options->file,
                 "JSON config file (default: ./lottery.conf when it exists)");
  cmd.add_option("--set", options->sets,
                 "Override one setting, e.g. --set server.port=8080 (repeatable; "
                 "names as in 'lottery config')")
      ->type_name("KEY=VALUE");
  return options;
}

config::LoadResult load_settings(
    const ConfigOptions& options,
    const std::vector<std::pair<std::string, std::string>>& extra_flags) {
  config::LoadOptions load_options;
  if (!options.file.empty()) load_options.config_file = options.file;
  load_options.env = config::process_environment();
  std::vector<std::string> bad_sets;
  for (const auto& set : options.sets) {
    if (auto flag = config::parse_set_flag(set)) {
      load_options.flags.push_back(std::move(*flag));
    } else {
      bad_sets.push_back(set);
    }
  }
  load_options.flags.insert(load_options.flags.end(), extra_flags.begin(), extra_flags.end());
  config::LoadResult loaded = config::load(load_options);
  for (const auto& set : bad_sets) {
    // Not echoed: a malformed --set may well be a pasted secret.
    loaded.errors.push_back("config: --set needs section.key=value (got an argument of " +
                            std::to_string(set.size()) + " characters without '=')");
  }
  return loaded;
}

void exit_on_config_errors(const config::LoadResult& loaded) {
  if (loaded.ok()) return;
  for (const auto& line : loaded.errors) {
    std::fputs(line.c_str(), stderr);
    std::fputc('\n', stderr);
  }
  throw CLI::RuntimeError(2);
}

void register_config_command(CLI::App& cli) {
  CLI::App* cmd =
      cli.add_subcommand("config",
                         "Print the effective configuration (defaults < file < env < flags), "
                         "secrets redacted; exit 2 when it is not valid.");
  auto options = add_config_options(*cmd);
  auto format = std::make_shared<std::string>("text");
  cmd->add_option("--format", *format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  auto describe = std::make_shared<bool>(false);
  cmd->add_flag("--describe", *describe,
                "Print the table of all settings (Markdown) instead of the values");
  cmd->callback([options, format, describe] {
    if (*describe) {
      std::fputs(config::describe_settings_markdown().c_str(), stdout);
      return;
    }
    const config::LoadResult loaded = load_settings(*options);
    exit_on_config_errors(loaded);
    const std::string out = config::render_effective(
        loaded, *format == "json" ? config::RenderFormat::kJson : config::RenderFormat::kText);
    std::fputs(out.c_str(), stdout);
  });
}

}  // namespace lottery::app
