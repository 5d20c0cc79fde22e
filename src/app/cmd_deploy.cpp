// SPDX-License-Identifier: Apache-2.0
#include "app/cmd_deploy.hpp"

#include "app/txn_cli.hpp"
#include "eth/hex.hpp"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

namespace lottery::app {
namespace {

constexpr const char* kBytecodeFile = "contracts/out/Lottery.bin";

struct DeployArgs {
  std::uint64_t commission_bps = 500;
  std::string operator_text;  ///< --operator; empty = leave unset
  std::string bytecode_file;  ///< --bytecode; empty = the shipped Lottery.bin
};

}  // namespace

void register_deploy_command(CLI::App& cli) {
  CLI::App* cmd = cli.add_subcommand(
      "deploy",
      "Deploy the Lottery contract (publisher = the key's address) and print its address.");
  auto sender_options = add_sender_options(*cmd);
  auto args = std::make_shared<DeployArgs>();
  cmd->add_option("--commission", args->commission_bps,
                  "Publisher commission in basis points (100 = 1%, at most 1000)")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1000}))
      ->capture_default_str();
  cmd->add_option("--operator", args->operator_text, "Also call setOperator(ADDR) once deployed");
  cmd->add_option("--bytecode", args->bytecode_file,
                  "Creation bytecode (hex); default: contracts/out/Lottery.bin shipped with "
                  "the binary");
  cmd->footer(
      "The key comes from --key-file, DEPLOYER_PRIVATE_KEY_FILE or DEPLOYER_PRIVATE_KEY and is "
      "never printed. Progress goes to stderr; stdout gets only the contract address.");

  cmd->callback([sender_options, args] {
    std::optional<eth::Address> operator_address;
    eth::Bytes bytecode;
    try {
      if (!args->operator_text.empty())
        operator_address = parse_address_option("--operator", args->operator_text);
      std::filesystem::path path = args->bytecode_file;
      if (path.empty()) {
        auto found = find_shipped_file(kBytecodeFile);
        if (!found) {
          throw UsageError(std::string("cannot find ") + kBytecodeFile +
                           " next to the binary or in the current directory: pass --bytecode FILE");
        }
        path = *found;
      }
      bytecode = read_bytecode(path);
    } catch (const UsageError& e) {
      std::fprintf(stderr, "deploy: %s\n", e.what());
      throw CLI::RuntimeError(2);
    }

    std::optional<DeployedContract> deployed;
    run_sender_command(
        "deploy", *sender_options,
        [&](rpc::EthApi& api, operation::TxnSender& sender) -> infra::Task<void> {
          deployed = co_await deploy_lottery(api, sender, bytecode, args->commission_bps);
          std::fprintf(stderr, "deploy: Lottery deployed at %s in block %llu\n",
                       eth::to_checksum(deployed->address).c_str(),
                       static_cast<unsigned long long>(deployed->block_number));
          if (operator_address) {
            co_await set_lottery_operator(api, sender, deployed->address, *operator_address);
            std::fprintf(stderr, "deploy: operator set to %s\n",
                         eth::to_checksum(*operator_address).c_str());
          }
        });
    std::printf("%s\n", eth::to_checksum(deployed->address).c_str());
  });
}

}  // namespace lottery::app
