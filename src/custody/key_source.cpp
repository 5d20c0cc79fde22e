// SPDX-License-Identifier: Apache-2.0
#include "custody/key_source.hpp"

namespace lottery::custody {

KeyPlan plan_key_source(const config::BlockchainSettings& settings) {
  KeyPlan plan;
  if (settings.operator_private_key) {
    plan.source = KeySource::kConfigured;
    plan.description = settings.operator_private_key_file
                           ? "operator key from the configured key file; run-time injection is off"
                           : "operator key from the environment or config file; run-time injection "
                             "is off";
    return plan;
  }
  plan.source = KeySource::kInjection;
  plan.description =
      "no operator key configured: read-only until a key is injected (lottery inject-key --url …)";
  return plan;
}

}  // namespace lottery::custody
