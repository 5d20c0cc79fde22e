// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace lottery::infra {

/// A C++20 coroutine on Boost.Asio. Every asynchronous function of the
/// service returns `Task<T>`; start one with `boost::asio::co_spawn` or await
/// it from another task.
template <class T = void>
using Task = boost::asio::awaitable<T>;

/// The executor type used throughout the service (type-erased so components
/// can run on an io_context, a strand, or a test's context alike).
using Executor = boost::asio::any_io_executor;

}  // namespace lottery::infra
