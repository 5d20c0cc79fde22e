// SPDX-License-Identifier: Apache-2.0
// Entry point: parses the command line and hands over to one subcommand.
#include "app/cmd_config.hpp"
#include "app/cmd_demo.hpp"
#include "app/cmd_deploy.hpp"
#include "app/cmd_healthcheck.hpp"
#include "app/cmd_inject_key.hpp"
#include "app/cmd_serve.hpp"
#include "app/cmd_set_operator.hpp"
#include "app/cmd_verify.hpp"
#include "app/cmd_verify_attestation.hpp"
#include "app/version.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  CLI::App cli{
      "Enclave Lottery: follows an on-chain lottery, serves players and operates its rounds.",
      "lottery"};
  cli.set_version_flag("--version", std::string("lottery ") + lottery::app::kVersion + " (" +
                                        lottery::app::kRevision + ")");
  cli.require_subcommand(0, 1);
  cli.footer("Run 'lottery <command> --help' for the options of one command.");

  // Subcommands: one register_<name>_command(cli) per src/app/cmd_<name>.cpp (see cmd_config.hpp).
  lottery::app::register_config_command(cli);
  lottery::app::register_healthcheck_command(cli);
  lottery::app::register_inject_key_command(cli);
  lottery::app::register_serve_command(cli);
  lottery::app::register_verify_attestation_command(cli);
  lottery::app::register_demo_command(cli);
  lottery::app::register_deploy_command(cli);
  lottery::app::register_set_operator_command(cli);
  lottery::app::register_verify_command(cli);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  if (cli.get_subcommands().empty()) {
    std::fputs(cli.help().c_str(), stdout);
  }
  return 0;
}
