// SPDX-License-Identifier: Apache-2.0
#pragma once

// The service-level metrics of /metrics that live in the follower, the RPC
// client, the operator and the store (the server registers its own HTTP and
// WebSocket metrics). They are read at scrape time, so nothing is double-counted.

#include "follower/follower.hpp"
#include "infra/metrics.hpp"
#include "operation/operator.hpp"
#include "rpc/client.hpp"
#include "store/store.hpp"

namespace lottery::app {

/// Registers the chain, RPC, operator and round gauges on `registry`. Every
/// object must outlive the registry's last render (the service owns them all).
void register_service_metrics(infra::Registry& registry, const follower::Follower& follower,
                              const rpc::RpcClient& client, const operation::Operator& op,
                              const store::Store& store);

}  // namespace lottery::app
