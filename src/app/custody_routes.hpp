// SPDX-License-Identifier: Apache-2.0
#pragma once
// Wires the custody library (src/custody) into the service: the key injector
// and attestor built from the settings, and the four HTTP routes of SPEC §7.
//
//   auto custody = app::make_custody(settings, op, store);   // after the configured key
//   if (!custody) return 2;                                   // ENCLAVE_ATTESTATION_ENABLED
//   without /dev/nsm app::register_custody_routes(http_server, *custody);      // before
//   http_server.start()

#include "config/settings.hpp"
#include "custody/attestation.hpp"
#include "custody/injector.hpp"
#include "operation/operator.hpp"
#include "server/server.hpp"
#include "store/store.hpp"

#include <memory>
#include <optional>

namespace lottery::app {

struct Custody {
  std::unique_ptr<custody::KeyInjector> injector;
  std::unique_ptr<custody::Attestor> attestor;
};

/// Builds the injector (fresh secp384r1 pair; closed when a key was configured;
/// the injected key goes to `op.set_signer`; the address must be
/// BLOCKCHAIN_OPERATOR_ADDRESS or else the contract's `operator()` from the
/// store) and the attestor (NSM when ENCLAVE_ATTESTATION_ENABLED, else dev).
/// nullopt, after logging one line saying what to do, when attestation is
/// enabled but /dev/nsm is missing. `op` and `store` must outlive the result.
std::optional<Custody> make_custody(const config::Settings& settings, operation::Operator& op,
                                    const store::Store& store);

/// Adds GET /api/get_pub_key, POST /api/set_operator_key (rate-limited),
/// GET /api/attestation?nonce= and POST /.well-known/attestation to `server`.
/// Call before `server.start()`; `custody` must outlive the server.
void register_custody_routes(server::Server& server, Custody& custody);

}  // namespace lottery::app
