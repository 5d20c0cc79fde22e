// SPDX-License-Identifier: Apache-2.0
#pragma once
// Builds the effective Settings: defaults < config file < environment < flags.

#include "config/settings.hpp"
#include "config/table.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lottery::config {

/// Looks up one environment variable; nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// Reads the real process environment (getenv).
EnvLookup process_environment();

/// Reads from `vars` instead, for tests.
EnvLookup environment_from(std::map<std::string, std::string, std::less<>> vars);

/// Inputs of `load`. Nothing here touches global state, so tests can build
/// any combination.
struct LoadOptions {
  /// `--config FILE`. When set, the file must exist and be valid. When unset,
  /// `default_config_file` is read if it exists and silently skipped if not.
  std::optional<std::string> config_file;
  std::string default_config_file = "lottery.conf";
  /// The environment; an empty function means "no environment variables".
  EnvLookup env;
  /// Command-line values as (name, value) pairs, applied in order (later
  /// wins). The name is a table key ("server.port") or an env name
  /// ("SERVER_PORT"); see `parse_set_flag` for "--set key=value".
  std::vector<std::pair<std::string, std::string>> flags;
};

/// What `load` produced: settings, where each value came from, and errors.
struct LoadResult {
  Settings settings;
  /// Source of every setting that is not at its default, by table key.
  std::map<std::string, Source, std::less<>> sources;
  /// The config file that was read; empty when none was.
  std::string config_file;
  /// One line per problem, each starting with "config: ", e.g.
  /// `config: BLOCKCHAIN_GAS_MULTIPLIER="abc" is not valid: expected a number between 1.0 and 5.0`.
  /// Secret values appear as [REDACTED]. `settings` must not be used when
  /// this is not empty.
  std::vector<std::string> errors;

  bool ok() const noexcept { return errors.empty(); }
  /// Source of `key` ("blockchain.rpc_urls"); kDefault when it was never set.
  Source source_of(std::string_view key) const;
};

/// Loads and validates everything; all problems are collected in `errors`
/// rather than stopping at the first. The config file is JSON (comments and
/// trailing commas allowed) with the sections of `kSections`; unknown sections
/// or keys are errors. Empty environment variables count as unset. Secrets
/// (the operator key, URL passwords) are registered with the log redactor as
/// soon as they are read. The operator key comes from whichever of
/// `operator_private_key` and `operator_private_key_file` has the later
/// source; both from the same source is an error. Throws only std::bad_alloc.
LoadResult load(const LoadOptions& options);

/// Splits "section.key=value" (the argument of `--set`) at the first '=';
/// nullopt when there is no '=' or the name is empty.
std::optional<std::pair<std::string, std::string>> parse_set_flag(std::string_view text);

}  // namespace lottery::config
