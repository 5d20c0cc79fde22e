// SPDX-License-Identifier: Apache-2.0
#include "app/txn_cli.hpp"

#include "contract/calls.hpp"
#include "contract/views.hpp"
#include "eth/abi_signature.hpp"
#include "eth/hex.hpp"
#include "logging/redact.hpp"
#include "operation/node.hpp"

#include <array>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

namespace lottery::app {
namespace {

namespace fs = std::filesystem;

std::string trim(std::string text) {
  const auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
  while (!text.empty() && !not_space(static_cast<unsigned char>(text.back()))) text.pop_back();
  std::size_t start = 0;
  while (start < text.size() && !not_space(static_cast<unsigned char>(text[start]))) ++start;
  return text.substr(start);
}

// Reads a small text file; nullopt when it cannot be opened.
std::optional<std::string> read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool path_exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

eth::PrivateKey parse_key(std::string text, const std::string& source) {
  text = trim(std::move(text));
  if (text.empty()) throw UsageError(source + " is empty: it must hold the private key");
  // Registered before parsing so that not even an error path can print it.
  logging::register_secret(text);
  if (text.size() == 64) text.insert(0, "0x");
  logging::register_secret(text);
  auto key = eth::PrivateKey::from_hex(text);
  if (!key) {
    throw UsageError(source +
                     " does not hold a valid secp256k1 private key: expected 64 hex digits, "
                     "optionally prefixed with 0x");
  }
  return std::move(*key);
}

}  // namespace

fs::path executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return exe.parent_path();
}

std::optional<fs::path> find_upwards(const fs::path& start, const fs::path& relative) {
  if (start.empty()) return std::nullopt;
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec);
  if (ec) return std::nullopt;
  for (;;) {
    const fs::path candidate = dir / relative;
    if (path_exists(candidate)) return candidate;
    if (!dir.has_parent_path() || dir.parent_path() == dir) return std::nullopt;
    dir = dir.parent_path();
  }
}

std::optional<fs::path> find_shipped_file(const fs::path& relative) {
  std::error_code ec;
  if (auto found = find_upwards(fs::current_path(ec), relative)) return found;
  const fs::path exe_dir = executable_dir();
  if (exe_dir.empty()) return std::nullopt;
  // Installed layouts: the file (without its source-tree folders) next to the
  // binary or in ../share/lottery; then the source tree above a build directory.
  for (const fs::path& candidate : {exe_dir / relative.filename(),
                                    exe_dir / ".." / "share" / "lottery" / relative.filename()}) {
    if (path_exists(candidate)) return candidate.lexically_normal();
  }
  return find_upwards(exe_dir, relative);
}

eth::Bytes read_bytecode(const fs::path& path) {
  auto text = read_text_file(path);
  if (!text) throw UsageError("cannot read the contract bytecode file " + path.string());
  std::string hex = trim(std::move(*text));
  if (hex.rfind("0x", 0) != 0) hex.insert(0, "0x");
  auto bytes = eth::hex_decode(hex);
  if (!bytes || bytes->empty()) {
    throw UsageError("the contract bytecode file " + path.string() +
                     " does not hold hex bytecode (expected the compiler's Lottery.bin)");
  }
  return std::move(*bytes);
}

eth::PrivateKey load_signing_key(const KeySources& sources, const config::EnvLookup& env) {
  const auto from_file = [](const std::string& path, const std::string& source) {
    auto text = read_text_file(path);
    if (!text) throw UsageError("cannot read the key file " + path + " (" + source + ")");
    return parse_key(std::move(*text), "the key file " + path);
  };
  if (!sources.key_file.empty()) return from_file(sources.key_file, "--key-file");
  const std::string file_var = sources.env_name + "_FILE";
  if (env) {
    if (auto path = env(file_var); path && !path->empty()) return from_file(*path, file_var);
    if (auto value = env(sources.env_name); value && !value->empty())
      return parse_key(std::move(*value), sources.env_name);
  }
  throw UsageError("no signing key: pass --key-file FILE or set " + sources.env_name + " or " +
                   file_var);
}

eth::Address parse_address_option(std::string_view option, std::string_view text) {
  auto address = eth::parse_address(text);
  if (!address) {
    throw UsageError(std::string(option) + " \"" + std::string(text) +
                     "\" is not an address: expected 0x followed by 40 hex digits "
                     "(with a valid EIP-55 checksum when mixed case)");
  }
  return *address;
}

std::shared_ptr<SenderCommandOptions> add_sender_options(CLI::App& cmd) {
  auto options = std::make_shared<SenderCommandOptions>();
  cmd.add_option("--rpc-url", options->rpc_url,
                 "JSON-RPC endpoint of the node (http, https, ws, wss)")
      ->required();
  cmd.add_option("--key-file", options->key_file,
                 "File holding the sender's private key (else DEPLOYER_PRIVATE_KEY_FILE or "
                 "DEPLOYER_PRIVATE_KEY)");
  cmd.add_option_function<std::uint64_t>(
         "--chain-id", [options](const std::uint64_t& id) { options->chain_id = id; },
         "Refuse to send unless the node is on this chain")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{4503599627370495}));
  cmd.add_option("--confirmations", options->confirmations,
                 "Blocks to wait for, the mining block included")
      ->check(CLI::Range(1U, 1000U))
      ->capture_default_str();
  return options;
}

void run_sender_command(
    std::string_view command, const SenderCommandOptions& options,
    const std::function<infra::Task<void>(rpc::EthApi&, operation::TxnSender&)>& body) {
  const std::string prefix = std::string(command) + ": ";
  const auto fail = [&prefix](const std::string& message, int code) {
    std::fputs((prefix + logging::redact(message) + "\n").c_str(), stderr);
    throw CLI::RuntimeError(code);
  };
  try {
    eth::PrivateKey key =
        load_signing_key({options.key_file, "DEPLOYER_PRIVATE_KEY"}, config::process_environment());
    boost::asio::io_context io;
    std::unique_ptr<rpc::RpcClient> client;
    try {
      client = rpc::RpcClient::create(io.get_executor(), options.rpc_url, command_client_options());
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--rpc-url is not usable: ") + e.what());
    }
    rpc::EthApi api(*client);
    operation::RpcNode node(*client);
    operation::SendOptions send_options;
    send_options.expected_chain_id = options.chain_id;
    send_options.confirmations = options.confirmations;
    send_options.progress = [&prefix](const std::string& line) {
      std::fputs((prefix + line + "\n").c_str(), stderr);
    };
    operation::TxnSender sender(node, std::move(key), send_options);
    std::fputs((prefix + "sending from " + eth::to_checksum(sender.address()) + "\n").c_str(),
               stderr);
    run_blocking(io, *client, [&]() -> infra::Task<bool> {
      co_await body(api, sender);
      co_return true;
    }());
  } catch (const UsageError& e) {
    fail(e.what(), 2);
  } catch (const operation::SendError& e) {
    fail(e.what(), 1);
  } catch (const rpc::RpcException& e) {
    fail(operation::send_error_from_rpc(command, e.error()).what(), 1);
  } catch (const CLI::RuntimeError&) {
    throw;
  } catch (const std::exception& e) {
    fail(e.what(), 1);
  }
}

rpc::ClientOptions command_client_options() {
  rpc::ClientOptions options;
  options.max_attempts = 3;
  options.request_timeout = std::chrono::seconds(15);
  return options;
}

infra::Task<DeployedContract> deploy_lottery(rpc::EthApi& api, operation::TxnSender& sender,
                                             const eth::Bytes& bytecode,
                                             std::uint64_t commission_bps) {
  operation::TxnRequest request;
  request.data = bytecode;
  const eth::Bytes args = contract::constructor_args(eth::U256{commission_bps});
  request.data.insert(request.data.end(), args.begin(), args.end());
  request.label = "deploy Lottery";
  const operation::SendResult sent = co_await sender.send(request);
  if (!sent.receipt.contract_address) {
    throw operation::SendError(operation::SendErrc::kRejected,
                               "deploy Lottery: the receipt of " + eth::hex_encode(sent.txn_hash) +
                                   " names no contract address; is this node an EVM chain?");
  }
  const eth::Address address = *sent.receipt.contract_address;
  eth::Bytes code;
  try {
    code = co_await api.code(address);
  } catch (const rpc::RpcException& e) {
    throw operation::send_error_from_rpc("deploy Lottery (reading the new code)", e.error());
  }
  if (code.empty()) {
    throw operation::SendError(operation::SendErrc::kFailedOnChain,
                               "deploy Lottery: no code at " + eth::to_checksum(address) +
                                   " after the deployment was mined");
  }
  DeployedContract out;
  out.address = address;
  out.block_number = sent.receipt.block_number;
  out.txn_hash = sent.txn_hash;
  co_return out;
}

infra::Task<operation::SendResult> set_lottery_operator(rpc::EthApi& api,
                                                        operation::TxnSender& sender,
                                                        const eth::Address& contract,
                                                        const eth::Address& operator_address) {
  const std::uint64_t chain = co_await sender.chain_id();
  eth::Bytes code;
  try {
    code = co_await api.code(contract);
  } catch (const rpc::RpcException& e) {
    throw operation::send_error_from_rpc("setOperator (reading the contract code)", e.error());
  }
  if (code.empty()) {
    throw operation::SendError(operation::SendErrc::kRejected,
                               "setOperator: there is no contract at " +
                                   eth::to_checksum(contract) + " on chain " +
                                   std::to_string(chain) + ": check --contract and --rpc-url");
  }
  operation::TxnRequest request;
  request.to = contract;
  request.data = contract::set_operator_call(operator_address);
  request.label = "setOperator";
  try {
    co_await sender.simulate(request);
  } catch (const operation::SendError& e) {
    if (e.kind() != operation::SendErrc::kReverted) throw;
    // Add who tried: "Only publisher" is the usual reason, and the fix is another key.
    throw operation::SendError(e.kind(),
                               std::string(e.what()) + " (the key's address is " +
                                   eth::to_checksum(sender.address()) +
                                   "; only the contract's publisher may set the operator)");
  }
  operation::SendResult sent = co_await sender.send(request);

  eth::Bytes result;
  try {
    rpc::CallRequest call;
    call.to = contract;
    call.data = contract::operator_call();
    result = co_await api.call(call);
  } catch (const rpc::RpcException& e) {
    throw operation::send_error_from_rpc("setOperator (reading operator())", e.error());
  }
  const auto now = contract::decode_address(result);
  if (!now || *now != operator_address) {
    throw operation::SendError(operation::SendErrc::kFailedOnChain,
                               "setOperator was mined but operator() does not return " +
                                   eth::to_checksum(operator_address) +
                                   ": is this the Lottery contract?");
  }
  co_return sent;
}

infra::Task<void> set_betting_duration(rpc::EthApi& api, operation::TxnSender& sender,
                                       const eth::Address& contract, std::uint64_t seconds) {
  rpc::CallRequest read;
  read.to = contract;
  read.data = contract::get_config_call();
  try {
    const auto config = contract::decode_config(co_await api.call(read));
    if (config && config->betting_duration == seconds) co_return;
  } catch (const rpc::RpcException& e) {
    throw operation::send_error_from_rpc("updateBettingDuration (reading getConfig())", e.error());
  }
  const std::array<eth::AbiValue, 1> args{eth::abi_uint(eth::U256{seconds})};
  auto data = eth::abi_encode_call("updateBettingDuration(uint256)", args);
  if (!data) throw std::logic_error("updateBettingDuration encoding failed");
  operation::TxnRequest request;
  request.to = contract;
  request.data = std::move(*data);
  request.label = "updateBettingDuration(" + std::to_string(seconds) + ")";
  co_await sender.send(request);
}

}  // namespace lottery::app
