// SPDX-License-Identifier: Apache-2.0
#include "app/service_metrics.hpp"

#include <string>

namespace lottery::app {

void register_service_metrics(infra::Registry& registry, const follower::Follower& follower,
                              const rpc::RpcClient& client, const operation::Operator& op,
                              const store::Store& store) {
  auto as_double = [](std::uint64_t value) { return static_cast<double>(value); };

  // Chain and follower.
  registry.gauge_callback("lottery_chain_head_block", "Newest block number the node reported.",
                          [&follower, as_double] { return as_double(follower.stats().head); });
  registry.gauge_callback(
      "lottery_chain_head_lag_blocks",
      "Blocks between the node's head and the last block the follower processed.",
      [&follower, as_double] {
        const follower::FollowerStats stats = follower.stats();
        const std::uint64_t processed = stats.next_block == 0 ? 0 : stats.next_block - 1;
        return stats.head > processed ? as_double(stats.head - processed) : 0.0;
      });
  registry.gauge_callback(
      "lottery_chain_head_age_seconds",
      "Wall-clock age of the latest processed head when it was seen.",
      [&store, as_double] { return as_double(store.snapshot()->chain.head_age_s); });
  registry.gauge_callback("lottery_chain_reachable", "1 when the node answered the last iteration.",
                          [&store] { return store.snapshot()->chain.reachable ? 1.0 : 0.0; });
  registry.gauge_callback("lottery_follower_reorgs",
                          "Reorgs detected and rolled back (cumulative).",
                          [&follower, as_double] { return as_double(follower.stats().reorgs); });
  registry.gauge_callback(
      "lottery_follower_events_applied", "Contract events applied to the store (cumulative).",
      [&follower, as_double] { return as_double(follower.stats().events_applied); });
  registry.gauge_callback("lottery_follower_failures",
                          "Follower iterations that failed and were retried (cumulative).",
                          [&follower, as_double] { return as_double(follower.stats().failures); });

  // RPC endpoints, summed over all configured URLs.
  registry.gauge_callback("lottery_rpc_requests", "JSON-RPC requests sent (cumulative).",
                          [&client, as_double] {
                            std::uint64_t total = 0;
                            for (const auto& s : client.stats()) total += s.requests;
                            return as_double(total);
                          });
  registry.gauge_callback("lottery_rpc_errors", "Failed JSON-RPC requests (cumulative).",
                          [&client, as_double] {
                            std::uint64_t total = 0;
                            for (const auto& s : client.stats()) total += s.errors;
                            return as_double(total);
                          });
  registry.gauge_callback(
      "lottery_rpc_latency_ms",
      "Moving average latency of the endpoint currently preferred, in milliseconds.", [&client] {
        const auto stats = client.stats();
        const std::size_t index = client.preferred_endpoint();
        return index < stats.size() ? stats[index].latency_ms : 0.0;
      });
  registry.gauge_callback("lottery_rpc_endpoints_available",
                          "Configured RPC endpoints that are not resting after failures.",
                          [&client] {
                            double available = 0;
                            for (const auto& s : client.stats()) available += s.available ? 1 : 0;
                            return available;
                          });

  // Operator transactions by outcome (cumulative).
  struct OperatorCounter {
    const char* name;
    const char* help;
    std::uint64_t operation::OperatorStats::*field;
  };
  static constexpr OperatorCounter kOperatorCounters[] = {
      {"lottery_operator_txs_sent", "Operator transactions accepted by the node.",
       &operation::OperatorStats::sent},
      {"lottery_operator_txs_mined", "Operator actions that landed with status 1.",
       &operation::OperatorStats::mined},
      {"lottery_operator_txs_reverted", "Operator actions that landed with status 0.",
       &operation::OperatorStats::reverted},
      {"lottery_operator_txs_replaced", "Same-nonce replacements of stuck transactions.",
       &operation::OperatorStats::replacements},
      {"lottery_operator_txs_reorged", "Mined operator transactions removed by a reorg.",
       &operation::OperatorStats::reorged},
      {"lottery_operator_simulation_reverts", "Actions not sent because the simulation reverted.",
       &operation::OperatorStats::simulation_reverts},
      {"lottery_operator_fee_refusals", "Sends refused because fees were above the cap.",
       &operation::OperatorStats::fee_refusals},
      {"lottery_operator_send_errors", "eth_sendRawTransaction failures.",
       &operation::OperatorStats::send_errors},
  };
  for (const OperatorCounter& counter : kOperatorCounters) {
    registry.gauge_callback(counter.name, counter.help, [&op, field = counter.field, as_double] {
      return as_double(op.stats().*field);
    });
  }
  registry.gauge_callback("lottery_operator_low_balance",
                          "1 when the operator's balance is below the cost of a few draws.",
                          [&op] { return op.status().low_balance ? 1.0 : 0.0; });

  // Rounds, over the finished-round history the store keeps.
  registry.gauge_callback(
      "lottery_rounds_drawn", "Finished rounds that were drawn (in history).",
      [&store, as_double] { return as_double(store.snapshot()->summary.completed_rounds); });
  registry.gauge_callback(
      "lottery_rounds_refunded", "Finished rounds that were refunded (in history).",
      [&store, as_double] { return as_double(store.snapshot()->summary.refunded_rounds); });
  // Batched refunds (RefundsPending) the operator still has to continue; stays above 0 when it
  // cannot (no key, stopped, standby, out of funds).
  registry.gauge_callback(
      "lottery_refunds_pending",
      "Refunded rounds whose stakes are not all returned yet (continueRefund due).",
      [&store, as_double] { return as_double(store.snapshot()->pending_refunds().size()); });
}

}  // namespace lottery::app
