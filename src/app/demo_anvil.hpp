// SPDX-License-Identifier: Apache-2.0
#pragma once
// The local dev chain of `lottery demo`: one Anvil child process, started on a
// port, watched, and stopped by its PID.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace lottery::app {

/// Anvil's default chain id.
inline constexpr std::uint64_t kDevChainId = 31337;

struct DemoAnvilOptions {
  std::filesystem::path binary;    ///< the anvil executable
  std::filesystem::path log_file;  ///< Anvil's stdout and stderr go here
  std::uint16_t port = 0;          ///< 0 = any free port (read back from Anvil's output)
  unsigned block_time_seconds = 1;
  std::uint64_t chain_id = kDevChainId;
  std::chrono::milliseconds startup_timeout{30'000};
};

/// One Anvil child process.
///
/// The child runs in its own process group (a terminal's Ctrl-C reaches only
/// the demo, which then stops the service before the chain) and is asked by
/// the kernel to die with its parent (PR_SET_PDEATHSIG), so even a killed demo
/// leaves no Anvil behind. Thread-safe.
class DemoAnvil {
 public:
  /// Starts Anvil and waits until it prints the address it listens on.
  /// `cancelled` is polled while waiting (e.g. Ctrl-C during start-up).
  /// Throws std::runtime_error with the end of Anvil's log when it exits, does
  /// not start in time, or is cancelled (the child is stopped then).
  DemoAnvil(DemoAnvilOptions options, const std::function<bool()>& cancelled);
  ~DemoAnvil();
  DemoAnvil(const DemoAnvil&) = delete;
  DemoAnvil& operator=(const DemoAnvil&) = delete;

  pid_t pid() const noexcept { return pid_; }
  std::uint16_t port() const noexcept { return port_; }
  std::string http_url() const;
  std::string ws_url() const;
  const std::filesystem::path& log_file() const noexcept { return options_.log_file; }

  /// False once the child has exited (it is reaped then).
  bool running();
  /// SIGTERM, then SIGKILL after `grace`; reaps the child. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

  /// The last `max_bytes` of the log, for error messages.
  std::string log_tail(std::size_t max_bytes = 2000) const;

 private:
  bool reap_locked(bool wait);

  DemoAnvilOptions options_;
  mutable std::mutex mutex_;
  pid_t pid_ = -1;
  bool exited_ = false;
  std::uint16_t port_ = 0;
};

/// The port in an Anvil line "Listening on 127.0.0.1:PORT" inside `output`;
/// nullopt when there is none yet.
std::optional<std::uint16_t> parse_anvil_port(const std::string& output);

/// A port the kernel hands out for 127.0.0.1 right now (bound to port 0, then
/// released); 0 when that fails. Another process may take it meanwhile.
std::uint16_t pick_free_port();

/// True when 127.0.0.1:`port` can be bound right now.
bool port_is_free(std::uint16_t port);

}  // namespace lottery::app
