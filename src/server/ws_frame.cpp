// SPDX-License-Identifier: Apache-2.0
#include "server/ws_frame.hpp"

#include "eth/base64.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace lottery::server {

namespace {

constexpr std::string_view kHandshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::size_t kMaxControlPayload = 125;

bool is_known_opcode(unsigned op) noexcept {
  return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

/// Status codes a peer may put in a close frame (§7.4): not the reserved
/// 1004/1005/1006/1015, nor anything below 1000 or in 1016..2999.
bool is_sendable_close_status(std::uint16_t status) noexcept {
  if (status >= 3000 && status <= 4999) return true;
  if (status < 1000 || status > 1014) return false;
  return status != 1004 && status != 1005 && status != 1006;
}

std::uint8_t byte_at(std::string_view data, std::size_t i) noexcept {
  return static_cast<std::uint8_t>(data[i]);
}

}  // namespace

std::string ws_accept_key(std::string_view client_key) {
  std::string input(client_key);
  input += kHandshakeGuid;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(input.data(), input.size(), digest.data(), &size, EVP_sha1(), nullptr) != 1) {
    throw std::runtime_error("SHA-1 for the WebSocket handshake failed in OpenSSL");
  }
  return eth::base64_encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), size));  // NOLINT
}

WsFrameHeader ws_frame_header(WsOpcode opcode, std::size_t payload_size) noexcept {
  WsFrameHeader header;
  header.bytes[0] = static_cast<char>(0x80U | static_cast<unsigned>(opcode));
  if (payload_size <= 125) {
    header.bytes[1] = static_cast<char>(payload_size);
    header.size = 2;
  } else if (payload_size <= 0xFFFF) {
    header.bytes[1] = static_cast<char>(126);
    header.bytes[2] = static_cast<char>((payload_size >> 8) & 0xFF);
    header.bytes[3] = static_cast<char>(payload_size & 0xFF);
    header.size = 4;
  } else {
    header.bytes[1] = static_cast<char>(127);
    const auto size64 = static_cast<std::uint64_t>(payload_size);
    for (std::size_t i = 0; i < 8; ++i) {
      header.bytes[2 + i] = static_cast<char>((size64 >> (56 - 8 * i)) & 0xFF);
    }
    header.size = 10;
  }
  return header;
}

std::string ws_frame(WsOpcode opcode, std::string_view payload) {
  const auto header = ws_frame_header(opcode, payload.size());
  std::string out;
  out.reserve(header.size + payload.size());
  out.append(header.view());
  out.append(payload);
  return out;
}

std::string ws_close_frame(std::uint16_t status, std::string_view reason) {
  std::string body;
  body += static_cast<char>(status >> 8);
  body += static_cast<char>(status & 0xFF);
  body.append(reason.substr(0, kMaxControlPayload - 2));
  return ws_frame(WsOpcode::kClose, body);
}

bool is_valid_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::uint8_t lead = byte_at(text, i);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code = 0;
    std::uint32_t smallest = 0;
    if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code = lead & 0x1FU;
      smallest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code = lead & 0x0FU;
      smallest = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code = lead & 0x07U;
      smallest = 0x10000;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const std::uint8_t next = byte_at(text, i + k);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3FU);
    }
    if (code < smallest || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

std::optional<std::uint16_t> WsFrameReader::feed(
    std::string_view bytes, const std::function<void(WsClientFrame&&)>& on_frame) {
  if (failed_) return failed_;
  // Parse straight from the caller's bytes; only an incomplete tail is kept.
  std::string_view data = bytes;
  if (!pending_.empty()) {
    pending_.append(bytes);
    data = pending_;
  }
  std::size_t used = 0;
  while (!failed_) {
    const std::size_t consumed = parse_frame(data.substr(used), on_frame);
    if (consumed == 0) break;
    used += consumed;
  }
  if (failed_) {
    std::string().swap(pending_);
    std::string().swap(message_);
    return failed_;
  }
  if (data.data() == pending_.data()) {
    pending_.erase(0, used);
  } else {
    pending_.assign(data.substr(used));
  }
  // An idle client holds no buffer at all.
  if (pending_.empty()) std::string().swap(pending_);
  return std::nullopt;
}

std::size_t WsFrameReader::parse_frame(std::string_view data,
                                       const std::function<void(WsClientFrame&&)>& on_frame) {
  if (data.size() < 2) return 0;
  const std::uint8_t b0 = byte_at(data, 0);
  const std::uint8_t b1 = byte_at(data, 1);
  const bool fin = (b0 & 0x80U) != 0;
  const unsigned op = b0 & 0x0FU;
  const bool control = (op & 0x8U) != 0;
  const std::uint8_t length7 = b1 & 0x7FU;
  // No extension is negotiated, so the reserved bits must be clear; a client
  // must mask every frame (§5.1); control frames are short and whole (§5.5).
  if ((b0 & 0x70U) != 0 || (b1 & 0x80U) == 0 || !is_known_opcode(op) ||
      (control && (!fin || length7 > kMaxControlPayload))) {
    failed_ = ws_status::kProtocolError;
    return 0;
  }
  const std::size_t extended = length7 == 126 ? 2 : (length7 == 127 ? 8 : 0);
  const std::size_t header_size = 2 + extended + 4;
  if (data.size() < header_size) return 0;
  std::uint64_t length = length7;
  if (extended != 0) {
    length = 0;
    for (std::size_t i = 0; i < extended; ++i) length = (length << 8) | byte_at(data, 2 + i);
  }
  // Checked before waiting for the payload, so a client cannot make the
  // server buffer more than the limit.
  if (!control && (length > max_message_bytes_ || message_.size() + length > max_message_bytes_)) {
    failed_ = ws_status::kMessageTooBig;
    return 0;
  }
  if (data.size() - header_size < length) return 0;
  const auto size = static_cast<std::size_t>(length);
  std::string payload(data.substr(header_size, size));
  for (std::size_t i = 0; i < size; ++i) {
    payload[i] = static_cast<char>(static_cast<std::uint8_t>(payload[i]) ^
                                   byte_at(data, 2 + extended + i % 4));
  }
  const auto opcode = static_cast<WsOpcode>(op);
  const std::size_t consumed = header_size + size;

  if (control) {
    if (opcode == WsOpcode::kClose && !payload.empty()) {
      if (payload.size() < 2 || !is_sendable_close_status(static_cast<std::uint16_t>(
                                    (byte_at(payload, 0) << 8) | byte_at(payload, 1)))) {
        failed_ = ws_status::kProtocolError;
        return 0;
      }
      if (!is_valid_utf8(std::string_view(payload).substr(2))) {
        failed_ = ws_status::kInvalidPayload;
        return 0;
      }
    }
    on_frame({opcode, std::move(payload)});
    return consumed;
  }
  if (opcode == WsOpcode::kContinuation) {
    if (!message_opcode_) {
      failed_ = ws_status::kProtocolError;
      return 0;
    }
    message_ += payload;
  } else {
    if (message_opcode_) {  // a new message before the last one finished
      failed_ = ws_status::kProtocolError;
      return 0;
    }
    message_opcode_ = opcode;
    message_ = std::move(payload);
  }
  if (!fin) return consumed;
  WsClientFrame message{*message_opcode_, std::move(message_)};
  std::string().swap(message_);
  message_opcode_.reset();
  if (message.opcode == WsOpcode::kText && !is_valid_utf8(message.payload)) {
    failed_ = ws_status::kInvalidPayload;
    return 0;
  }
  on_frame(std::move(message));
  return consumed;
}

}  // namespace lottery::server
