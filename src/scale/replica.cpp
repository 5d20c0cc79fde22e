// SPDX-License-Identifier: Apache-2.0
#include "scale/replica.hpp"

#include <unistd.h>

#include <array>
#include <boost/json/object.hpp>
#include <cstdio>
#include <random>

namespace lottery::scale {
namespace {

RedisEndpoint endpoint_of(const ReplicaOptions& options) {
  return parse_redis_url(options.redis_url);
}

ReplicaOptions with_id(ReplicaOptions options) {
  if (options.replica_id.empty()) options.replica_id = default_replica_id();
  for (char& c : options.replica_id) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') c = '_';
  }
  return options;
}

LeaseOptions lease_options(const ReplicaOptions& options) {
  LeaseOptions out;
  out.lease = std::chrono::duration_cast<std::chrono::milliseconds>(options.lease);
  out.replica_id = options.replica_id;
  out.keys = Keys::from_prefix(options.key_prefix);
  return out;
}

}  // namespace

std::string default_replica_id() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0 || host[0] == '\0') {
    std::snprintf(host.data(), host.size(), "replica");
  }
  std::random_device rd;
  std::array<char, 9> tag{};
  std::snprintf(tag.data(), tag.size(), "%08x", rd());
  return std::string(host.data()) + '-' + std::to_string(getpid()) + '-' + tag.data();
}

Replica::Replica(const infra::Executor& executor, store::Store& store, ReplicaOptions options)
    : options_(with_id(std::move(options))),
      client_(executor, endpoint_of(options_), std::chrono::milliseconds(2000)),
      lease_(client_, lease_options(options_)) {
  FanoutOptions fo;
  fo.keys = Keys::from_prefix(options_.key_prefix);
  fo.endpoint = client_.endpoint();
  fo.command_timeout = lease_.command_timeout() * 2;
  // The subscription notices a dead link within three beats, well inside one lease.
  fo.heartbeat =
      std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(options_.lease) / 6,
                 std::chrono::milliseconds(250), std::chrono::milliseconds(2000));
  fanout_ = std::make_shared<Fanout>(executor, client_, lease_, store, std::move(fo));
  std::weak_ptr<Fanout> weak = fanout_;
  lease_.on_acquired([weak](std::uint64_t) {
    if (auto f = weak.lock()) f->request_reset();
  });
}

Replica::~Replica() {
  fanout_->stop();
}

std::optional<std::uint64_t> Replica::send_token() const {
  return lease_.token();
}

infra::Task<bool> Replica::confirm_send(std::uint64_t token) {
  co_return co_await lease_.confirm(token);
}

std::shared_ptr<server::WsFeed> Replica::feed() const {
  return fanout_;
}

void Replica::start() {
  fanout_->start();
}

infra::Task<void> Replica::run_lease() {
  co_await lease_.run();
}

infra::Task<void> Replica::run_publisher() {
  co_await fanout_->run_publisher();
}

infra::Task<void> Replica::run_relay() {
  co_await fanout_->run_relay();
}

infra::Task<void> Replica::shutdown() {
  co_await lease_.release();
}

boost::json::value Replica::status_json() const {
  const LeaseStatus lease = lease_.status();
  const FanoutStats fan = fanout_->stats();
  boost::json::object o;
  o["role"] = lease.leader ? "leader" : "follower";
  o["replica_id"] = options_.replica_id;
  o["redis"] = lease.redis_up ? "up" : "down";
  o["leader_id"] =
      lease.leader_id.empty() ? boost::json::value(nullptr) : boost::json::value(lease.leader_id);
  o["fencing_token"] = lease.token ? boost::json::value(*lease.token) : boost::json::value(nullptr);
  o["leader_token"] = lease.leader_token;
  o["lease_seconds"] = options_.lease.count();
  o["feed"] = fan.relaying ? "relay" : "local";
  o["feed_seq"] = fan.last_seq;
  return o;
}

void Replica::register_metrics(infra::Registry& registry) const {
  const LeaderLease* lease = &lease_;
  const Fanout* fan = fanout_.get();
  auto d = [](std::uint64_t v) { return static_cast<double>(v); };
  registry.gauge_callback("lottery_replica_leader", "1 while this replica holds the leader lease.",
                          [lease] { return lease->status().leader ? 1.0 : 0.0; });
  registry.gauge_callback("lottery_redis_up", "1 when the last lease command reached Redis.",
                          [lease] { return lease->status().redis_up ? 1.0 : 0.0; });
  registry.gauge_callback("lottery_replica_fencing_token",
                          "The fencing token of the lease this replica holds (0: none).",
                          [lease, d] { return d(lease->status().token.value_or(0)); });
  registry.gauge_callback("lottery_replica_lease_acquisitions",
                          "Times this replica became leader (cumulative).",
                          [lease, d] { return d(lease->status().acquisitions); });
  registry.gauge_callback("lottery_replica_lease_losses",
                          "Times this replica lost the lease to expiry or another replica.",
                          [lease, d] { return d(lease->status().losses); });
  registry.gauge_callback("lottery_replica_fence_refusals",
                          "Operator sends refused by the pre-send lease check (cumulative).",
                          [lease, d] { return d(lease->status().fence_refusals); });
  registry.gauge_callback("lottery_fanout_relaying",
                          "1 while WebSocket clients get the leader's stream from Redis.",
                          [fan] { return fan->stats().relaying ? 1.0 : 0.0; });
  registry.gauge_callback("lottery_fanout_frames_published",
                          "Fan-out frames published by this replica as leader (cumulative).",
                          [fan, d] { return d(fan->stats().published); });
  registry.gauge_callback("lottery_fanout_frames_relayed",
                          "Fan-out frames relayed to this replica's clients (cumulative).",
                          [fan, d] { return d(fan->stats().relayed); });
  registry.gauge_callback("lottery_fanout_resyncs",
                          "Snapshots sent instead of deltas (gaps, new leader, mode switches).",
                          [fan, d] { return d(fan->stats().resyncs); });
}

}  // namespace lottery::scale
