// SPDX-License-Identifier: Apache-2.0
#include "app/cmd_verify.hpp"

#include "app/txn_cli.hpp"
#include "contract/calls.hpp"
#include "contract/events.hpp"
#include "contract/views.hpp"
#include "eth/hex.hpp"
#include "logging/redact.hpp"
#include "rpc/client.hpp"
#include "store/json.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

namespace lottery::app {
namespace {

// Many providers cap eth_getLogs at a few thousand blocks; the window is
// split into chunks of this size and halved further on kRangeTooLarge.
constexpr std::uint64_t kLogChunkBlocks = 2000;

struct VerifyArgs {
  std::string rpc_url;
  std::string contract_text;
  std::uint64_t round_id = 0;
  bool json = false;
};

eth::Hash32 uint_topic(std::uint64_t value) {
  return eth::u256_to_be32(eth::U256{value});
}

// Parameters by value and a named request: g++ 12 mishandles braced
// temporaries inside co_await expressions.
infra::Task<eth::Bytes> call_view(rpc::EthApi& api, eth::Address contract, eth::Bytes data) {
  rpc::CallRequest request;
  request.to = contract;
  request.data = std::move(data);
  co_return co_await api.call(request);
}

// The first block in [lo, hi] whose timestamp is >= `time`, or hi + 1 when none is.
infra::Task<std::uint64_t> first_block_at_or_after(rpc::EthApi& api, std::uint64_t time,
                                                   std::uint64_t lo, std::uint64_t hi) {
  std::uint64_t end = hi + 1;
  while (lo < end) {
    const std::uint64_t mid = lo + (end - lo) / 2;
    const auto header = co_await api.block_header(rpc::BlockTag::at(mid));
    if (!header) throw UnverifiableRound("the node does not know block " + std::to_string(mid));
    if (header->timestamp >= time) {
      end = mid;
    } else {
      lo = mid + 1;
    }
  }
  co_return end;
}

// The round's RoundCompleted log between `from` and `to` (inclusive).
infra::Task<std::optional<store::RoundCompleted>> find_round_completed(rpc::EthApi& api,
                                                                       eth::Address contract,
                                                                       std::uint64_t round_id,
                                                                       std::uint64_t from,
                                                                       std::uint64_t to) {
  const auto topic = contract::topic_for_event("RoundCompleted");
  if (!topic) throw std::logic_error("the contract binding has no RoundCompleted event");
  std::uint64_t chunk = kLogChunkBlocks;
  for (std::uint64_t start = from; start <= to;) {
    rpc::LogFilter filter;
    filter.addresses = {contract};
    filter.topics = {{*topic}, {uint_topic(round_id)}};
    filter.from_block = start;
    filter.to_block = std::min(to, start + chunk - 1);
    std::vector<rpc::Log> logs;
    try {
      logs = co_await api.get_logs(filter);
    } catch (const rpc::RpcException& e) {
      if (e.kind() != rpc::RpcErrc::kRangeTooLarge || chunk == 1) throw;
      chunk /= 2;
      continue;
    }
    for (const rpc::Log& log : logs) {
      if (log.removed) continue;
      auto decoded = contract::decode_event(log.topics, log.data);
      if (!decoded || !*decoded) continue;
      if (const auto* done = std::get_if<store::RoundCompleted>(&(*decoded)->body)) {
        if (done->round_id == round_id) co_return *done;
      }
    }
    start = filter.to_block + 1;
  }
  co_return std::nullopt;
}

void print_text(const store::VerifyResult& r) {
  std::printf("round %llu: seed %s, pot %s ETH\n", static_cast<unsigned long long>(r.round_id),
              eth::hex_encode(eth::u256_to_be32(r.random_seed)).c_str(),
              store::format_ether(r.total_pot_wei).c_str());
  std::printf("  winner by the contract's rule: %s\n",
              r.expected_winner ? eth::to_checksum(*r.expected_winner).c_str()
                                : "(cannot be recomputed: the stakes do not add up to the pot)");
  std::printf("  winner paid on chain:          %s\n", eth::to_checksum(r.onchain_winner).c_str());
  std::printf("  %s\n", r.match ? "MATCH: the draw followed the published seed"
                                : "MISMATCH: the paid winner is not the one the seed selects");
}

}  // namespace

infra::Task<store::VerifyResult> verify_round_on_chain(rpc::EthApi& api, eth::Address contract,
                                                       std::uint64_t round_id) {
  const std::string which = "round " + std::to_string(round_id);
  const auto round_bytes =
      co_await call_view(api, contract, contract::get_round_by_id_call(round_id));
  auto round = contract::decode_round(round_bytes);
  if (!round) throw UnverifiableRound("getRoundById returned data that is not a round");
  if (round->round_id != round_id || round->start_time == 0) {
    throw UnverifiableRound(which + " does not exist on " + eth::to_checksum(contract) +
                            " (check --round and --contract)");
  }
  if (round->state == store::RoundState::kRefunded) {
    throw UnverifiableRound(which + " was refunded: no winner was drawn, nothing to verify");
  }
  if (round->state != store::RoundState::kCompleted) {
    throw UnverifiableRound(which + " is not finished yet (state " +
                            std::string(store::state_name(round->state)) +
                            "); verify it after the draw");
  }

  // drawWinner() is accepted only between minDrawTime and maxDrawTime, so its
  // log lies in the blocks of that window: found by binary search on time.
  const std::uint64_t head = co_await api.block_number();
  const std::uint64_t from = co_await first_block_at_or_after(api, round->min_draw_time, 0, head);
  const std::uint64_t after =
      co_await first_block_at_or_after(api, round->max_draw_time + 1, from, head);
  const std::uint64_t to = after == 0 ? 0 : std::min(head, after);
  auto completed = co_await find_round_completed(api, contract, round_id, from, to);
  if (!completed) {
    throw UnverifiableRound("no RoundCompleted log of " + which + " between blocks " +
                            std::to_string(from) + " and " + std::to_string(to) +
                            " (is the node pruned or behind?)");
  }

  const auto stakes_bytes =
      co_await call_view(api, contract, contract::get_round_participants_with_bets_call(round_id));
  auto players = contract::decode_participants_with_bets(stakes_bytes);
  if (!players) throw UnverifiableRound("getRoundParticipantsWithBets returned malformed data");

  store::VerifyResult out;
  out.round_id = round_id;
  out.random_seed = completed->random_seed;
  out.total_pot_wei = completed->total_pot;
  out.onchain_winner = completed->winner;
  eth::U256 sum = 0;
  for (const store::Participant& p : *players) sum += p.total_wei;
  out.bets_complete = !players->empty() && sum == completed->total_pot;
  if (out.bets_complete) {
    out.expected_winner = store::pick_winner(out.random_seed, out.total_pot_wei, *players);
  }
  out.match = out.expected_winner.has_value() && *out.expected_winner == out.onchain_winner;
  co_return out;
}

void register_verify_command(CLI::App& cli) {
  CLI::App* cmd = cli.add_subcommand(
      "verify",
      "Re-check a finished round from the chain: recompute its winner from the published seed "
      "and the round's stakes and compare it with the winner the contract paid.");
  auto args = std::make_shared<VerifyArgs>();
  cmd->add_option("--round", args->round_id, "The round id")
      ->required()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 62));
  cmd->add_option("--rpc-url", args->rpc_url, "JSON-RPC endpoint of a node (http(s) or ws(s))")
      ->envname("BLOCKCHAIN_RPC_URL")
      ->required();
  cmd->add_option("--contract", args->contract_text, "Address of the Lottery contract")
      ->envname("BLOCKCHAIN_CONTRACT_ADDRESS")
      ->required();
  cmd->add_flag("--json", args->json, "Print the result as JSON (the shape of /api/verify)");
  cmd->footer("Exit status: 0 the winner matches, 1 it does not, 2 the round cannot be checked.");

  cmd->callback([args] {
    const auto fail = [](const std::string& message, int code) {
      std::fputs(("verify: " + logging::redact(message) + "\n").c_str(), stderr);
      throw CLI::RuntimeError(code);
    };
    bool matched = false;
    try {
      const eth::Address contract = parse_address_option("--contract", args->contract_text);
      boost::asio::io_context io;
      std::unique_ptr<rpc::RpcClient> client;
      try {
        client = rpc::RpcClient::create(io.get_executor(), args->rpc_url, command_client_options());
      } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--rpc-url is not usable: ") + e.what());
      }
      rpc::EthApi api(*client);
      const store::VerifyResult result =
          run_blocking(io, *client, verify_round_on_chain(api, contract, args->round_id));
      if (args->json) {
        std::printf("%s\n", boost::json::serialize(store::verify_json(result)).c_str());
      } else {
        print_text(result);
      }
      matched = result.match;
    } catch (const UsageError& e) {
      fail(e.what(), 2);
    } catch (const UnverifiableRound& e) {
      fail(e.what(), 2);
    } catch (const rpc::RpcException& e) {
      fail(std::string("the node failed: ") + e.what(), 2);
    } catch (const CLI::RuntimeError&) {
      throw;
    } catch (const std::exception& e) {
      fail(e.what(), 2);
    }
    if (!matched) throw CLI::RuntimeError(1);
  });
}

}  // namespace lottery::app
