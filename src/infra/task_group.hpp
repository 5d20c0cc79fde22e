// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "infra/task.hpp"

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/strand.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace lottery::infra {

/// Where loop-boundary failures are reported. There is no logging library in
/// this layer; the app injects a sink that forwards to the real logger.
/// May be called from any I/O thread, concurrently.
using LogSink = std::function<void(std::string_view message)>;

/// Spawns `task` detached on `executor`. An exception escaping the task is
/// caught at this boundary and reported as "<name> failed: <what>" to `log`
/// (when set) instead of reaching `io_context::run`. Cancellation
/// (operation_aborted) is reported as "<name> cancelled".
void spawn_logged(Executor executor, Task<void> task, std::string name, LogSink log);

/// A set of long-running tasks (loops) with one owner. Each task runs on its
/// own strand of the group's executor; exceptions are caught and logged as in
/// `spawn_logged`. `cancel_all()` delivers terminal cancellation to every
/// running task (their pending I/O completes with operation_aborted), and
/// `join()` waits until all tasks have finished.
///
/// Thread-safe. The group must outlive its tasks: call `cancel_all()` and
/// await `join()` before destroying it.
class TaskGroup {
 public:
  TaskGroup(Executor executor, LogSink log);
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  /// Starts `task` (ignored, and logged, after `cancel_all()`).
  void spawn(std::string name, Task<void> task);

  /// Requests cancellation of every running task; new spawns are refused.
  void cancel_all();

  /// Number of tasks that have not finished yet.
  std::size_t active() const;

  /// Completes once `active() == 0`.
  Task<void> join();

 private:
  struct Entry {
    boost::asio::strand<Executor> strand;
    boost::asio::cancellation_signal signal;
    explicit Entry(const Executor& ex) : strand(boost::asio::make_strand(ex)) {}
  };
  void finished(std::uint64_t id, const std::string& name, std::exception_ptr error);

  Executor executor_;
  LogSink log_;
  mutable std::mutex mutex_;
  std::map<std::uint64_t, std::shared_ptr<Entry>> running_;
  std::uint64_t next_id_ = 0;
  bool cancelled_ = false;
  // Joiners wait on thread-safe channels that are signalled when the group drains.
  using Signal = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;
  std::vector<std::shared_ptr<Signal>> joiners_;
};

}  // namespace lottery::infra
