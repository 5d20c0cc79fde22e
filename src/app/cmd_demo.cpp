// SPDX-License-Identifier: Apache-2.0
#include "app/cmd_demo.hpp"

#include "app/cmd_config.hpp"
#include "app/demo_anvil.hpp"
#include "app/demo_players.hpp"
#include "app/service.hpp"
#include "app/txn_cli.hpp"
#include "logging/log.hpp"
#include "logging/redact.hpp"
#include "operation/node.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace lottery::app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::string_view kComponent = "demo";
constexpr std::size_t kPublisherAccount = 0;
constexpr std::size_t kOperatorAccount = 1;
constexpr std::size_t kFirstPlayerAccount = 2;
constexpr std::uint64_t kCommissionBps = 500;
constexpr std::uint16_t kDefaultChainPort = 8545;
// After a signal, how long the service may take to notice it before the demo
// signals the process again (see `on_signal`).
constexpr auto kResignalAfter = 3s;

struct DemoOptions {
  std::optional<std::uint16_t> port;
  std::uint64_t round_seconds = 60;
  std::uint32_t players = 3;
  bool no_players = false;
  unsigned block_time = 1;
  std::string anvil;
  std::uint16_t chain_port = kDefaultChainPort;
};

eth::PrivateKey dev_key(std::size_t index) {
  return eth::PrivateKey::from_hex(kAnvilDevKeys.at(index)).value();
}

// Anvil: --anvil, then ANVIL_BIN, then node_modules/.bin/anvil of the checkout.
fs::path find_anvil(const std::string& option) {
  if (!option.empty()) {
    if (::access(option.c_str(), X_OK) != 0)
      throw UsageError("--anvil " + option + " is not an executable file");
    return option;
  }
  if (const char* env = std::getenv("ANVIL_BIN"); env != nullptr && *env != '\0') {
    if (::access(env, X_OK) != 0)
      throw UsageError(std::string("ANVIL_BIN=") + env + " is not an executable file");
    return env;
  }
  if (auto found = find_shipped_file("node_modules/.bin/anvil")) return *found;
  throw UsageError(
      "cannot find Anvil (node_modules/.bin/anvil): run scripts/setup.sh, or pass --anvil PATH "
      "or set ANVIL_BIN");
}

// The built web UI: the configured directory when it exists (relative to the
// current directory), else web/dist above the binary; empty when not built.
std::string find_static_dir(const std::string& configured) {
  if (configured.empty()) return {};
  std::error_code ec;
  if (fs::is_directory(configured, ec)) return configured;
  if (fs::path(configured).is_relative()) {
    if (auto found = find_upwards(executable_dir(), configured)) return found->string();
  }
  return {};
}

fs::path make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/lottery-demo-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("cannot create a temporary directory in " + pattern);
  return pattern;
}

void print_banner(const DemoOptions& options, const config::Settings& settings,
                  const DemoAnvil& anvil, const eth::Address& contract, std::size_t players) {
  const std::string host = settings.server.host == "0.0.0.0" || settings.server.host == "::"
                               ? "127.0.0.1"
                               : settings.server.host;
  std::string out;
  out += "\nEnclave Lottery demo is running.\n\n";
  out += "  Web UI and API: http://" + host + ":" + std::to_string(settings.server.port) + "/\n";
  if (settings.server.static_dir.empty()) {
    out +=
        "                  (web UI not built: run 'npm --prefix web run build'; "
        "the API works without it)\n";
  }
  out += "  Chain:          Anvil dev chain, chain id " + std::to_string(kDevChainId) + ", RPC " +
         anvil.http_url() + " (" + anvil.ws_url() + ")\n";
  out += "  Anvil:          pid " + std::to_string(anvil.pid()) + ", log " +
         anvil.log_file().string() + "\n";
  out += "  Contract:       " + eth::to_checksum(contract) + " (publisher " +
         eth::to_checksum(dev_key(kPublisherAccount).address()) + ", operator " +
         eth::to_checksum(dev_key(kOperatorAccount).address()) + ")\n";
  out += "  Rounds:         " + std::to_string(options.round_seconds) +
         " s of betting from the first bet, drawn 5 s later; " + std::to_string(players) +
         " simulated player" + (players == 1 ? "" : "s") + "\n\n";
  out +=
      "Accounts to import into a wallet (Anvil's public, well-known dev keys: anyone can\n"
      "use them, never send real funds to them), 10000 ETH each on this chain:\n";
  std::size_t shown = 0;
  for (std::size_t i = kFirstPlayerAccount + players; i < kAnvilDevKeys.size() && shown < 3;
       ++i, ++shown) {
    out += "  " + eth::to_checksum(dev_key(i).address()) + "  private key " +
           std::string(kAnvilDevKeys[i]) + "\n";
  }
  out += "Wallet network: RPC URL " + anvil.http_url() + ", chain id " +
         std::to_string(kDevChainId) + ", currency ETH.\n\n";
  out += "Press Ctrl-C to stop everything.\n\n";
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
}

// Deploys the contract, sets the operator and the betting duration through the
// same functions `lottery deploy` and `lottery set-operator` use.
infra::Task<eth::Address> set_up_contract(rpc::RpcClient& client, const eth::Bytes& bytecode,
                                          std::uint64_t round_seconds) {
  rpc::EthApi api(client);
  operation::RpcNode node(client);
  operation::SendOptions send_options;
  send_options.expected_chain_id = kDevChainId;
  send_options.confirmations = 1;
  send_options.poll_interval = 200ms;
  send_options.timeout = 60s;
  send_options.progress = [](const std::string& line) { logging::log_info(kComponent, line); };

  operation::TxnSender publisher(node, dev_key(kPublisherAccount), send_options);
  const DeployedContract deployed =
      co_await deploy_lottery(api, publisher, bytecode, kCommissionBps);
  logging::log_info(
      kComponent, "contract deployed",
      {{"contract", eth::to_checksum(deployed.address)}, {"block", deployed.block_number}});
  operation::TxnSender operator_sender(node, dev_key(kOperatorAccount), send_options);
  co_await set_lottery_operator(api, publisher, deployed.address, operator_sender.address());
  co_await set_betting_duration(api, operator_sender, deployed.address, round_seconds);
  co_return deployed.address;
}

// Everything the demo starts besides the service, with the shutdown order
// in one place: players, then the chain, then the demo's own I/O thread.
class DemoRuntime {
 public:
  DemoRuntime()
      : guard_(boost::asio::make_work_guard(io_)),
        signals_(io_, SIGINT, SIGTERM),
        resignal_(io_),
        tasks_(io_.get_executor(), [](std::string_view line) {
          // "<task> cancelled" is how every player ends at Ctrl-C: not news.
          if (line.ends_with(" cancelled")) {
            logging::log_debug(kComponent, line);
          } else {
            logging::log_warn(kComponent, line);
          }
        }) {
    arm_signals();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~DemoRuntime() { shutdown(); }
  DemoRuntime(const DemoRuntime&) = delete;
  DemoRuntime& operator=(const DemoRuntime&) = delete;

  boost::asio::io_context& io() noexcept { return io_; }
  infra::TaskGroup& tasks() noexcept { return tasks_; }
  bool stop_requested() const noexcept { return stop_.load(); }
  void set_service_running(bool running) noexcept { service_running_ = running; }

  /// Stops the simulated players (waiting up to a few seconds for them).
  void stop_tasks() {
    tasks_.cancel_all();
    auto joined = boost::asio::co_spawn(io_, tasks_.join(), boost::asio::use_future);
    if (joined.wait_for(5s) != std::future_status::ready)
      logging::log_warn(kComponent, "simulated players did not stop within 5 s");
  }

  void shutdown() {
    if (!thread_.joinable()) return;
    stop_tasks();
    guard_.reset();
    boost::asio::post(io_, [this] {
      boost::system::error_code ignored;
      signals_.cancel(ignored);
      resignal_.cancel();
    });
    io_.stop();
    thread_.join();
  }

 private:
  void arm_signals() {
    signals_.async_wait([this](boost::system::error_code ec, int signal_number) {
      if (ec) return;
      on_signal(signal_number);
      arm_signals();
    });
  }

  // The service installs its own SIGINT/SIGTERM handling when it starts, and
  // every registered handler sees a signal. One that arrives just before the
  // service registered would only reach this handler, so if the service is
  // still running a moment later the demo sends SIGTERM to itself once more
  // (a second stop request is harmless to the service).
  void on_signal(int signal_number) {
    if (!stop_.exchange(true)) {
      logging::log_info(kComponent, "stopping the demo",
                        {{"signal", static_cast<std::int64_t>(signal_number)}});
      resignal_.expires_after(kResignalAfter);
      resignal_.async_wait([this](boost::system::error_code ec) {
        if (!ec && service_running_.load()) ::kill(::getpid(), SIGTERM);
      });
    }
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer resignal_;
  infra::TaskGroup tasks_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> service_running_{false};
  std::thread thread_;
};

// Stops the service (by signalling the process) when Anvil exits on its own.
infra::Task<void> watch_anvil(DemoAnvil& anvil) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (;;) {
    timer.expires_after(1s);
    co_await timer.async_wait(boost::asio::use_awaitable);
    if (!anvil.running()) {
      logging::log_error(kComponent,
                         "Anvil exited unexpectedly; stopping the demo (see its log for why)",
                         {{"log", anvil.log_file().string()}});
      ::kill(::getpid(), SIGTERM);
      co_return;
    }
  }
}

int run_demo(const DemoOptions& options, const ConfigOptions& config_options) {
  std::vector<std::pair<std::string, std::string>> flags;
  if (options.port) flags.emplace_back("server.port", std::to_string(*options.port));
  const config::LoadResult loaded = load_settings(config_options, flags);
  exit_on_config_errors(loaded);
  config::Settings settings = loaded.settings;
  try {
    logging::configure(config::log_options(settings));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "demo: %s\n", e.what());
    return 2;
  }

  fs::path anvil_binary;
  eth::Bytes bytecode;
  try {
    anvil_binary = find_anvil(options.anvil);
    const auto bin = find_shipped_file("contracts/out/Lottery.bin");
    if (!bin) {
      throw UsageError(
          "cannot find contracts/out/Lottery.bin next to the binary or in the current "
          "directory: run the demo from the source checkout");
    }
    bytecode = read_bytecode(*bin);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "demo: %s\n", e.what());
    return 2;
  }
  if (settings.server.port == 0) {
    // The banner must name the real port, and only run_service would learn the
    // one the kernel picks: choose a free one here instead.
    settings.server.port = pick_free_port();
  }
  settings.server.static_dir = find_static_dir(settings.server.static_dir);
  if (settings.server.static_dir.empty()) {
    logging::log_warn(kComponent,
                      "the web UI is not built (web/dist is missing): the API runs without it; "
                      "build it with 'npm --prefix web run build' or use scripts/demo.sh");
  }
  const std::size_t players = options.no_players ? 0 : options.players;

  DemoRuntime runtime;
  const fs::path temp_dir = make_temp_dir();
  std::unique_ptr<DemoAnvil> anvil;
  std::unique_ptr<rpc::RpcClient> client;
  std::unique_ptr<DemoPlayers> simulated;
  int exit_code = 0;
  try {
    DemoAnvilOptions anvil_options;
    anvil_options.binary = anvil_binary;
    anvil_options.log_file = temp_dir / "anvil.log";
    anvil_options.block_time_seconds = options.block_time;
    anvil_options.port = options.chain_port;
    if (options.chain_port != 0 && !port_is_free(options.chain_port)) {
      logging::log_info(kComponent, "chain port is busy; Anvil listens on a free port instead",
                        {{"port", static_cast<std::uint64_t>(options.chain_port)}});
      anvil_options.port = 0;
    }
    anvil =
        std::make_unique<DemoAnvil>(anvil_options, [&runtime] { return runtime.stop_requested(); });
    logging::log_info(kComponent, "Anvil started",
                      {{"pid", static_cast<std::int64_t>(anvil->pid())},
                       {"rpc", anvil->http_url()},
                       {"log", anvil->log_file().string()}});

    client = rpc::RpcClient::create(runtime.io().get_executor(), anvil->http_url(),
                                    command_client_options());
    boost::asio::cancellation_signal cancel_setup;
    auto contract_future = boost::asio::co_spawn(
        runtime.io(), set_up_contract(*client, bytecode, options.round_seconds),
        boost::asio::bind_cancellation_slot(cancel_setup.slot(), boost::asio::use_future));
    bool cancelling = false;
    while (contract_future.wait_for(100ms) != std::future_status::ready) {
      if (runtime.stop_requested() && !cancelling) {
        // Ctrl-C during set-up: abandon the waits at once (they would poll
        // until their timeout) and stop the chain.
        cancelling = true;
        boost::asio::post(runtime.io(), [&cancel_setup] {
          cancel_setup.emit(boost::asio::cancellation_type::terminal);
        });
        anvil->stop();
      }
    }
    const eth::Address contract = contract_future.get();

    if (!runtime.stop_requested()) {
      std::vector<eth::PrivateKey> keys;
      for (std::size_t i = 0; i < players; ++i) keys.push_back(dev_key(kFirstPlayerAccount + i));
      DemoPlayersOptions player_options;
      player_options.contract = contract;
      simulated = std::make_unique<DemoPlayers>(*client, std::move(keys), player_options);
      simulated->start(runtime.tasks());
      runtime.tasks().spawn("anvil watch", watch_anvil(*anvil));

      settings.blockchain.rpc_urls = {anvil->ws_url()};
      settings.blockchain.chain_id = kDevChainId;
      settings.blockchain.contract_address = contract;
      settings.blockchain.operator_address = dev_key(kOperatorAccount).address();
      settings.blockchain.operator_private_key = std::string(kAnvilDevKeys[kOperatorAccount]);
      settings.blockchain.operator_private_key_file.reset();
      logging::register_secret(kAnvilDevKeys[kOperatorAccount]);
      settings.event_manager.confirmations = 0;
      settings.event_manager.start_block.reset();

      print_banner(options, settings, *anvil, contract, players);
      runtime.set_service_running(true);
      if (!runtime.stop_requested()) exit_code = run_service(settings);
      runtime.set_service_running(false);
    }
  } catch (const std::exception& e) {
    if (!runtime.stop_requested()) {
      logging::log_error(kComponent, std::string("the demo could not start: ") + e.what());
      exit_code = 1;
    }
  }

  runtime.stop_tasks();
  if (client) client->close();
  const pid_t anvil_pid = anvil ? anvil->pid() : -1;
  if (anvil) anvil->stop();
  runtime.shutdown();
  simulated.reset();
  client.reset();
  anvil.reset();
  std::error_code ec;
  if (exit_code == 0) fs::remove_all(temp_dir, ec);
  logging::log_info(kComponent, "demo stopped",
                    {{"anvil_pid", static_cast<std::int64_t>(anvil_pid)}});
  return exit_code;
}

}  // namespace

void register_demo_command(CLI::App& cli) {
  CLI::App* cmd = cli.add_subcommand(
      "demo",
      "Run the whole lottery on a local dev chain: Anvil, the contract, the service with the "
      "web UI, and simulated players. Ctrl-C stops everything.");
  auto config_options = add_config_options(*cmd);
  auto options = std::make_shared<DemoOptions>();
  cmd->add_option_function<std::uint16_t>(
      "--port", [options](const std::uint16_t& port) { options->port = port; },
      "HTTP port of the web UI and API (default: SERVER_PORT or 6080)");
  cmd->add_option(
         "--round-seconds", options->round_seconds,
         "Betting time of each round, from its first bet (contract limits: 10 s .. 7 days)")
      ->check(CLI::Range(std::uint64_t{10}, std::uint64_t{7} * 24 * 3600))
      ->capture_default_str();
  auto* players_option =
      cmd->add_option("--players", options->players, "Number of simulated players")
          ->check(CLI::Range(0U, kMaxDemoPlayers))
          ->capture_default_str();
  cmd->add_flag("--no-players", options->no_players, "Run without simulated players")
      ->excludes(players_option);
  cmd->add_option("--block-time", options->block_time, "Seconds between blocks of the dev chain")
      ->check(CLI::Range(1U, 60U))
      ->capture_default_str();
  cmd->add_option("--anvil", options->anvil,
                  "Anvil executable (default: ANVIL_BIN, else node_modules/.bin/anvil)");
  cmd->add_option("--chain-port", options->chain_port,
                  "Port of the dev chain's RPC (0 = any free port; a busy port falls back to a "
                  "free one)")
      ->capture_default_str();
  cmd->callback([options, config_options] {
    const int code = run_demo(*options, *config_options);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace lottery::app
