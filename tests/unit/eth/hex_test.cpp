// SPDX-License-Identifier: Apache-2.0
#include "eth/hex.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lottery::eth {
namespace {

struct GoodCase {
  std::string text;
  Bytes bytes;
  std::string canonical;  // what hex_encode gives back
};

TEST(Hex, DecodesValidInput) {
  const std::vector<GoodCase> cases = {
      {"0x", {}, "0x"},
      {"0x00", {0x00}, "0x00"},
      {"0xff", {0xff}, "0xff"},
      {"0xFF", {0xff}, "0xff"},
      {"0x0123456789abcdef",
       {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef},
       "0x0123456789abcdef"},
      {"0xABCDEF", {0xab, 0xcd, 0xef}, "0xabcdef"},
      {"0xdeadBEEF", {0xde, 0xad, 0xbe, 0xef}, "0xdeadbeef"},
      {"0x000000", {0, 0, 0}, "0x000000"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto decoded = hex_decode(c.text);
    ASSERT_TRUE(decoded) << decoded.error().message();
    EXPECT_EQ(*decoded, c.bytes);
    EXPECT_EQ(hex_encode(*decoded), c.canonical);
    EXPECT_EQ(hex_encode_bare(*decoded), c.canonical.substr(2));
  }
}

struct BadCase {
  std::string text;
  Errc error;
};

TEST(Hex, RejectsMalformedInputWithExactError) {
  const std::vector<BadCase> cases = {
      {"", Errc::kMissingHexPrefix},
      {"0", Errc::kMissingHexPrefix},
      {"00", Errc::kMissingHexPrefix},
      {"ff", Errc::kMissingHexPrefix},
      {"0X00", Errc::kMissingHexPrefix},
      {"x00", Errc::kMissingHexPrefix},
      {" 0x00", Errc::kMissingHexPrefix},
      {"0x0", Errc::kOddHexLength},
      {"0xabc", Errc::kOddHexLength},
      {"0xzzz", Errc::kOddHexLength},  // length is checked before digits
      {"0xgg", Errc::kInvalidHexDigit},
      {"0x0g", Errc::kInvalidHexDigit},
      {"0x 0", Errc::kInvalidHexDigit},
      {"0x00 ", Errc::kOddHexLength},
      {"0x00  ", Errc::kInvalidHexDigit},
      {"0x0x00", Errc::kInvalidHexDigit},
      {"0x-1", Errc::kInvalidHexDigit},
      {std::string("0x0\0", 4), Errc::kInvalidHexDigit},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto decoded = hex_decode(c.text);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error(), make_error_code(c.error));
  }
}

TEST(Hex, EncodesAllByteValues) {
  Bytes all(256);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint8_t>(i);
  const std::string text = hex_encode(all);
  ASSERT_EQ(text.size(), 2 + 512U);
  EXPECT_EQ(text.substr(0, 10), "0x00010203");
  EXPECT_EQ(text.substr(text.size() - 8), "fcfdfeff");
  const auto back = hex_decode(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, all);
}

TEST(Hex, EncodeEmpty) {
  EXPECT_EQ(hex_encode({}), "0x");
  EXPECT_EQ(hex_encode_bare({}), "");
}

TEST(Hex, DecodeFixed) {
  const auto four = hex_decode_fixed<4>("0xdeadbeef");
  ASSERT_TRUE(four);
  EXPECT_EQ(*four, (std::array<std::uint8_t, 4>{0xde, 0xad, 0xbe, 0xef}));

  const auto short_input = hex_decode_fixed<4>("0xdeadbe");
  ASSERT_FALSE(short_input);
  EXPECT_EQ(short_input.error(), make_error_code(Errc::kWrongLength));

  const auto long_input = hex_decode_fixed<4>("0xdeadbeef00");
  ASSERT_FALSE(long_input);
  EXPECT_EQ(long_input.error(), make_error_code(Errc::kWrongLength));

  // Underlying decode errors pass through unchanged.
  const auto bad_digit = hex_decode_fixed<1>("0xq0");
  ASSERT_FALSE(bad_digit);
  EXPECT_EQ(bad_digit.error(), make_error_code(Errc::kInvalidHexDigit));

  const auto empty = hex_decode_fixed<0>("0x");
  EXPECT_TRUE(empty);
}

}  // namespace
}  // namespace lottery::eth
