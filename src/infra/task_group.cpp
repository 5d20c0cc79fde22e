// SPDX-License-Identifier: Apache-2.0
#include "infra/task_group.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <exception>

namespace lottery::infra {

namespace {

/// Turns an exception from a finished task into one log line (or none).
void report(const LogSink& log, const std::string& name, std::exception_ptr error) {
  if (!error || !log) return;
  try {
    std::rethrow_exception(error);
  } catch (const boost::system::system_error& e) {
    if (e.code() == boost::asio::error::operation_aborted) {
      log(name + " cancelled");
    } else {
      log(name + " failed: " + e.what());
    }
  } catch (const std::exception& e) {
    log(name + " failed: " + e.what());
  } catch (...) {
    log(name + " failed: unknown exception");
  }
}

}  // namespace

void spawn_logged(Executor executor, Task<void> task, std::string name, LogSink log) {
  boost::asio::co_spawn(executor, std::move(task),
                        [name = std::move(name), log = std::move(log)](std::exception_ptr error) {
                          report(log, name, error);
                        });
}

TaskGroup::TaskGroup(Executor executor, LogSink log)
    : executor_(std::move(executor)), log_(std::move(log)) {}

TaskGroup::~TaskGroup() {
  // Tasks still running hold a pointer to this group; cancelling here is the
  // best we can do for a caller that broke the contract.
  cancel_all();
}

void TaskGroup::spawn(std::string name, Task<void> task) {
  std::shared_ptr<Entry> entry;
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    if (cancelled_) {
      if (log_) log_(name + " not started: task group is shutting down");
      return;
    }
    id = next_id_++;
    entry = std::make_shared<Entry>(executor_);
    running_.emplace(id, entry);
  }
  boost::asio::co_spawn(
      entry->strand, std::move(task),
      boost::asio::bind_cancellation_slot(
          entry->signal.slot(), [this, id, name = std::move(name)](std::exception_ptr error) {
            finished(id, name, error);
          }));
}

void TaskGroup::finished(std::uint64_t id, const std::string& name, std::exception_ptr error) {
  report(log_, name, error);
  std::vector<std::shared_ptr<Signal>> wake;
  {
    std::lock_guard lock(mutex_);
    running_.erase(id);
    if (running_.empty()) wake.swap(joiners_);
  }
  for (auto& signal : wake) signal->try_send(boost::system::error_code{});
}

void TaskGroup::cancel_all() {
  std::vector<std::shared_ptr<Entry>> entries;
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    for (auto& [id, entry] : running_) entries.push_back(entry);
  }
  // cancellation_signal::emit is not thread-safe: emit on the task's strand.
  for (auto& entry : entries) {
    boost::asio::post(entry->strand,
                      [entry] { entry->signal.emit(boost::asio::cancellation_type::terminal); });
  }
}

std::size_t TaskGroup::active() const {
  std::lock_guard lock(mutex_);
  return running_.size();
}

Task<void> TaskGroup::join() {
  auto executor = co_await boost::asio::this_coro::executor;
  auto signal = std::make_shared<Signal>(executor, 1);
  {
    std::lock_guard lock(mutex_);
    if (running_.empty()) co_return;
    joiners_.push_back(signal);
  }
  boost::system::error_code ec;
  co_await signal->async_receive(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

}  // namespace lottery::infra
