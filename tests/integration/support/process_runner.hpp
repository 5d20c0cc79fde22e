// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runs an external program (no shell) and captures what it prints. Used by integration tests that
// check our code against a reference tool such as Foundry's `cast`.

#include <sys/types.h>

#include <chrono>
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

/// A long-running child (such as an Anvil node) with stdout and stderr appended to a log file.
/// The destructor stops it, so a failing test cannot leave it behind.
class BackgroundProcess {
 public:
  /// Starts `argv[0]` (a path) with `argv[1..]`, stdin on /dev/null, output to `log_path`
  /// (created or truncated). Throws std::system_error when it cannot be spawned,
  /// std::invalid_argument for an empty `argv`.
  BackgroundProcess(const std::vector<std::string>& argv, std::string log_path);
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  ~BackgroundProcess();

  pid_t pid() const noexcept { return pid_; }
  const std::string& log_path() const noexcept { return log_path_; }
  /// Everything the process has written so far.
  std::string read_log() const;
  /// False once the process has exited (it is reaped then).
  bool running() noexcept;
  /// SIGTERM to our PID, then SIGKILL if it has not exited after `grace`; reaps it. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5)) noexcept;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

}  // namespace lottery::integration
