// SPDX-License-Identifier: Apache-2.0
#pragma once
// The routes of SPEC §5 (custody routes excluded: they are added by the app
// through `Server::add_route`). Internal to the server.

#include "server/router.hpp"
#include "server/server.hpp"
#include "server/static_files.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace lottery::server {

/// What the handlers read.
struct ApiDeps {
  const ServerOptions* options = nullptr;
  const ServerContext* context = nullptr;
  StaticFiles* files = nullptr;
  std::chrono::steady_clock::time_point started{};
  std::function<std::size_t()> websocket_clients;
  /// The serialised OpenAPI document (filled once the table is complete).
  std::shared_ptr<std::shared_ptr<const std::string>> openapi;
};

/// Limits of the list endpoints.
inline constexpr std::size_t kMaxParticipantsLimit = 1000;
inline constexpr std::size_t kMaxHistoryLimit = 200;
inline constexpr std::size_t kMaxActivitiesLimit = 200;

/// Registers every built-in route (REST, health, metrics, OpenAPI, ABI, and
/// the WebSocket endpoints, whose handler only answers non-upgrade requests).
void add_api_routes(Router& router, ApiDeps deps);

/// GET /health body for a snapshot (exposed for tests).
std::string health_body(const store::Snapshot& snap, const ApiDeps& deps,
                        const boost::json::value* endpoints);

}  // namespace lottery::server
