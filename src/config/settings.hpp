// SPDX-License-Identifier: Apache-2.0
#pragma once
// The service's settings as one plain struct. Defaults are the member
// initialisers below; `load()` (load.hpp) fills it from the config file, the
// environment and command-line flags, driven by the table in table.hpp.

#include "eth/address.hpp"
#include "logging/log.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lottery::config {

/// HTTP/WebSocket listener (SPEC §5, §6).
struct ServerSettings {
  std::string host = "0.0.0.0";
  std::uint16_t port = 6080;              ///< 0 = any free port (tests)
  std::vector<std::string> cors_origins;  ///< allowed Origins; empty = same origin only
  std::string static_dir = "web/dist";    ///< built web UI; empty = do not serve files
  std::string abi_path;                   ///< contract ABI file; empty = the built-in ABI
  std::uint64_t max_body_bytes = std::uint64_t{64} * 1024;  ///< larger request bodies get 413
  std::uint32_t idle_timeout_seconds = 60;   ///< idle or slow clients are dropped after this
  std::uint32_t rate_limit_per_minute = 60;  ///< per IP, POST routes and WebSocket upgrades
  std::uint32_t ws_max_clients = 10000;      ///< WebSocket sessions beyond this are refused
  std::uint32_t ws_send_queue = 64;          ///< messages queued per session before dropping
};

/// The node(s), the contract and the operator's key (SPEC §3, §4, §7).
struct BlockchainSettings {
  std::vector<std::string> rpc_urls = {
      "http://127.0.0.1:8545"};                  ///< http(s)/ws(s), first preferred
  std::optional<std::uint64_t> chain_id;         ///< when set, must match the node's
  std::optional<eth::Address> contract_address;  ///< required by `serve`
  std::optional<eth::Address> operator_address;  ///< the injected key must match it
  /// "0x" + 64 lower-case hex digits. After `load()` this holds the key from
  /// whichever source won, including one read from `operator_private_key_file`.
  /// Registered with the log redactor as soon as it is read. Never print it.
  std::optional<std::string> operator_private_key;
  std::optional<std::string> operator_private_key_file;  ///< path of a file holding the key
  double gas_multiplier = 1.2;                           ///< gas limit = estimate × this
  double max_fee_gwei = 500.0;                           ///< cap on maxFeePerGas / gasPrice
  std::uint32_t rpc_timeout_seconds = 10;                ///< per JSON-RPC request
};

/// The chain follower and the store's capacities (SPEC §3).
struct EventManagerSettings {
  double poll_interval_seconds = 1.0;         ///< eth_blockNumber polling when not on ws(s)
  std::uint32_t confirmations = 2;            ///< events are final after this many blocks
  std::optional<std::uint64_t> start_block;   ///< backfill from here; default: deployment block
  std::uint64_t backfill_blocks = 10000;      ///< else head minus this many blocks
  std::uint32_t history_capacity = 1000;      ///< finished rounds kept
  std::uint32_t feed_capacity = 1000;         ///< activity feed items kept
  std::uint32_t config_refresh_blocks = 100;  ///< re-read the contract config every N blocks
  std::uint64_t log_chunk_blocks = 2000;      ///< initial eth_getLogs block range
  std::uint32_t reorg_depth = 64;             ///< recent block hashes remembered
};

/// The operator loop (SPEC §4). Named `operation` because `operator` is a keyword.
struct OperatorSettings {
  bool enabled = true;                     ///< false = never send transactions
  std::uint32_t replace_after_blocks = 3;  ///< replace a stuck transaction after N blocks
  std::uint32_t low_balance_draws = 5;     ///< warn below the cost of this many draws; 0 = never
};

/// Enclave integration (SPEC §7).
struct EnclaveSettings {
  bool attestation_enabled = false;  ///< true = use /dev/nsm; false = dev documents
};

/// Scale-out (SPEC §10).
struct RedisSettings {
  std::optional<std::string> url;      ///< redis:// or rediss://; unset = run alone
  std::string key_prefix = "lottery";  ///< prefix of every Redis key and channel
  std::uint32_t lease_seconds = 10;    ///< leader lease time to live
};

/// The process logger (logging/log.hpp).
struct LogSettings {
  logging::Level level = logging::Level::kInfo;
  logging::Format format = logging::Format::kText;
  std::optional<std::string> file;  ///< also append log lines here
};

/// Everything the service can be configured with.
struct Settings {
  ServerSettings server;
  BlockchainSettings blockchain;
  EventManagerSettings event_manager;
  OperatorSettings operation;  ///< section "operator" in the file
  EnclaveSettings enclave;
  RedisSettings redis;
  LogSettings log;
};

/// The logger options these settings ask for (stderr plus the optional file).
logging::LogOptions log_options(const Settings& settings);

}  // namespace lottery::config
