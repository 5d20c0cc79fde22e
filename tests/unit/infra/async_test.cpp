// SPDX-License-Identifier: Apache-2.0
#include "infra/runtime.hpp"

#include <sched.h>
#include "infra/task_group.hpp"
#include "infra/timeout.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace asio = boost::asio;
using lottery::infra::Task;

namespace {

Task<int> sleep_then(std::chrono::milliseconds d, int value) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
  co_return value;
}

Task<void> sleep_then_throw(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
  throw std::runtime_error("boom");
}

template <class T>
T run_task(asio::io_context& ctx, Task<T> task) {
  auto fut = asio::co_spawn(ctx, std::move(task), asio::use_future);
  ctx.run();
  ctx.restart();
  return fut.get();
}

}  // namespace

TEST(WithTimeout, ReturnsValueWhenTaskWins) {
  asio::io_context ctx;
  EXPECT_EQ(run_task(ctx, lottery::infra::with_timeout(sleep_then(5ms, 7), 2s, "sleep")), 7);
}

TEST(WithTimeout, ThrowsTimeoutErrorWhenDeadlinePasses) {
  asio::io_context ctx;
  const auto start = std::chrono::steady_clock::now();
  try {
    run_task(ctx, lottery::infra::with_timeout(sleep_then(10s, 1), 50ms, "slow thing"));
    FAIL() << "expected TimeoutError";
  } catch (const lottery::infra::TimeoutError& e) {
    EXPECT_EQ(std::string(e.what()), "slow thing timed out after 50 ms");
    EXPECT_EQ(e.limit(), 50ms);
  }
  // The cancelled sleeper must not hold the context for its full 10 s.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(WithTimeout, PropagatesTaskException) {
  asio::io_context ctx;
  EXPECT_THROW(run_task(ctx, lottery::infra::with_timeout(sleep_then_throw(1ms), 2s)),
               std::runtime_error);
}

TEST(TaskGroup, LogsFailuresAndJoins) {
  asio::io_context ctx;
  std::mutex mutex;
  std::vector<std::string> lines;
  lottery::infra::TaskGroup group(ctx.get_executor(), [&](std::string_view line) {
    std::lock_guard lock(mutex);
    lines.emplace_back(line);
  });
  std::atomic<int> done{0};
  group.spawn("ok-task", [&]() -> Task<void> {
    co_await sleep_then(2ms, 0);
    ++done;
  }());
  group.spawn("bad-task", sleep_then_throw(1ms));
  EXPECT_EQ(group.active(), 2u);
  run_task(ctx, group.join());
  EXPECT_EQ(group.active(), 0u);
  EXPECT_EQ(done.load(), 1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "bad-task failed: boom");
}

TEST(TaskGroup, CancelAllStopsLoops) {
  asio::io_context ctx;
  std::vector<std::string> lines;
  lottery::infra::TaskGroup group(ctx.get_executor(),
                                  [&](std::string_view line) { lines.emplace_back(line); });
  group.spawn("forever", []() -> Task<void> {
    for (;;) co_await sleep_then(1h, 0);
  }());
  asio::steady_timer t(ctx, 20ms);
  t.async_wait([&](auto) { group.cancel_all(); });
  const auto start = std::chrono::steady_clock::now();
  run_task(ctx, group.join());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "forever cancelled");
  group.spawn("late", sleep_then_throw(1ms));
  EXPECT_EQ(group.active(), 0u);
}

TEST(SpawnLogged, CatchesExceptionAtBoundary) {
  asio::io_context ctx;
  std::string line;
  lottery::infra::spawn_logged(ctx.get_executor(), sleep_then_throw(1ms), "loop",
                               [&](std::string_view l) { line = l; });
  ctx.run();
  EXPECT_EQ(line, "loop failed: boom");
}

TEST(Runtime, RequestStopRunsCallbacksAndRunReturns) {
  lottery::infra::Runtime runtime(2);
  EXPECT_EQ(runtime.thread_count(), 2u);
  std::atomic<int> calls{0};
  std::atomic<int> signal_seen{-1};
  runtime.on_stop([&](int sig) {
    ++calls;
    signal_seen = sig;
  });
  asio::steady_timer timer(runtime.context(), 10ms);
  timer.async_wait([&](auto) {
    runtime.request_stop();
    runtime.request_stop();
  });
  runtime.run();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(signal_seen.load(), 0);
  EXPECT_TRUE(runtime.stop_requested());
}

TEST(Runtime, SigtermTriggersStopCallbacks) {
  lottery::infra::Runtime runtime(1);
  std::atomic<int> signal_seen{-1};
  runtime.on_stop([&](int sig) { signal_seen = sig; });
  asio::steady_timer timer(runtime.context(), 10ms);
  timer.async_wait([](auto) { std::raise(SIGTERM); });
  runtime.run();
  EXPECT_EQ(signal_seen.load(), SIGTERM);
  // A callback registered after the stop still runs (posted).
  std::atomic<bool> late{false};
  runtime.on_stop([&](int) { late = true; });
  runtime.context().restart();
  runtime.context().run();
  EXPECT_TRUE(late.load());
}

TEST(Runtime, DefaultThreadCountFollowsTheAffinityMask) {
  cpu_set_t original;
  CPU_ZERO(&original);
  ASSERT_EQ(::sched_getaffinity(0, sizeof(original), &original), 0);
  EXPECT_EQ(lottery::infra::Runtime().thread_count(),
            static_cast<std::size_t>(CPU_COUNT(&original)));

  // Pinned to one allowed core (as under `taskset -c N`): one thread.
  int first = -1;
  for (int cpu = 0; cpu < CPU_SETSIZE && first < 0; ++cpu) {
    if (CPU_ISSET(cpu, &original)) first = cpu;
  }
  ASSERT_GE(first, 0);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  ASSERT_EQ(::sched_setaffinity(0, sizeof(one), &one), 0);
  const std::size_t pinned = lottery::infra::Runtime().thread_count();
  ASSERT_EQ(::sched_setaffinity(0, sizeof(original), &original), 0);
  EXPECT_EQ(pinned, 1U);
  EXPECT_EQ(lottery::infra::Runtime(3).thread_count(), 3U) << "an explicit count wins";
}
