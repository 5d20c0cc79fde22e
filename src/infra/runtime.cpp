// SPDX-License-Identifier: Apache-2.0
#include "infra/runtime.hpp"

#include <sched.h>

#include <boost/asio/post.hpp>

#include <csignal>
#include <exception>
#include <thread>

namespace lottery::infra {

namespace {
// One thread per core this process may run on: the affinity mask, not the
// machine's core count, so a service pinned with taskset or a cpuset (a
// container's --cpuset-cpus) does not run more threads than cores and pay
// for the switching.
std::size_t resolve_threads(std::size_t requested) {
  return requested != 0 ? requested : usable_cores();
}
}  // namespace

std::size_t usable_cores() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (::sched_getaffinity(0, sizeof(allowed), &allowed) == 0) {
    const int count = CPU_COUNT(&allowed);
    if (count > 0) return static_cast<std::size_t>(count);
  }
  const auto hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

Runtime::Runtime(std::size_t threads)
    : threads_(resolve_threads(threads)),
      context_(static_cast<int>(threads_)),
      signals_(context_, SIGINT, SIGTERM) {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal_number) {
    if (!ec) fire_stop(signal_number);
  });
}

Runtime::~Runtime() {
  boost::system::error_code ignored;
  signals_.cancel(ignored);
}

void Runtime::on_stop(std::function<void(int)> callback) {
  std::unique_lock lock(mutex_);
  if (stopped_) {
    lock.unlock();
    boost::asio::post(context_, [cb = std::move(callback)] { cb(0); });
    return;
  }
  callbacks_.push_back(std::move(callback));
}

void Runtime::request_stop() {
  boost::asio::post(context_, [this] { fire_stop(0); });
}

void Runtime::fire_stop(int signal_number) {
  std::vector<std::function<void(int)>> callbacks;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    callbacks.swap(callbacks_);
  }
  // The signal_set must not keep run() alive once shutdown has started.
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  for (auto& cb : callbacks) cb(signal_number);
}

void Runtime::force_stop() {
  context_.stop();
}

bool Runtime::stop_requested() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

void Runtime::run() {
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&] {
    try {
      context_.run();
    } catch (...) {
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      context_.stop();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads_ - 1);
  for (std::size_t i = 1; i < threads_; ++i) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace lottery::infra
