// SPDX-License-Identifier: Apache-2.0
#pragma once

// Starts Debian's redis-server for a test on a free 127.0.0.1 port, without persistence, and
// stops it by PID. It can be paused (SIGSTOP: a partition as the clients see it), resumed, killed
// and started again on the same port (a restart that lost its data).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace lottery::integration {

class RedisProcess {
 public:
  /// Starts redis-server and waits until it answers PING. Throws std::runtime_error (with its
  /// output) when it cannot start.
  explicit RedisProcess(std::string log_path);
  ~RedisProcess();
  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;

  /// /usr/bin/redis-server (or from PATH); "" when missing.
  static std::string binary_path();
  static bool available() { return !binary_path().empty(); }

  std::uint16_t port() const noexcept { return port_; }
  pid_t pid() const noexcept { return pid_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

  void pause();   ///< SIGSTOP
  void resume();  ///< SIGCONT
  /// SIGKILL and reap. Idempotent.
  void kill();
  /// Starts again on the same port (after `kill`), empty.
  void restart();
  /// One command over a fresh connection (inline protocol); the raw reply, "" on failure.
  std::string command(const std::string& line,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(1000)) const;

 private:
  void spawn();
  std::string log_path_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace lottery::integration
