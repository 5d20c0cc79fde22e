// SPDX-License-Identifier: Apache-2.0
#pragma once
// The server side of RFC 6455 framing, pure (no I/O): the handshake's accept
// key, unmasked frame headers for what the server sends, and an incremental
// reader of the masked frames a client sends. The session (ws.hpp) writes a
// broadcast message as one header built here plus the payload every client
// shares, so a message is serialised once however many clients get it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace lottery::server {

enum class WsOpcode : std::uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

/// Close status codes (RFC 6455 §7.4.1) the server sends.
namespace ws_status {
inline constexpr std::uint16_t kNormal = 1000;
inline constexpr std::uint16_t kGoingAway = 1001;
inline constexpr std::uint16_t kProtocolError = 1002;
inline constexpr std::uint16_t kInvalidPayload = 1007;
inline constexpr std::uint16_t kPolicyViolation = 1008;
inline constexpr std::uint16_t kMessageTooBig = 1009;
}  // namespace ws_status

/// The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key (§4.2.2):
/// base64(SHA-1(key + the protocol's GUID)).
std::string ws_accept_key(std::string_view client_key);

/// The header of one unmasked, final server frame carrying `payload_size` bytes.
struct WsFrameHeader {
  std::array<char, 10> bytes{};
  std::uint8_t size = 0;
  std::string_view view() const noexcept { return {bytes.data(), size}; }
};
WsFrameHeader ws_frame_header(WsOpcode opcode, std::size_t payload_size) noexcept;

/// A whole unmasked server frame (for control frames and tests).
std::string ws_frame(WsOpcode opcode, std::string_view payload);
/// A close frame with `status` and an optional short reason.
std::string ws_close_frame(std::uint16_t status, std::string_view reason = {});

/// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code
/// points above U+10FFFF), as text messages and close reasons must be.
bool is_valid_utf8(std::string_view text) noexcept;

/// A complete client message (text or binary, reassembled from its
/// fragments) or a control frame. For close, `payload` is the raw body:
/// empty, or a status code and a UTF-8 reason.
struct WsClientFrame {
  WsOpcode opcode = WsOpcode::kText;
  std::string payload;
};

/// Reads the frames of one client connection from the bytes as they arrive.
class WsFrameReader {
 public:
  explicit WsFrameReader(std::size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

  /// Parses `bytes` and calls `on_frame` for each complete message and each
  /// control frame, in order. Returns nullopt, or the close status the
  /// connection must be failed with: 1002 for a protocol violation (an
  /// unmasked frame, reserved bits or opcodes, a fragmented or oversized
  /// control frame, a continuation without a message), 1007 for text that
  /// is not UTF-8, 1009 for a message above the limit. Once failed, it stays
  /// failed and reads nothing more.
  std::optional<std::uint16_t> feed(std::string_view bytes,
                                    const std::function<void(WsClientFrame&&)>& on_frame);

  /// Bytes held for an incomplete frame or fragmented message (0 when idle).
  std::size_t buffered() const noexcept { return pending_.size() + message_.size(); }

 private:
  /// Parses one frame at the start of `data`: bytes consumed (0 = incomplete).
  std::size_t parse_frame(std::string_view data,
                          const std::function<void(WsClientFrame&&)>& on_frame);

  std::size_t max_message_bytes_;
  std::string pending_;  ///< the start of a frame that has not fully arrived
  std::string message_;  ///< fragments of a message so far
  std::optional<WsOpcode> message_opcode_;
  std::optional<std::uint16_t> failed_;
};

}  // namespace lottery::server
