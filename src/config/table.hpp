// SPDX-License-Identifier: Apache-2.0
#pragma once
// The one table of settings. Every setting has exactly one row here: its name
// in the config file ("section.key", also used by `--set`), its environment
// variable, how its value is parsed and validated, how it is shown, and
// whether it is secret. Loading, validation, `lottery config` and the docs are
// all driven by this table.

#include "config/settings.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace lottery::config {

/// Where a setting's effective value came from; later sources win.
enum class Source : std::uint8_t { kDefault, kFile, kEnv, kFlag };

/// "default", "file", "env" or "flag".
std::string_view to_string(Source source) noexcept;

/// The file sections, in the order they are documented and rendered.
inline constexpr std::string_view kSections[] = {
    "server", "blockchain", "event_manager", "operator", "enclave", "redis", "log"};

/// One row of the settings table.
struct SettingDescriptor {
  std::string_view key;       ///< "blockchain.gas_multiplier": file section.key and --set name
  std::string_view env;       ///< "BLOCKCHAIN_GAS_MULTIPLIER"
  std::string_view type;      ///< "string", "integer", "number", "boolean", "list", "address",
                              ///< "private key", "url", "enum", "path"
  std::string_view expected;  ///< what a valid value is; ends the error line "...: expected <this>"
  std::string_view description;  ///< one sentence for docs and `--help`
  bool secret = false;           ///< value never shown; registered with the log redactor
  bool optional = false;         ///< may be unset (no default)

  /// Parses and validates `text` (the syntax of the environment variable;
  /// lists are comma-separated) and stores it. Returns false, leaving
  /// `settings` unchanged, when the text is not valid.
  std::function<bool(Settings& settings, std::string_view text)> assign;
  /// The current value as text in the syntax `assign` accepts; nullopt when
  /// unset. Secret values come back as "[REDACTED]", and URL passwords are
  /// masked, so nothing from here can leak a secret.
  std::function<std::optional<std::string>(const Settings& settings)> show;
  /// The current value as JSON (null when unset); redacted like `show`.
  std::function<boost::json::value(const Settings& settings)> to_json;

  /// `show(Settings{})`: the built-in default as text, or "" when there is none.
  std::string default_text() const;
  /// The section part of `key` ("blockchain").
  std::string_view section() const noexcept { return key.substr(0, key.find('.')); }
  /// The key part of `key` ("gas_multiplier").
  std::string_view name() const noexcept { return key.substr(key.find('.') + 1); }
};

/// Every setting, grouped by section in `kSections` order. The table is built
/// once and lives for the whole process.
std::span<const SettingDescriptor> settings_table();

/// The row whose `key` ("server.port") or `env` ("SERVER_PORT") is `name`;
/// nullptr when there is none.
const SettingDescriptor* find_setting(std::string_view name) noexcept;

/// The known key (or section when `name` has no dot) closest to `name` within
/// a small edit distance, for "did you mean" hints; "" when nothing is close.
std::string suggest_key(std::string_view name);

/// Validates an operator private key: "0x" (optional) + 64 hex digits, nonzero
/// and below the secp256k1 group order. Returns the canonical form ("0x" +
/// lower-case hex) or nullopt.
std::optional<std::string> normalize_private_key(std::string_view text);

}  // namespace lottery::config
