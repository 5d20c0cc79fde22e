// SPDX-License-Identifier: Apache-2.0
#include "app/cmd_set_operator.hpp"

#include "app/txn_cli.hpp"

#include <cstdio>
#include <memory>
#include <string>

namespace lottery::app {
namespace {

struct SetOperatorArgs {
  std::string contract_text;
  std::string operator_text;
};

}  // namespace

void register_set_operator_command(CLI::App& cli) {
  CLI::App* cmd =
      cli.add_subcommand("set-operator",
                         "Set the Lottery's operator (the address that draws and refunds rounds); "
                         "must be sent with the publisher's key.");
  auto sender_options = add_sender_options(*cmd);
  auto args = std::make_shared<SetOperatorArgs>();
  cmd->add_option("--contract", args->contract_text, "Address of the Lottery contract")->required();
  cmd->add_option("--operator", args->operator_text, "Address of the new operator")->required();
  cmd->footer(
      "The publisher's key comes from --key-file, DEPLOYER_PRIVATE_KEY_FILE or "
      "DEPLOYER_PRIVATE_KEY and is never printed.");

  cmd->callback([sender_options, args] {
    eth::Address contract;
    eth::Address operator_address;
    try {
      contract = parse_address_option("--contract", args->contract_text);
      operator_address = parse_address_option("--operator", args->operator_text);
      if (operator_address.is_zero())
        throw UsageError("--operator must not be the zero address (the contract refuses it)");
    } catch (const UsageError& e) {
      std::fprintf(stderr, "set-operator: %s\n", e.what());
      throw CLI::RuntimeError(2);
    }
    run_sender_command("set-operator", *sender_options,
                       [&](rpc::EthApi& api, operation::TxnSender& sender) -> infra::Task<void> {
                         co_await set_lottery_operator(api, sender, contract, operator_address);
                         std::fprintf(stderr, "set-operator: operator of %s is now %s\n",
                                      eth::to_checksum(contract).c_str(),
                                      eth::to_checksum(operator_address).c_str());
                       });
  });
}

}  // namespace lottery::app
