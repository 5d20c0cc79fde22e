// SPDX-License-Identifier: Apache-2.0
#include "server/ws_handshake.hpp"

#include "eth/base64.hpp"
#include "server/ws_frame.hpp"

#include <boost/beast/websocket/rfc6455.hpp>

namespace lottery::server {

namespace {

constexpr std::size_t kKeyBytes = 16;  // §4.1: a random 16-byte nonce, base64-encoded

}  // namespace

WsHandshake ws_handshake(const Request& request) {
  WsHandshake out;
  if (request.method() != http::verb::get || request.version() < 11 ||
      !boost::beast::websocket::is_upgrade(request)) {
    out.refusal = error_response(http::status::bad_request, "bad_websocket_handshake",
                                 "A WebSocket connection starts with an HTTP/1.1 GET carrying "
                                 "'Connection: Upgrade' and 'Upgrade: websocket'.");
    return out;
  }
  if (request[http::field::sec_websocket_version] != "13") {
    out.refusal = error_response(http::status::upgrade_required, "unsupported_websocket_version",
                                 "Only WebSocket protocol version 13 (RFC 6455) is supported; "
                                 "send 'Sec-WebSocket-Version: 13'.");
    out.refusal->headers.emplace_back("Sec-WebSocket-Version", "13");
    return out;
  }
  const auto key = request[http::field::sec_websocket_key];
  if (!eth::is_base64_of_size(key, kKeyBytes)) {
    out.refusal = error_response(
        http::status::bad_request, "bad_websocket_key",
        "Sec-WebSocket-Key must be 16 random bytes in base64 (24 characters ending in '==').");
    return out;
  }
  out.accept =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  out.accept += ws_accept_key(key);
  out.accept += "\r\nServer: lottery\r\n\r\n";
  return out;
}

}  // namespace lottery::server
