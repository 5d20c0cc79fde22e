// SPDX-License-Identifier: Apache-2.0
#pragma once
// `lottery verify --round N`: re-checks a finished round straight from the
// chain, without the service: the winner the contract's rule gives for the
// published seed and the round's stakes must be the winner it paid.
// Exit 0 when they match, 1 when they do not, 2 when the round cannot be
// checked (usage, unknown or unfinished round, node errors).

#include "eth/address.hpp"
#include "infra/task.hpp"
#include "rpc/eth_api.hpp"
#include "store/verify.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>

namespace lottery::app {

/// Why a round cannot be verified (unknown, not finished, refunded, no
/// RoundCompleted log); `what()` is one sentence for the user.
class UnverifiableRound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reads round `round_id` of `contract` (getRoundById), finds its
/// RoundCompleted log inside the round's draw window, reads its stakes in
/// first-bet order and recomputes the winner. Throws UnverifiableRound, or
/// rpc::RpcException for node errors.
infra::Task<store::VerifyResult> verify_round_on_chain(rpc::EthApi& api, eth::Address contract,
                                                       std::uint64_t round_id);

void register_verify_command(CLI::App& cli);

}  // namespace lottery::app
