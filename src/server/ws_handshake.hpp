// SPDX-License-Identifier: Apache-2.0
#pragma once
// The server's answer to a WebSocket upgrade request (RFC 6455 §4.2): the
// 101 response that accepts it, or the 4xx that says what was wrong.

#include "server/http.hpp"

#include <optional>
#include <string>

namespace lottery::server {

struct WsHandshake {
  /// The whole "101 Switching Protocols" response, when the request is a valid handshake.
  std::string accept;
  /// Otherwise the refusal: 400 for a missing or malformed key or a request
  /// that is not an HTTP/1.1 GET upgrade, 426 (naming version 13) for
  /// another protocol version.
  std::optional<Response> refusal;
};

/// Checks `request` (already known to ask for an upgrade) and builds the answer.
WsHandshake ws_handshake(const Request& request);

}  // namespace lottery::server
