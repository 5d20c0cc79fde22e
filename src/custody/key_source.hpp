// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where the operator key comes from (SPEC §7), first found wins:
//   1. BLOCKCHAIN_OPERATOR_PRIVATE_KEY           (environment)
//   2. BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE      (environment, a path)
//   3. the config file (blockchain.operator_private_key / _file)
//   4. injection at run time (POST /api/set_operator_key), only when none of the above
// config::load resolves 1-3 into `operator_private_key`; this helper decides
// between that and injection, and says so without ever showing the key.

#include "config/settings.hpp"

#include <string>

namespace lottery::custody {

enum class KeySource : std::uint8_t {
  kConfigured,  ///< environment, key file or config file: injection is closed (403)
  kInjection,   ///< nothing configured: wait for an injected key
};

struct KeyPlan {
  KeySource source = KeySource::kInjection;
  /// For the start-up log line; never contains the key.
  std::string description;
  /// Whether POST /api/set_operator_key accepts a key.
  bool injection_open() const noexcept { return source == KeySource::kInjection; }
};

/// The plan for these settings.
KeyPlan plan_key_source(const config::BlockchainSettings& settings);

}  // namespace lottery::custody
