// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "infra/task.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace lottery::infra {

/// Thrown by `with_timeout` when the deadline passes first. The message names
/// the operation and the limit, e.g. "eth_call timed out after 5000 ms".
class TimeoutError : public std::runtime_error {
 public:
  TimeoutError(const std::string& what_op, std::chrono::milliseconds limit)
      : std::runtime_error(what_op + " timed out after " + std::to_string(limit.count()) + " ms"),
        limit_(limit) {}
  std::chrono::milliseconds limit() const noexcept { return limit_; }

 private:
  std::chrono::milliseconds limit_;
};

namespace detail {
template <class T>
Task<std::optional<T>> wrap_optional(Task<T> task) {
  co_return std::optional<T>(co_await std::move(task));
}
}  // namespace detail

/// Runs `task` and a timer of `timeout` concurrently on `executor`; whichever
/// finishes first wins and the other is cancelled (terminal cancellation).
/// Returns the task's value, rethrows its exception at once, or throws
/// `TimeoutError`.
///
/// Precondition: the task must react to cancellation (Asio/Beast I/O does);
/// a task blocked in something uncancellable delays the timeout until it ends.
/// After a timeout, any stream the task was using is in an unknown state and
/// must be closed by the caller.
template <class T>
Task<T> with_timeout(Executor executor, Task<T> task, std::chrono::steady_clock::duration timeout,
                     std::string what_op = "operation") {
  namespace asio = boost::asio;
  asio::steady_timer timer(executor, timeout);
  const auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
  if constexpr (std::is_void_v<T>) {
    auto [order, task_error, timer_ec] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(executor, std::move(task), asio::deferred),
            timer.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::deferred);
    (void)timer_ec;
    if (order[0] == 1) throw TimeoutError(what_op, limit);
    if (task_error) std::rethrow_exception(task_error);
  } else {
    auto [order, task_error, value, timer_ec] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(executor, detail::wrap_optional(std::move(task)), asio::deferred),
            timer.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::deferred);
    (void)timer_ec;
    if (order[0] == 1) throw TimeoutError(what_op, limit);
    if (task_error) std::rethrow_exception(task_error);
    co_return std::move(*value);
  }
}

/// Same as above on the calling coroutine's executor.
template <class T>
Task<T> with_timeout(Task<T> task, std::chrono::steady_clock::duration timeout,
                     std::string what_op = "operation") {
  auto executor = co_await boost::asio::this_coro::executor;
  co_return co_await with_timeout(executor, std::move(task), timeout, std::move(what_op));
}

}  // namespace lottery::infra
