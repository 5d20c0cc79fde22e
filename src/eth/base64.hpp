// SPDX-License-Identifier: Apache-2.0
#pragma once
// Standard base64 (RFC 4648 §4, with padding): HTTP Basic credentials for RPC
// endpoints and the WebSocket handshake's Sec-WebSocket-Accept.

#include <string>
#include <string_view>

namespace lottery::eth {

/// Encodes `bytes` (any octets) as padded base64.
std::string base64_encode(std::string_view bytes);

/// True when `text` is padded base64 of exactly `decoded_size` bytes.
bool is_base64_of_size(std::string_view text, std::size_t decoded_size) noexcept;

}  // namespace lottery::eth
