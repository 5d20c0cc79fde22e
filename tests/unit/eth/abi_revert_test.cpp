// SPDX-License-Identifier: Apache-2.0
#include "eth/abi_revert.hpp"

#include "eth/abi_codec.hpp"
#include "eth/hex.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lottery::eth {
namespace {

Bytes unhex(const std::string& hex) {
  auto b = hex_decode(hex);
  EXPECT_TRUE(b) << hex;
  return b ? *b : Bytes{};
}

Bytes error_payload(const std::string& message) {
  const AbiType type = AbiType::string();
  const AbiList values = {abi_string(message)};
  Bytes out = {0x08, 0xc3, 0x79, 0xa0};
  const auto body = abi_encode(std::span<const AbiType>(&type, 1), values);
  EXPECT_TRUE(body);
  out.insert(out.end(), body->begin(), body->end());
  return out;
}

// The revert example of the Solidity documentation ("Error handling: Assert, Require, Revert").
const char* const kNotEnoughEther =
    "0x08c379a0"
    "0000000000000000000000000000000000000000000000000000000000000020"
    "000000000000000000000000000000000000000000000000000000000000001a"
    "4e6f7420656e6f7567682045746865722070726f76696465642e000000000000";

TEST(AbiRevert, DecodesErrorString) {
  const auto reason = decode_revert(unhex(kNotEnoughEther));
  ASSERT_TRUE(reason) << reason.error().message();
  EXPECT_EQ(reason->kind, RevertReason::Kind::kError);
  EXPECT_EQ(reason->message, "Not enough Ether provided.");
  EXPECT_EQ(describe_revert(unhex(kNotEnoughEther)), "reverted: Not enough Ether provided.");
  EXPECT_EQ(error_payload("Not enough Ether provided."), unhex(kNotEnoughEther));
}

TEST(AbiRevert, DecodesPanics) {
  const Bytes overflow = unhex(
      "0x4e487b71"
      "0000000000000000000000000000000000000000000000000000000000000011");
  const auto reason = decode_revert(overflow);
  ASSERT_TRUE(reason);
  EXPECT_EQ(reason->kind, RevertReason::Kind::kPanic);
  EXPECT_EQ(reason->panic_code, U256{0x11});
  EXPECT_EQ(describe_revert(overflow), "panic 0x11: arithmetic overflow or underflow");
  EXPECT_EQ(
      describe_revert(unhex("0x4e487b71"
                            "0000000000000000000000000000000000000000000000000000000000000032")),
      "panic 0x32: array index out of bounds");
  EXPECT_STREQ(panic_description(U256{0x12}), "division or modulo by zero");
  EXPECT_STREQ(panic_description(U256{0x99}), "unknown panic code");
  EXPECT_STREQ(panic_description(~U256{0}), "unknown panic code");
}

TEST(AbiRevert, ClassifiesEmptyAndCustomErrors) {
  const auto empty = decode_revert({});
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->kind, RevertReason::Kind::kEmpty);
  EXPECT_EQ(describe_revert({}), "reverted without a reason");

  // error InsufficientBalance(uint256 available, uint256 required): custom, not decoded.
  const Bytes custom = unhex(
      "0xcf479181"
      "0000000000000000000000000000000000000000000000000000000000000001"
      "0000000000000000000000000000000000000000000000000000000000000002");
  const auto reason = decode_revert(custom);
  ASSERT_TRUE(reason);
  EXPECT_EQ(reason->kind, RevertReason::Kind::kCustom);
  EXPECT_EQ(hex_encode(reason->selector), "0xcf479181");
  EXPECT_EQ(describe_revert(custom), "custom error 0xcf479181 (68 bytes)");
}

TEST(AbiRevert, RejectsMalformedPayloads) {
  struct Case {
    std::string name;
    std::string hex;
    Errc error;
  };
  const std::vector<Case> cases = {
      {"short selector", "0x08c379", Errc::kTruncated},
      {"error without body", "0x08c379a0", Errc::kTruncated},
      {"error length beyond data",
       "0x08c379a0"
       "0000000000000000000000000000000000000000000000000000000000000020"
       "00000000000000000000000000000000000000000000000000000000000000ff"
       "4e6f7420656e6f7567682045746865722070726f76696465642e000000000000",
       Errc::kTooLarge},
      {"error bad offset",
       "0x08c379a0"
       "0000000000000000000000000000000000000000000000000000000000000040"
       "000000000000000000000000000000000000000000000000000000000000001a"
       "4e6f7420656e6f7567682045746865722070726f76696465642e000000000000",
       Errc::kNonCanonical},
      {"panic short", "0x4e487b710000", Errc::kTruncated},
      {"panic trailing",
       "0x4e487b71"
       "0000000000000000000000000000000000000000000000000000000000000011"
       "00",
       Errc::kTrailingBytes},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Bytes payload = unhex(c.hex);
    const auto reason = decode_revert(payload);
    ASSERT_FALSE(reason);
    EXPECT_EQ(reason.error(), make_error_code(c.error));
    EXPECT_EQ(describe_revert(payload).rfind("malformed revert data 0x", 0), 0U);
  }
}

TEST(AbiRevert, SanitisesUntrustedMessages) {
  EXPECT_EQ(describe_revert(error_payload("line\nbreak\x1b[31m")),
            "reverted: line\\x0abreak\\x1b[31m");
  EXPECT_EQ(describe_revert(error_payload("back\\slash")), "reverted: back\\\\slash");
  // Valid UTF-8 stays, invalid bytes are escaped.
  EXPECT_EQ(describe_revert(error_payload("caf\xc3\xa9 \xff\xc3")),
            "reverted: caf\xc3\xa9 \\xff\\xc3");
  const std::string long_message(1000, 'a');
  EXPECT_EQ(describe_revert(error_payload(long_message)),
            "reverted: " + std::string(256, 'a') + "...");
  // Hex of malformed data is capped too.
  Bytes junk(500, 0x41);
  junk[0] = 0x08;
  junk[1] = 0xc3;
  junk[2] = 0x79;
  junk[3] = 0xa0;
  const std::string text = describe_revert(junk);
  std::string expected = "malformed revert data 0x08c379a0";
  for (int i = 0; i < 60; ++i) expected += "41";
  EXPECT_EQ(text, expected + "...");
}

}  // namespace
}  // namespace lottery::eth
