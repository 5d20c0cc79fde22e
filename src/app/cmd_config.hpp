// SPDX-License-Identifier: Apache-2.0
#pragma once
// `lottery config`, plus the settings options every command shares.
//
// Pattern for subcommands: each lives in src/app/cmd_<name>.{hpp,cpp} and
// exposes `void register_<name>_command(CLI::App& cli)`, which adds the
// subcommand and its callback; main.cpp calls it once. A callback reports
// failure by throwing `CLI::RuntimeError(exit_code)` after printing its
// message (main's `cli.exit(e)` then returns that code without printing).

#include "config/load.hpp"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

namespace lottery::app {

/// The settings options shared by commands that load the configuration.
struct ConfigOptions {
  std::string file;               ///< --config FILE; empty = ./lottery.conf when it exists
  std::vector<std::string> sets;  ///< --set section.key=value, repeatable
};

/// Adds `--config FILE` and `--set KEY=VALUE` to `cmd`. The returned object
/// receives the values during parsing; keep it (e.g. capture it in the
/// subcommand's callback).
std::shared_ptr<ConfigOptions> add_config_options(CLI::App& cmd);

/// Loads the settings from defaults, the config file, the process environment
/// and `--set` flags (then `extra_flags`, e.g. a command's own `--port`, as
/// (table key, value) pairs). Malformed `--set` arguments are reported in
/// `errors` like any other problem.
config::LoadResult load_settings(
    const ConfigOptions& options,
    const std::vector<std::pair<std::string, std::string>>& extra_flags = {});

/// Prints each error line to stderr and throws CLI::RuntimeError(2) when
/// `loaded` has errors; does nothing otherwise. Exit code 2 = bad configuration.
void exit_on_config_errors(const config::LoadResult& loaded);

/// Registers `lottery config [--config FILE] [--set K=V]... [--format text|json]`:
/// prints the effective configuration with secrets redacted; exit 2 with one
/// line per problem when the configuration is not valid.
void register_config_command(CLI::App& cli);

}  // namespace lottery::app
