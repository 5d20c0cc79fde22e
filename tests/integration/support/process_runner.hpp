// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runs an external program (no shell) and captures what it prints. Used by integration tests that
// check our code against a reference tool such as Foundry's `cast`.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace lottery::integration {

/// What a finished child process left behind.
struct ProcessResult {
  /// The exit status when the child exited normally; -1 when it was killed by a signal
  /// (including our own kill after a timeout).
  int exit_code = -1;
  bool timed_out = false;
  std::string out;  ///< everything written to stdout
  std::string err;  ///< everything written to stderr

  bool ok() const noexcept { return exit_code == 0 && !timed_out; }
};

/// Starts `argv[0]` (a path, not looked up in PATH) with the arguments `argv[1..]`, stdin bound to
/// /dev/null and the current environment, reads its stdout and stderr until both close, and waits
/// for it. A child still running after `timeout` is sent SIGKILL (by its PID) and reaped, and the
/// result has `timed_out` set.
/// Throws std::system_error when the pipes cannot be created or the process cannot be spawned,
/// std::invalid_argument for an empty `argv`.
ProcessResult run_process(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// Shell-like rendering of `argv` (each argument single-quoted where needed) so a failing test can
/// print a command that reproduces it.
std::string format_command(const std::vector<std::string>& argv);

/// How a BackgroundProcess is started besides its argv and log.
struct SpawnOptions {
  /// The child's whole environment ("NAME=value"); nullopt inherits the test's.
  std::optional<std::vector<std::string>> env;
  /// The child's working directory; empty keeps the test's.
  std::string working_dir;
};

/// A long-running child (such as an Anvil node or `lottery serve`) with stdout and stderr
/// appended to a log file. The destructor stops it, so a failing test cannot leave it behind.
/// It keeps the child's wait status, so tests can check how it ended (e.g. exit 0 after SIGTERM).
class BackgroundProcess {
 public:
  /// Starts `argv[0]` (a path) with `argv[1..]`, stdin on /dev/null, output to `log_path`
  /// (created or truncated). Throws std::system_error when it cannot be spawned,
  /// std::invalid_argument for an empty `argv`.
  BackgroundProcess(const std::vector<std::string>& argv, std::string log_path,
                    const SpawnOptions& options = {});
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  ~BackgroundProcess();

  pid_t pid() const noexcept { return pid_; }
  const std::string& log_path() const noexcept { return log_path_; }
  /// Everything the process has written so far.
  std::string read_log() const;
  /// False once the process has exited (it is reaped then and its status kept).
  bool running() noexcept;
  /// The raw wait status (for WIFEXITED etc.) once the child has exited, else nullopt.
  std::optional<int> poll() noexcept;
  /// Waits up to `timeout` for the exit; the raw wait status, or nullopt if still running.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) noexcept;
  /// Sends `signal_number` to our child while it runs (e.g. SIGTERM, SIGINT).
  void signal(int signal_number) const noexcept;
  /// SIGTERM to our PID, then SIGKILL if it has not exited after `grace`; reaps it. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5)) noexcept;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string log_path_;
};

}  // namespace lottery::integration
