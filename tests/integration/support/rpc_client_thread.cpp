// SPDX-License-Identifier: Apache-2.0
#include "support/rpc_client_thread.hpp"

namespace lottery::integration {

RpcClientThread::RpcClientThread(std::string_view urls)
    : thread_([this] { io_.run(); }), client_(rpc::RpcClient::create(io_.get_executor(), urls)) {}

RpcClientThread::~RpcClientThread() {
  client_->close();
  work_.reset();
  io_.stop();
  thread_.join();
}

}  // namespace lottery::integration
