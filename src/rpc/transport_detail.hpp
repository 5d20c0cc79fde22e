// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to lottery_rpc: shared helpers of the HTTP and WebSocket transports.

#include "rpc/transport.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include <openssl/ssl.h>

namespace lottery::rpc::detail {

std::shared_ptr<Transport> make_http_transport(infra::Executor executor, Endpoint endpoint,
                                               TransportOptions options);
std::shared_ptr<Transport> make_ws_transport(const infra::Executor& executor, Endpoint endpoint,
                                             TransportOptions options);

/// Sets SNI (names only; IP literals must not be sent) and RFC 6125 host name
/// verification on an OpenSSL stream before its handshake.
template <class SslStream>
void prepare_tls(SslStream& stream, const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (ec) {
    // SSL_set_tlsext_host_name is a macro with a C cast; call what it expands to.
    SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(host.c_str()));
  }
  stream.set_verify_mode(boost::asio::ssl::verify_peer);
  stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
}

/// Maps an I/O error to the caller-facing error kind and sentence.
inline RpcError io_error(const boost::system::error_code& ec, std::string_view phase,
                         const Endpoint& endpoint, const TransportOptions& options,
                         std::chrono::milliseconds timeout) {
  namespace beast = boost::beast;
  if (ec == beast::error::timeout) {
    return make_error(RpcErrc::kTimeout, std::string(phase) + " timed out after " +
                                             std::to_string(timeout.count()) + " ms");
  }
  if (ec == beast::http::error::body_limit || ec == beast::websocket::error::message_too_big ||
      ec == beast::http::error::buffer_overflow) {
    return make_error(
        RpcErrc::kResponseTooLarge,
        "reply exceeds the limit of " + std::to_string(options.max_response_bytes) + " bytes");
  }
  if (ec == beast::http::error::header_limit) {
    return make_error(
        RpcErrc::kResponseTooLarge,
        "reply headers exceed the limit of " + std::to_string(options.max_header_bytes) + " bytes");
  }
  return make_error(RpcErrc::kTransport, std::string(phase) + " with " + endpoint.redacted() +
                                             " failed: " + ec.message());
}

}  // namespace lottery::rpc::detail
