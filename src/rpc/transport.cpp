// SPDX-License-Identifier: Apache-2.0
#include "rpc/transport.hpp"

#include "rpc/transport_detail.hpp"

namespace lottery::rpc {

std::shared_ptr<boost::asio::ssl::context> make_default_tls_context() {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  // Honours SSL_CERT_FILE / SSL_CERT_DIR, else the distribution's CA bundle.
  ctx->set_default_verify_paths();
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

infra::Task<std::shared_ptr<Subscription>> Transport::subscribe(RequestId, boost::json::array,
                                                                std::chrono::milliseconds) {
  throw RpcException(make_error(RpcErrc::kOther, "subscriptions need a ws:// or wss:// endpoint"));
  co_return nullptr;
}

std::shared_ptr<Transport> make_transport(infra::Executor executor, Endpoint endpoint,
                                          TransportOptions options) {
  if (endpoint.is_tls() && !options.tls) options.tls = make_default_tls_context();
  if (endpoint.is_websocket()) {
    return detail::make_ws_transport(std::move(executor), std::move(endpoint), std::move(options));
  }
  return detail::make_http_transport(std::move(executor), std::move(endpoint), std::move(options));
}

}  // namespace lottery::rpc
