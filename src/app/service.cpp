// SPDX-License-Identifier: Apache-2.0
#include "app/service.hpp"

#include "app/custody_routes.hpp"
#include "app/service_metrics.hpp"
#include "app/version.hpp"
#include "eth/secp256k1.hpp"
#include "follower/follower.hpp"
#include "follower/rpc_chain_source.hpp"
#include "infra/runtime.hpp"
#include "infra/task_group.hpp"
#include "logging/log.hpp"
#include "operation/node.hpp"
#include "operation/operator.hpp"
#include "rpc/client.hpp"
#include "scale/replica.hpp"
#include "server/server.hpp"
#include "server/ws.hpp"
#include "store/store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <string>

namespace lottery::app {
namespace {

using namespace std::chrono_literals;

// How long a graceful stop may take before the process stops anyway.
constexpr auto kShutdownDeadline = 10s;
// How often resting or lagging RPC endpoints are probed again.
constexpr auto kEndpointProbeInterval = 10s;

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

follower::FollowerOptions follower_options(const config::Settings& s) {
  follower::FollowerOptions o;
  o.contract_address = *s.blockchain.contract_address;
  o.expected_chain_id = s.blockchain.chain_id;
  o.poll_interval = std::chrono::milliseconds(
      static_cast<std::int64_t>(std::llround(s.event_manager.poll_interval_seconds * 1000.0)));
  o.confirmations = s.event_manager.confirmations;
  o.start_block = s.event_manager.start_block;
  o.backfill_blocks = s.event_manager.backfill_blocks;
  o.config_refresh_blocks = s.event_manager.config_refresh_blocks;
  o.initial_chunk_blocks = s.event_manager.log_chunk_blocks;
  o.ring_size = s.event_manager.reorg_depth;
  return o;
}

operation::OperatorOptions operator_options(const config::Settings& s) {
  operation::OperatorOptions o;
  o.contract_address = *s.blockchain.contract_address;
  o.chain_id = s.blockchain.chain_id;
  o.gas_multiplier = s.blockchain.gas_multiplier;
  o.fees.max_fee_cap_wei =
      eth::U256{static_cast<std::uint64_t>(std::llround(s.blockchain.max_fee_gwei * 1e9))};
  o.replace_after_blocks = s.operation.replace_after_blocks;
  o.low_balance_draws = s.operation.low_balance_draws;
  o.enabled = s.operation.enabled;
  return o;
}

// Installs the operator key from the configuration, if there is one. Returns
// false (after logging why) when the key cannot be used.
bool install_configured_key(const config::Settings& s, operation::Operator& op) {
  if (!s.blockchain.operator_private_key) {
    logging::log_warn("serve",
                      "no operator key configured: running read-only (set "
                      "BLOCKCHAIN_OPERATOR_PRIVATE_KEY or BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE, "
                      "or inject the key at run time)");
    return true;
  }
  auto key = eth::PrivateKey::from_hex(*s.blockchain.operator_private_key);
  if (!key) {
    logging::log_error("serve",
                       "the operator key is not a valid secp256k1 private key: set "
                       "BLOCKCHAIN_OPERATOR_PRIVATE_KEY to 0x followed by 64 hex digits");
    return false;
  }
  const eth::Address address = key->address();
  if (s.blockchain.operator_address && *s.blockchain.operator_address != address) {
    logging::log_error("serve",
                       "the operator key does not belong to BLOCKCHAIN_OPERATOR_ADDRESS: use the "
                       "key of that address or correct the address",
                       {{"key_address", eth::to_checksum(address)},
                        {"configured_address", eth::to_checksum(*s.blockchain.operator_address)}});
    return false;
  }
  op.set_signer(std::move(*key));
  logging::log_info("serve", "operator key loaded", {{"address", eth::to_checksum(address)}});
  return true;
}

// Per-endpoint RPC health for /api/health (labels are redacted URLs).
boost::json::value endpoint_stats_json(const rpc::RpcClient& client) {
  boost::json::array out;
  for (const rpc::EndpointStats& stats : client.stats()) {
    boost::json::object o;
    o["url"] = stats.label;
    o["requests"] = stats.requests;
    o["errors"] = stats.errors;
    o["latency_ms"] = stats.latency_ms;
    o["head"] = stats.head ? boost::json::value(*stats.head) : boost::json::value(nullptr);
    o["available"] = stats.available;
    o["lagging"] = stats.lagging;
    if (!stats.last_error.empty()) o["last_error"] = stats.last_error;
    out.push_back(std::move(o));
  }
  return out;
}

// Runs the follower until cancelled. A free coroutine rather than a lambda:
// the coroutine frame keeps its parameters, whereas an immediately invoked
// lambda temporary (and everything it captured) is gone before the frame runs.
infra::Task<void> run_follower(follower::Follower& follower, std::atomic<int>& exit_code,
                               infra::Runtime& runtime) {
  try {
    co_await follower.run();
  } catch (const follower::FatalError& e) {
    logging::log_error("follower", e.what());
    exit_code = 1;
    runtime.request_stop();
  } catch (...) {
    // Cancellation at shutdown may surface as a composite exception from the
    // follower's parallel waits; only an unexpected failure is worth reporting.
    if (!runtime.stop_requested()) throw;
  }
}

}  // namespace

int run_service(const config::Settings& settings) {
  if (!settings.blockchain.contract_address) {
    logging::log_error("serve",
                       "BLOCKCHAIN_CONTRACT_ADDRESS is not set: set it to the address of the "
                       "deployed Lottery contract");
    return 2;
  }

  infra::Runtime runtime;
  // Loops report how they ended; "cancelled" during a requested stop is the normal case.
  const infra::LogSink runtime_log = [&runtime](std::string_view line) {
    if (runtime.stop_requested() && line.ends_with("cancelled")) {
      logging::log_debug("runtime", line);
    } else {
      logging::log_warn("runtime", line);
    }
  };

  rpc::ClientOptions rpc_options;
  rpc_options.request_timeout = std::chrono::seconds(settings.blockchain.rpc_timeout_seconds);
  rpc_options.log = [](std::string_view line) { logging::log_warn("rpc", line); };
  std::unique_ptr<rpc::RpcClient> client;
  try {
    client = rpc::RpcClient::create(runtime.executor(), join(settings.blockchain.rpc_urls, ","),
                                    rpc_options);
  } catch (const std::exception& e) {
    logging::log_error("serve", std::string("BLOCKCHAIN_RPC_URL is not usable: ") + e.what());
    return 2;
  }

  store::StoreOptions store_options;
  store_options.history_capacity = settings.event_manager.history_capacity;
  store_options.feed_capacity = settings.event_manager.feed_capacity;
  store_options.contract_address = *settings.blockchain.contract_address;
  store::Store store(store_options);

  auto source =
      std::make_shared<follower::RpcChainSource>(*client, *settings.blockchain.contract_address);
  follower::Follower follower(source, store, follower_options(settings));

  operation::Operator op(std::make_shared<operation::RpcNode>(*client), store,
                         operator_options(settings));
  if (!install_configured_key(settings, op)) return 2;
  // Run-time key injection and attestation (SPEC §7); refuses to start when
  // ENCLAVE_ATTESTATION_ENABLED is set but /dev/nsm is missing.
  std::optional<Custody> custody = make_custody(settings, op, store);
  if (!custody) return 2;

  // The follower is the only writer of the store; the operator acts on each
  // committed head from its own coroutine (submit_head never blocks).
  follower.on_head([&op](const follower::ChainView& view) {
    operation::HeadView head;
    head.block_number = view.head;
    head.block_hash = view.head_hash;
    head.timestamp = view.chain_time;
    head.round = view.round;
    head.pending_refunds = view.pending_refunds;
    op.submit_head(std::move(head));
  });

  // Replicas (SPEC §10): with REDIS_URL only the lease holder sends, and WebSocket clients of
  // every replica get the leader's stream. Without it nothing changes.
  std::unique_ptr<scale::Replica> replica;
  if (settings.redis.url) {
    scale::ReplicaOptions replica_options;
    replica_options.redis_url = *settings.redis.url;
    replica_options.key_prefix = settings.redis.key_prefix;
    replica_options.lease = std::chrono::seconds(settings.redis.lease_seconds);
    try {
      replica = std::make_unique<scale::Replica>(runtime.executor(), store, replica_options);
    } catch (const std::invalid_argument& e) {
      logging::log_error("serve", e.what());
      return 2;
    }
    scale::Replica* r = replica.get();
    op.set_send_gate([r] { return r->send_token(); });
    op.set_send_fence([r](std::uint64_t token) { return r->confirm_send(token); });
  }

  server::ServerOptions server_options = server::options_from(settings.server);
  server_options.version = kVersion;
  server::ServerContext server_context;
  server_context.store = &store;
  server_context.ready = [&follower] { return follower.ready(); };
  server_context.rpc_endpoints = [&client] { return endpoint_stats_json(*client); };
  server_context.relay = [&client](std::string raw_hex) -> infra::Task<std::string> {
    boost::json::array params{boost::json::value(raw_hex)};
    const boost::json::value hash = co_await client->call("eth_sendRawTransaction", params);
    if (!hash.is_string()) throw std::runtime_error("the node did not return a transaction hash");
    co_return std::string(hash.as_string());
  };
  if (replica) {
    scale::Replica* r = replica.get();
    server_context.ws_feed = r->feed();
    server_context.replica = [r] { return r->status_json(); };
    r->register_metrics(infra::metrics());
    r->start();
  }
  server::Server http(runtime.executor(), server_options, server_context);
  register_custody_routes(http, *custody);
  register_service_metrics(infra::metrics(), follower, *client, op, store);
  try {
    http.start();
  } catch (const std::exception& e) {
    logging::log_error("serve",
                       std::string("cannot listen for HTTP: ") + e.what() +
                           ": choose a free SERVER_PORT or stop the process that uses it",
                       {{"host", settings.server.host},
                        {"port", static_cast<std::int64_t>(settings.server.port)}});
    return 1;
  }

  std::atomic<int> exit_code{0};
  infra::TaskGroup tasks(runtime.executor(), runtime_log);
  tasks.spawn("follower", run_follower(follower, exit_code, runtime));
  tasks.spawn("operator", op.run());
  tasks.spawn("rpc-probes", client->run_probes(kEndpointProbeInterval));
  if (replica) {
    tasks.spawn("lease", replica->run_lease());
    tasks.spawn("fanout-publisher", replica->run_publisher());
    tasks.spawn("fanout-relay", replica->run_relay());
  }

  boost::asio::steady_timer deadline(runtime.executor());
  runtime.on_stop([&](int signal_number) {
    logging::log_info("serve", "stopping", {{"signal", static_cast<std::int64_t>(signal_number)}});
    tasks.cancel_all();
    // The leader gives its lease up so a follower takes over at once instead of after expiry.
    if (replica)
      boost::asio::co_spawn(runtime.executor(), replica->shutdown(), boost::asio::detached);
    boost::asio::co_spawn(runtime.executor(), http.stop(), boost::asio::detached);
    client->close();
    deadline.expires_after(kShutdownDeadline);
    deadline.async_wait([&runtime](boost::system::error_code ec) {
      if (!ec) {
        logging::log_warn("serve", "shutdown deadline reached; stopping now");
        runtime.force_stop();
      }
    });
    // Once every loop has finished the deadline is moot; cancelling it lets run() return.
    boost::asio::co_spawn(
        runtime.executor(),
        [&]() -> infra::Task<void> {
          co_await tasks.join();
          deadline.cancel();
        },
        boost::asio::detached);
  });

  logging::log_info("serve", "started",
                    {{"contract", eth::to_checksum(*settings.blockchain.contract_address)},
                     {"rpc_endpoints", static_cast<std::int64_t>(client->endpoint_count())},
                     {"threads", static_cast<std::int64_t>(runtime.thread_count())},
                     {"http_port", static_cast<std::int64_t>(http.port())}});
  runtime.run();
  logging::log_info("serve", "stopped");
  return exit_code.load();
}

}  // namespace lottery::app
