// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the commands that send transactions share (deploy, set-operator, demo):
// finding files next to the binary, reading keys and bytecode, running one
// task to completion, and the two contract operations themselves, so the demo
// deploys and sets the operator through exactly the code the commands use.

#include "config/load.hpp"
#include "eth/address.hpp"
#include "eth/bytes.hpp"
#include "eth/secp256k1.hpp"
#include "infra/task.hpp"
#include "operation/txn_sender.hpp"
#include "rpc/client.hpp"
#include "rpc/eth_api.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lottery::app {

/// A problem with the command line or its inputs (missing key, unreadable
/// file, value out of range). `what()` is one sentence; commands exit with 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Directory of the running executable (from /proc/self/exe); empty when unknown.
std::filesystem::path executable_dir();

/// The first `dir/relative` that exists, for `dir` = `start` and each of its
/// parents up to the root; nullopt when there is none.
std::optional<std::filesystem::path> find_upwards(const std::filesystem::path& start,
                                                  const std::filesystem::path& relative);

/// Where a file that ships with the binary is: `relative` under the current
/// directory or one of its parents, then next to the executable (its
/// directory, `share/lottery` beside it) or under one of its parents.
/// E.g. `find_shipped_file("contracts/out/Lottery.bin")`.
std::optional<std::filesystem::path> find_shipped_file(const std::filesystem::path& relative);

/// Reads creation bytecode: a file holding hex ("0x" optional, surrounding
/// whitespace ignored). Throws UsageError when it is missing, empty or not hex.
eth::Bytes read_bytecode(const std::filesystem::path& path);

/// Where a command's signing key comes from, first found wins.
struct KeySources {
  std::string key_file;  ///< --key-file FILE (empty: not given)
  std::string env_name;  ///< e.g. "DEPLOYER_PRIVATE_KEY"; also `<env_name>_FILE`
};

/// Loads the key: `key_file`, else the file named by `<env_name>_FILE`, else
/// `<env_name>`. Accepts 64 hex digits with or without "0x". The text is
/// registered with the log redactor at once. Throws UsageError naming the
/// source (never the key) when nothing is set or the key is not valid.
eth::PrivateKey load_signing_key(const KeySources& sources, const config::EnvLookup& env);

/// Parses a command-line address (EIP-55 checked when mixed case); throws
/// UsageError naming `option`.
eth::Address parse_address_option(std::string_view option, std::string_view text);

/// The outcome of `deploy_lottery`.
struct DeployedContract {
  eth::Address address;
  std::uint64_t block_number = 0;
  eth::Hash32 txn_hash{};
};

/// Deploys the Lottery from `sender`'s key: creation bytecode + constructor
/// arguments (commission in basis points, 0..1000), waits for the sender's
/// confirmations and checks that code exists at the new address. Throws
/// operation::SendError.
infra::Task<DeployedContract> deploy_lottery(rpc::EthApi& api, operation::TxnSender& sender,
                                             const eth::Bytes& bytecode,
                                             std::uint64_t commission_bps);

/// `setOperator(operator_address)` on `contract` from `sender` (the publisher).
/// Refuses an address without code (kRejected), simulates first (so "not the
/// publisher" is a kReverted with the contract's reason and the key's address),
/// then sends and checks that `operator()` now returns the new address.
/// Throws operation::SendError.
infra::Task<operation::SendResult> set_lottery_operator(rpc::EthApi& api,
                                                        operation::TxnSender& sender,
                                                        const eth::Address& contract,
                                                        const eth::Address& operator_address);

/// `updateBettingDuration(seconds)` from `sender` (the operator), skipped when
/// the contract already has that duration. The contract accepts it only while
/// the round is WAITING and for 10 s .. 7 days. Throws operation::SendError.
infra::Task<void> set_betting_duration(rpc::EthApi& api, operation::TxnSender& sender,
                                       const eth::Address& contract, std::uint64_t seconds);

/// The options every transaction-sending command shares.
struct SenderCommandOptions {
  std::string rpc_url;                    ///< --rpc-url (http, https, ws or wss)
  std::string key_file;                   ///< --key-file
  std::optional<std::uint64_t> chain_id;  ///< --chain-id: refuse a node on another chain
  std::uint32_t confirmations = 1;        ///< --confirmations (1 = mined is enough)
};

/// Adds --rpc-url (required), --key-file, --chain-id and --confirmations to
/// `cmd`; the returned object receives the values during parsing.
std::shared_ptr<SenderCommandOptions> add_sender_options(CLI::App& cmd);

/// Builds the RPC client and a TxnSender from `options` (key from --key-file,
/// DEPLOYER_PRIVATE_KEY_FILE or DEPLOYER_PRIVATE_KEY), runs `body` and waits
/// for it. Progress lines go to stderr as "<command>: <line>". On failure
/// prints one line "<command>: <sentence>" to stderr and throws
/// CLI::RuntimeError: 2 for UsageError, 1 for everything else.
void run_sender_command(
    std::string_view command, const SenderCommandOptions& options,
    const std::function<infra::Task<void>(rpc::EthApi&, operation::TxnSender&)>& body);

/// RPC client options for one-shot commands: fewer retries, so an unreachable
/// node is reported within seconds.
rpc::ClientOptions command_client_options();

/// Runs `task` on `io` until it finishes, closing `client` afterwards (so
/// WebSocket transports end and `run()` returns); returns its value or
/// rethrows its exception.
template <class T>
T run_blocking(boost::asio::io_context& io, rpc::RpcClient& client, infra::Task<T> task) {
  std::optional<T> value;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(task), [&](const std::exception_ptr& e, T v) {
    if (e) {
      error = e;
    } else {
      value.emplace(std::move(v));
    }
    client.close();
  });
  io.run();
  io.restart();
  if (error) std::rethrow_exception(error);
  if (!value) throw std::runtime_error("the task did not finish");
  return std::move(*value);
}

}  // namespace lottery::app
