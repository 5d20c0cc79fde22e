// SPDX-License-Identifier: Apache-2.0
#include "server/ws_frame.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lottery::server {
namespace {

/// A client frame: masked with `key`, as RFC 6455 §5.3 requires.
std::string client_frame(unsigned first_byte, const std::string& payload,
                         const std::string& key = std::string("\x37\xfa\x21\x3d", 4)) {
  std::string out;
  out += static_cast<char>(first_byte);
  if (payload.size() <= 125) {
    out += static_cast<char>(0x80 | payload.size());
  } else if (payload.size() <= 0xFFFF) {
    out += static_cast<char>(0x80 | 126);
    out += static_cast<char>(payload.size() >> 8);
    out += static_cast<char>(payload.size() & 0xFF);
  } else {
    out += static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i) out += static_cast<char>((payload.size() >> (8 * i)) & 0xFF);
  }
  out += key;
  for (std::size_t i = 0; i < payload.size(); ++i)
    out += static_cast<char>(payload[i] ^ key[i % 4]);
  return out;
}

struct Collected {
  std::vector<WsClientFrame> frames;
  std::optional<std::uint16_t> feed(WsFrameReader& reader, const std::string& bytes) {
    return reader.feed(bytes, [this](WsClientFrame&& f) { frames.push_back(std::move(f)); });
  }
};

TEST(WsFrame, AcceptKeyMatchesTheRfcExample) {
  // RFC 6455 §1.3.
  EXPECT_EQ(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsFrame, HeadersUseTheShortestLengthEncoding) {
  // RFC 6455 §5.7: an unmasked "Hello" is 0x81 0x05 "Hello".
  EXPECT_EQ(ws_frame(WsOpcode::kText, "Hello"), std::string("\x81\x05Hello", 7));
  const auto h126 = ws_frame_header(WsOpcode::kText, 256);
  EXPECT_EQ(h126.view(), std::string("\x81\x7e\x01\x00", 4));
  EXPECT_EQ(ws_frame_header(WsOpcode::kText, 125).size, 2);
  EXPECT_EQ(ws_frame_header(WsOpcode::kText, 65535).size, 4);
  const auto h127 = ws_frame_header(WsOpcode::kBinary, 65536);
  EXPECT_EQ(h127.view(), std::string("\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
  EXPECT_EQ(ws_close_frame(1001), std::string("\x88\x02\x03\xe9", 4));
  EXPECT_EQ(ws_frame(WsOpcode::kPong, ""), std::string("\x8a\x00", 2));
}

TEST(WsFrame, ReadsTheRfcMaskedHelloInAnySplit) {
  // RFC 6455 §5.7: a masked "Hello".
  const std::string frame("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
  for (std::size_t cut = 0; cut <= frame.size(); ++cut) {
    WsFrameReader reader(4096);
    Collected c;
    EXPECT_FALSE(c.feed(reader, frame.substr(0, cut)));
    EXPECT_FALSE(c.feed(reader, frame.substr(cut)));
    ASSERT_EQ(c.frames.size(), 1U) << "cut at " << cut;
    EXPECT_EQ(c.frames[0].opcode, WsOpcode::kText);
    EXPECT_EQ(c.frames[0].payload, "Hello");
    EXPECT_EQ(reader.buffered(), 0U);
  }
}

TEST(WsFrame, ReassemblesFragmentsAroundControlFrames) {
  WsFrameReader reader(4096);
  Collected c;
  const std::string bytes = client_frame(0x01, "{\"type\":") + client_frame(0x89, "hi") +
                            client_frame(0x80, "\"ping\"}") + client_frame(0x82, "\x01\x02");
  EXPECT_FALSE(c.feed(reader, bytes));
  ASSERT_EQ(c.frames.size(), 3U);
  EXPECT_EQ(c.frames[0].opcode, WsOpcode::kPing);
  EXPECT_EQ(c.frames[0].payload, "hi");
  EXPECT_EQ(c.frames[1].opcode, WsOpcode::kText);
  EXPECT_EQ(c.frames[1].payload, "{\"type\":\"ping\"}");
  EXPECT_EQ(c.frames[2].opcode, WsOpcode::kBinary);
}

TEST(WsFrame, ReadsSixteenAndSixtyFourBitLengths) {
  WsFrameReader reader(200'000);
  Collected c;
  const std::string medium(300, 'm');
  const std::string large(70'000, 'L');
  EXPECT_FALSE(c.feed(reader, client_frame(0x81, medium) + client_frame(0x81, large)));
  ASSERT_EQ(c.frames.size(), 2U);
  EXPECT_EQ(c.frames[0].payload, medium);
  EXPECT_EQ(c.frames[1].payload, large);
}

TEST(WsFrame, ReportsCloseWithItsStatus) {
  WsFrameReader reader(4096);
  Collected c;
  EXPECT_FALSE(c.feed(reader, client_frame(0x88, std::string("\x03\xe8", 2) + "bye")));
  ASSERT_EQ(c.frames.size(), 1U);
  EXPECT_EQ(c.frames[0].opcode, WsOpcode::kClose);
  EXPECT_EQ(c.frames[0].payload, std::string("\x03\xe8", 2) + "bye");
}

struct Violation {
  const char* name;
  std::string bytes;
  std::uint16_t status;
};

TEST(WsFrame, FailsEachProtocolViolationWithTheRightStatus) {
  const std::vector<Violation> cases = {
      {"unmasked frame", std::string("\x81\x02hi", 4), ws_status::kProtocolError},
      {"reserved bit", client_frame(0xC1, "hi"), ws_status::kProtocolError},
      {"reserved opcode", client_frame(0x83, "hi"), ws_status::kProtocolError},
      {"fragmented control frame", client_frame(0x09, "hi"), ws_status::kProtocolError},
      {"control frame over 125 bytes", client_frame(0x89, std::string(126, 'p')),
       ws_status::kProtocolError},
      {"continuation without a message", client_frame(0x80, "x"), ws_status::kProtocolError},
      {"new message inside a fragmented one", client_frame(0x01, "a") + client_frame(0x81, "b"),
       ws_status::kProtocolError},
      {"one-byte close body", client_frame(0x88, "\x03"), ws_status::kProtocolError},
      {"reserved close status 1005", client_frame(0x88, std::string("\x03\xed", 2)),
       ws_status::kProtocolError},
      {"text that is not UTF-8", client_frame(0x81, "\xc3\x28"), ws_status::kInvalidPayload},
      {"close reason that is not UTF-8", client_frame(0x88, std::string("\x03\xe8\xff", 3)),
       ws_status::kInvalidPayload},
      {"message over the limit", client_frame(0x81, std::string(101, 'x')),
       ws_status::kMessageTooBig},
      {"fragments over the limit",
       client_frame(0x01, std::string(60, 'x')) + client_frame(0x80, std::string(60, 'x')),
       ws_status::kMessageTooBig},
  };
  for (const auto& violation : cases) {
    WsFrameReader reader(100);
    Collected c;
    const auto failed = c.feed(reader, violation.bytes);
    ASSERT_TRUE(failed.has_value()) << violation.name;
    EXPECT_EQ(*failed, violation.status) << violation.name;
    EXPECT_TRUE(c.frames.empty()) << violation.name;
    // It stays failed and reads nothing more.
    EXPECT_EQ(c.feed(reader, client_frame(0x81, "ok")), failed) << violation.name;
    EXPECT_TRUE(c.frames.empty()) << violation.name;
  }
}

TEST(WsFrame, RefusesOversizedLengthsBeforeThePayloadArrives) {
  WsFrameReader reader(1024);
  Collected c;
  // A header announcing 1 GiB: refused from the header alone.
  std::string header("\x81\xff\x00\x00\x00\x00\x40\x00\x00\x00\x01\x02\x03\x04", 14);
  EXPECT_EQ(c.feed(reader, header), ws_status::kMessageTooBig);
}

TEST(WsFrame, ValidatesUtf8) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xb2"));  // été € 🎲
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));                                        // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // overlong, three bytes
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // a UTF-16 surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\x80"));              // a lone continuation byte
  EXPECT_FALSE(is_valid_utf8("\xff"));
}

}  // namespace
}  // namespace lottery::server
