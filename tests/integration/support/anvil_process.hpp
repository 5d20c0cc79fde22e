// SPDX-License-Identifier: Apache-2.0
#pragma once

// Starts a real Anvil (node_modules/.bin/anvil) for a test on a free
// 127.0.0.1 port and stops it by PID when the object goes away.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace lottery::integration {

struct AnvilOptions {
  /// Seconds between automatically mined blocks; nullopt = mine per transaction.
  std::optional<unsigned> block_time;
  std::uint64_t chain_id = 31337;
  std::vector<std::string> extra_args;
  /// How long to wait for "Listening on" and a first eth_chainId answer.
  std::chrono::milliseconds startup_timeout{20'000};
};

/// One Anvil child process. Anvil is started with `--port 0`, the port it
/// picked is read from its "Listening on 127.0.0.1:PORT" line (no port race),
/// and the constructor returns once eth_chainId answers over HTTP.
/// Throws std::runtime_error (with Anvil's output) when it cannot start.
class AnvilProcess {
 public:
  explicit AnvilProcess(AnvilOptions options = {});
  ~AnvilProcess();
  AnvilProcess(const AnvilProcess&) = delete;
  AnvilProcess& operator=(const AnvilProcess&) = delete;

  /// Path of the Anvil binary used (under LOTTERY_SOURCE_DIR).
  static std::string binary_path();
  /// True when node_modules/.bin/anvil exists (tests skip otherwise).
  static bool available();

  std::uint16_t port() const noexcept { return port_; }
  pid_t pid() const noexcept { return pid_; }
  std::string http_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string ws_url() const { return "ws://127.0.0.1:" + std::to_string(port_); }

  /// Everything Anvil printed so far (stdout and stderr).
  std::string output() const;

  /// Sends one JSON-RPC request over a fresh HTTP connection and returns the
  /// raw reply body (test-side helper, independent of lottery_rpc). Throws
  /// std::runtime_error on I/O failure.
  std::string rpc(const std::string& method, const std::string& params_json = "[]") const;

  /// SIGTERM, then SIGKILL after `grace`; reaps the child. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds{3000});

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::string output_;
};

/// POSTs `body` to http://127.0.0.1:`port`/ and returns the reply body.
std::string http_post(std::uint16_t port, const std::string& body,
                      std::chrono::milliseconds timeout);

}  // namespace lottery::integration
