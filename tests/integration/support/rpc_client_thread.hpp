// SPDX-License-Identifier: Apache-2.0
#pragma once

// Our RPC client on an io_context of its own, run by a background thread, so that synchronous test
// code can drive the async follower and operator (co_spawn on `io()`, then wait on a future).
//
//   RpcClientThread rpc(chain.http_url());
//   operation::RpcNode node(rpc.client());
//
// The destructor closes the client, lets the io_context stop and joins the thread: destroy what
// uses the client first. Not copyable or movable (the thread refers to this object).

#include "rpc/client.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string_view>
#include <thread>

namespace lottery::integration {

class RpcClientThread {
 public:
  /// Starts the thread and creates a client for `urls` (comma-separated, as RpcClient::create
  /// takes them) with default options.
  explicit RpcClientThread(std::string_view urls);
  ~RpcClientThread();
  RpcClientThread(const RpcClientThread&) = delete;
  RpcClientThread& operator=(const RpcClientThread&) = delete;

  boost::asio::io_context& io() { return io_; }
  rpc::RpcClient& client() { return *client_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  std::thread thread_;
  std::unique_ptr<rpc::RpcClient> client_;
};

}  // namespace lottery::integration
