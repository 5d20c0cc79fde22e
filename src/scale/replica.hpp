// SPDX-License-Identifier: Apache-2.0
#pragma once

// One replica of a multi-replica deployment (SPEC §10), built by the app when REDIS_URL is set:
// the leader lease (lease.hpp) gates the operator's sends, the fan-out (fanout.hpp) feeds the
// WebSocket clients, and /api/health + /metrics show the replica's role.
//
//   scale::Replica replica(executor, store, options);        // throws std::invalid_argument
//   op.set_send_gate([&] { return replica.send_token(); });
//   op.set_send_fence([&](std::uint64_t t) { return replica.confirm_send(t); });
//   context.ws_feed = replica.feed();  context.replica = [&] { return replica.status_json(); };
//   replica.start();  tasks.spawn("lease", replica.run_lease()); … run_publisher(), run_relay()
//   on stop: co_await replica.shutdown();

#include "infra/metrics.hpp"
#include "infra/task.hpp"
#include "scale/fanout.hpp"
#include "scale/lease.hpp"
#include "scale/redis_connection.hpp"
#include "store/store.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace lottery::scale {

struct ReplicaOptions {
  std::string redis_url;               ///< REDIS_URL
  std::string key_prefix = "lottery";  ///< REDIS_KEY_PREFIX
  std::chrono::seconds lease{10};      ///< REDIS_LEASE_SECONDS
  std::string replica_id;              ///< empty: `default_replica_id()`
};

/// "<hostname>-<pid>-<4 random hex bytes>": unique per process, stable for its life, readable in
/// logs (a pod name is the hostname in Kubernetes).
std::string default_replica_id();

class Replica {
 public:
  /// Throws std::invalid_argument (one sentence) for a bad REDIS_URL. Connects lazily.
  Replica(const infra::Executor& executor, store::Store& store, ReplicaOptions options);
  ~Replica();
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  /// The operator's send gate: the fencing token while this replica is leader. Any thread.
  std::optional<std::uint64_t> send_token() const;
  /// The operator's pre-send fence (a Redis round trip). Never throws.
  infra::Task<bool> confirm_send(std::uint64_t token);

  /// The WebSocket feed for `server::ServerContext::ws_feed`.
  std::shared_ptr<server::WsFeed> feed() const;
  /// `components.replica` of /api/health.
  boost::json::value status_json() const;
  /// lottery_replica_* and lottery_redis_* gauges.
  void register_metrics(infra::Registry& registry) const;

  /// Subscribes the fan-out to the store; call before the server starts.
  void start();
  infra::Task<void> run_lease();
  infra::Task<void> run_publisher();
  infra::Task<void> run_relay();
  /// Releases the lease (a follower takes over at once) and stops the fan-out. Never throws.
  infra::Task<void> shutdown();

  const std::string& id() const noexcept { return options_.replica_id; }
  LeaseStatus lease_status() const { return lease_.status(); }
  FanoutStats fanout_stats() const { return fanout_->stats(); }

 private:
  ReplicaOptions options_;
  RedisClient client_;
  LeaderLease lease_;
  std::shared_ptr<Fanout> fanout_;
};

}  // namespace lottery::scale
