// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "infra/task.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

namespace lottery::infra {

/// Owns the service's one `io_context`, the threads that run it, and a
/// signal_set for SIGINT/SIGTERM.
///
/// Usage: construct, register `on_stop` callbacks and spawn the service's
/// tasks on `executor()`, then call `run()` from main. The first SIGINT/SIGTERM
/// (or a call to `request_stop()`) invokes every stop callback once, on an I/O
/// thread, in registration order; the callbacks begin graceful shutdown (close
/// listeners, cancel loops). `run()` returns once all work has finished, or
/// when `force_stop()` is called (e.g. after a shutdown deadline).
/// Cores this process may run on: its CPU affinity mask (after taskset or a
/// cpuset), else the machine's count; at least 1.
std::size_t usable_cores();

class Runtime {
 public:
  /// `threads` == 0 means one thread per core the process may run on (its CPU
  /// affinity mask, e.g. after taskset or a cpuset; at least 1).
  explicit Runtime(std::size_t threads = 0);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  boost::asio::io_context& context() noexcept { return context_; }
  Executor executor() noexcept { return context_.get_executor(); }
  std::size_t thread_count() const noexcept { return threads_; }

  /// Registers `callback(signal_number)`; signal_number is 0 for `request_stop()`.
  /// Callbacks registered after the stop was requested run immediately (posted).
  void on_stop(std::function<void(int)> callback);

  /// Starts graceful shutdown as if SIGTERM had arrived. Thread-safe, idempotent.
  void request_stop();

  /// Stops the io_context at once; pending handlers are abandoned. Thread-safe.
  void force_stop();

  /// True once a signal arrived or `request_stop()` was called.
  bool stop_requested() const;

  /// Runs the io_context on `thread_count()` threads (the caller's thread is
  /// one of them) and joins them. The signal wait keeps the context busy, so
  /// this returns only after a stop was requested and the remaining work has
  /// drained, or on `force_stop()`. Exceptions escaping a handler are a bug: they are
  /// rethrown here after the other threads are stopped.
  void run();

 private:
  void fire_stop(int signal_number);

  std::size_t threads_;
  boost::asio::io_context context_;
  boost::asio::signal_set signals_;
  mutable std::mutex mutex_;
  std::vector<std::function<void(int)>> callbacks_;
  bool stopped_ = false;
};

}  // namespace lottery::infra
