// SPDX-License-Identifier: Apache-2.0
#include "app/demo_players.hpp"

#include "contract/calls.hpp"
#include "contract/views.hpp"
#include "logging/log.hpp"
#include "operation/node.hpp"
#include "operation/txn_sender.hpp"
#include "rpc/eth_api.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <limits>
#include <string>

namespace lottery::app {
namespace {

constexpr std::string_view kComponent = "demo";

// Bets this close to the end of betting would likely arrive too late (the
// block that includes them may already be past endTime).
constexpr std::uint64_t kBetMarginSeconds = 2;

bool cancelled(const boost::asio::cancellation_state& state) {
  return state.cancelled() != boost::asio::cancellation_type::none;
}

}  // namespace

eth::U256 pick_bet_amount(const eth::U256& min_bet, std::uint32_t max_extra_percent,
                          std::mt19937_64& rng) {
  std::uniform_int_distribution<std::uint32_t> extra(0, max_extra_percent);
  return min_bet + min_bet * extra(rng) / 100U;
}

DemoPlayers::DemoPlayers(rpc::RpcClient& client, std::vector<eth::PrivateKey> keys,
                         DemoPlayersOptions options)
    : client_(client), keys_(std::move(keys)), options_(options) {
  if (options_.seed == 0) {
    std::random_device device;
    options_.seed = (std::uint64_t{device()} << 32U) | device();
  }
}

void DemoPlayers::start(infra::TaskGroup& group) {
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    group.spawn("demo player " + std::to_string(i + 1), play(i, options_.seed + i));
  }
}

infra::Task<void> DemoPlayers::play(std::size_t index, std::uint64_t seed) {
  operation::RpcNode node(client_);
  rpc::EthApi api(client_);
  operation::SendOptions send_options;
  send_options.expected_chain_id = std::nullopt;
  send_options.confirmations = 1;
  send_options.poll_interval = std::chrono::milliseconds(250);
  send_options.timeout = std::chrono::seconds(60);
  operation::TxnSender sender(node, std::move(keys_[index]), send_options);
  const std::string player = eth::to_checksum(sender.address());
  const std::string label = "simulated player " + std::to_string(index + 1) + " bet";

  std::mt19937_64 rng(seed);
  std::bernoulli_distribution joins_round(options_.join_probability);
  const auto tick_ms = static_cast<std::int64_t>(options_.tick.count());
  std::uniform_int_distribution<std::int64_t> wait_ms(tick_ms / 2, tick_ms + tick_ms / 2);

  constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t decided_round = kNone;  // the round `joins` was decided for
  bool joins = false;
  std::uint64_t bet_round = kNone;     // the round this player has bet in
  std::uint64_t config_round = kNone;  // the round the minimum bet was read in
  eth::U256 min_bet;

  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (;;) {
    timer.expires_after(std::chrono::milliseconds(wait_ms(rng)));
    co_await timer.async_wait(boost::asio::use_awaitable);
    if (cancelled(co_await boost::asio::this_coro::cancellation_state)) co_return;
    try {
      rpc::CallRequest read;
      read.to = options_.contract;
      read.data = contract::get_round_call();
      const auto round = contract::decode_round(co_await api.call(read));
      const auto head = co_await api.block_header(rpc::BlockTag::latest());
      if (!round || !head) continue;
      if (round->round_id != config_round) {
        read.data = contract::get_config_call();
        const auto config = contract::decode_config(co_await api.call(read));
        if (!config) continue;
        min_bet = config->min_bet;
        config_round = round->round_id;
      }
      if (round->round_id != decided_round) {
        decided_round = round->round_id;
        joins = index == 0 || joins_round(rng);
      }
      if (!joins || bet_round == round->round_id) continue;
      const bool open = round->state == store::RoundState::kWaiting ||
                        (round->state == store::RoundState::kBetting &&
                         head->timestamp + kBetMarginSeconds <= round->end_time);
      if (!open) continue;

      operation::TxnRequest bet;
      bet.to = options_.contract;
      bet.data = contract::place_bet_call();
      bet.value = pick_bet_amount(min_bet, options_.max_extra_percent, rng);
      bet.label = label;
      co_await sender.send(bet);
      bet_round = round->round_id;
      ++bets_placed_;
      logging::log_info(kComponent, "simulated player placed a bet",
                        {{"player", player},
                         {"round", round->round_id},
                         {"amount_wei", eth::u256_to_dec(bet.value)}});
    } catch (const operation::SendError& e) {
      // A revert usually means betting closed between the read and the send.
      if (e.kind() == operation::SendErrc::kReverted) {
        logging::log_debug(kComponent, e.what(), {{"player", player}});
      } else {
        logging::log_warn(kComponent, e.what(), {{"player", player}});
      }
    } catch (const rpc::RpcException& e) {
      logging::log_warn(kComponent, "simulated player could not read the round",
                        {{"player", player}, {"error", e.error().describe()}});
    }
  }
}

}  // namespace lottery::app
